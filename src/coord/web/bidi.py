"""Right-to-left pages (issue 16.5): what a translated sentence says of names, places and
timezones keeps its own direction inside an Arabic line."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup

from coord import i18n

@lru_cache(maxsize=32)
def _right_to_left(code: str) -> bool:
    return i18n.direction(code) == "rtl"


def _left_to_right(text: str) -> bool:
    """Whether the text's first strongly directional character is left-to-right (a Latin letter)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return False
        if kind == "L":
            return True
    return False


def isolate(value: Any) -> Any:
    """A placeholder's value inside a right-to-left sentence, between FSI and PDI (Unicode's
    <bdi>, which also works in attributes and titles): "Kitchen" or "America/Chicago" keeps its
    order, and the punctuation next to it stays in the sentence's. Arabic words need nothing;
    numbers and times (no letters) are left to the sentence, which orders a range as its
    readers read it."""
    if isinstance(value, (int, float)) or not _left_to_right(str(value)):
        return value
    if isinstance(value, Markup):
        return Markup("\u2068") + value + Markup("\u2069")
    return f"\u2068{value}\u2069"


# An attribute that holds an address: FSI and PDI there would be part of the URL (a link to
# "/orgs/\u2068/shifts\u2069", a 404), and a browser never shows it as text to order.
_ADDRESS = re.compile(r"""\b(href|src|action|formaction)=(["'])(.*?)\2""", re.S)


def _bare_addresses(text: Any) -> Any:
    if "\u2068" not in text:
        return text
    bare = _ADDRESS.sub(lambda m: f"{m[1]}={m[2]}{m[3].replace(chr(0x2068), '').replace(chr(0x2069), '')}{m[2]}",
                        str(text))
    # `text` was Markup already, and only FSI and PDI were taken out of it.
    return Markup(bare) if isinstance(text, Markup) else bare  # nosec B704


def isolating(translate: Any) -> Any:
    """Jinja's newstyle gettext or ngettext, isolating its placeholders' values in a right-to-left
    language, except where a value is (part of) a link's address."""
    @pass_context
    def call(context: Any, *args: Any, **variables: Any) -> Any:
        if variables and _right_to_left(i18n.current()):
            variables = {name: isolate(value) for name, value in variables.items()}
            return _bare_addresses(translate(context, *args, **variables))
        return translate(context, *args, **variables)
    return call
