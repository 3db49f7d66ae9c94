"""The languages groups, events and crisis lines are held in (issue 16.7, 16.8): ISO 639 codes
that CLDR (through Babel) knows, named in the reader's own language."""

from __future__ import annotations

import re
from functools import cache

from babel import Locale

from coord import i18n

_CODE = re.compile(r"^[a-z]{2,3}$")


@cache
def _known() -> frozenset[str]:
    # CLDR's language names, ISO 639-1 (two letters) and 639-2/3 (three) alike.
    return frozenset(code for code in Locale("en").languages if _CODE.match(code))


def is_known(code: str) -> bool:
    return code in _known()


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name in the reader's language ("árabe" for ar to a Spanish reader), else the code."""
    return _names(in_language or i18n.current()).get(code) or code


@cache
def _names(reader: str) -> dict[str, str]:
    return dict(Locale.parse(reader).languages)


def choices(codes: list[str] | None = None) -> list[tuple[str, str]]:
    """(code, name) for a filter's menu: the given codes (or coord's own languages), by name."""
    wanted = codes if codes is not None else list(i18n.LANGUAGES)
    return sorted(((c, language_name(c)) for c in dict.fromkeys(wanted)), key=lambda pair: pair[1].casefold())


def split(raw: str | list[str] | None) -> list[str]:
    """A form's "es, en" (commas, spaces or semicolons between) as a list of codes, unchecked."""
    text = " ".join(raw) if isinstance(raw, list) else (raw or "")
    return [code for code in re.split(r"[\s,;]+", text) if code]
