"""Which language coord speaks to whom (issue 16): gettext catalogs compiled from
coord/locale/<code>/LC_MESSAGES/messages.po, and the active one in a context variable.

A page's language is set per request (coord.web.language) and a message's per recipient
(coord.notify.delivery), each in a `Choice` held by `ACTIVE`; the Jinja environment got
`gettext`/`ngettext` once (coord.web.render) and they read it when a template runs. Nothing
is ever installed on the shared environment per request, so two requests at once in two
languages never see each other's words.

Adding a language: a messages.po under coord/locale/<code>/LC_MESSAGES/ and one line in
LANGUAGES. A language is offered (in the menu, and chosen for anyone) once at least
THRESHOLD of its messages are translated and not fuzzy (and ALL_MARKED says every string is
marked); COORD_PREVIEW_LANGUAGES=es,ar offers some anyway (tests, translators checking
their work).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT = "en"  # the language the strings are written in: always complete
# code -> the language's name in itself, as the menu shows it. One line per language.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "ar": "العربية",
}
THRESHOLD = 0.95  # share of a catalog translated (and not fuzzy) before it is offered
# A catalog's share counts only the strings marked. Every string people read is marked: the
# pseudo-locale test over every page for every role (tests/i18n/test_pseudo_locale.py) finds
# none left, and keeps it so; False again would offer no language but English (unless previewed).
ALL_MARKED = True
PREVIEW: set[str] = {c.strip() for c in os.environ.get("COORD_PREVIEW_LANGUAGES", "").split(",") if c.strip()}


@dataclass
class Catalog:
    translations: NullTranslations
    completeness: float  # 0..1


@cache
def catalog(code: str) -> Catalog:
    """The language's catalog, compiled from its .po in memory on first use (so a .po edited
    is what runs after a restart, with no build step and no stale .mo)."""
    po = LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"
    if code == DEFAULT or not po.exists():
        return Catalog(NullTranslations(), 1.0 if code == DEFAULT else 0.0)
    with po.open("rb") as f:
        parsed = read_po(f, locale=code)
    messages = [m for m in parsed if m.id]
    done = sum(1 for m in messages if not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string]))
    compiled = io.BytesIO()
    write_mo(compiled, parsed)  # fuzzy entries are left out: English shows instead
    compiled.seek(0)
    return Catalog(GNUTranslations(compiled), done / len(messages) if messages else 1.0)


def offered() -> list[str]:
    """The languages people may choose, in LANGUAGES' order."""
    return [c for c in LANGUAGES
            if c == DEFAULT or c in PREVIEW or (ALL_MARKED and catalog(c).completeness >= THRESHOLD)]


@cache
def direction(code: str) -> str:
    return "rtl" if Locale.parse(code).text_direction == "rtl" else "ltr"


@dataclass
class Choice:
    """What decides one request's (or one message's) language, most explicit first:
    the menu's choice (cookie), the person's saved language, the browser's Accept-Language,
    the organization's default, else English. Filled in as the request learns them."""

    chosen: str | None = None
    saved: str | None = None
    accept: str | None = None
    org_default: str | None = None

    @property
    def code(self) -> str:
        return _decide(self.chosen, self.saved, self.accept, self.org_default, tuple(offered()))


@lru_cache(maxsize=1024)
def _decide(chosen: str | None, saved: str | None, accept: str | None, org_default: str | None,
            available: tuple[str, ...]) -> str:
    for tag in (chosen, saved):
        if tag and (found := _match([tag], list(available))):
            return found
    return (_match(accepted(accept or ""), list(available))
            or (_match([org_default], list(available)) if org_default else None) or DEFAULT)


def _match(preferred: list[str], available: list[str]) -> str | None:
    """The first of `preferred` coord speaks ("es-MX" finds "es")."""
    found = negotiate_locale([p.replace("_", "-") for p in preferred], available, sep="-")
    if found is None:  # babel matches "es-MX" to "es" only via aliases; take the language part
        found = next((p.split("-")[0].lower() for p in preferred if p.split("-")[0].lower() in available), None)
    return found


_QUALITY = re.compile(r"^\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def accepted(header: str) -> list[str]:
    """The languages of an Accept-Language header, most wanted first (q=0: not at all)."""
    ranked = []
    for i, part in enumerate(header.split(",")[:20]):
        found = _QUALITY.match(part)
        if not found or found.group(1) == "*":
            continue
        try:
            q = float(found.group(2) or 1)
        except ValueError:
            continue
        if q > 0:
            ranked.append((-q, i, found.group(1)))
    return [tag for _, _, tag in sorted(ranked)]


ACTIVE: ContextVar[Choice | None] = ContextVar("coord_language", default=None)
# The headers of the HTTP request being served (set by coord.app for each one): a request with
# no `Choice` of its own (the API's) speaks its Accept-Language, read only when something is
# worded, not in a layer on every request.
REQUEST_HEADERS: ContextVar[Iterable[tuple[bytes, bytes]] | None] = ContextVar("coord_request_headers", default=None)


def current() -> str:
    """The active language's code: the `Choice` set for a page or a message, else, in any
    other request (the API's), the client's Accept-Language; English outside both."""
    choice = ACTIVE.get()
    if choice is not None:
        return choice.code
    headers = REQUEST_HEADERS.get()
    accept = next((v for k, v in headers if k == b"accept-language"), None) if headers is not None else None
    return DEFAULT if accept is None else _decide(None, None, accept.decode("latin-1")[:500], None, tuple(offered()))


def gettext(message: str) -> str:
    return catalog(current()).translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(current()).translations.ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; gettext translates it where it is shown."""
    return message
