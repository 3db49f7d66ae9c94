"""An organization's crisis lines, each with the languages it serves (issue 16.8): every page
and every calm message shows the lines for its reader's language first.

Stored in `orgs.crisis_lines` (jsonb); NULL or empty is coord's defaults below, written from
the lines' own published pages (README, "Crisis lines"):
- 988 Suicide & Crisis Lifeline (988lifeline.org): call or text 988, chat at 988lifeline.org.
  In Spanish (988lineadevida.org): call 988 and press 2, text AYUDA to 988, or chat in
  Spanish at 988lineadevida.org. Calls are interpreted into 240+ more languages.
- Crisis Text Line (crisistextline.org): text HOME to 741741; in Spanish, text AYUDA to 741741
  or message 442-AYUDAME on WhatsApp.
A line's words are written in the language it serves, so a Spanish line reads in Spanish
to everyone. `crisis_resources` stays the organization's own words, shown after the lines
(unless it is still the old one-line default, which the lines now say).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from coord.kernel import languages as codes
from coord.i18n import gettext as _

Language = Annotated[str, msgspec.Meta(min_length=2, max_length=3, examples=["es"], description="ISO 639 code")]


class CrisisLine(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, examples=["988 Suicide & Crisis Lifeline"])]
    contact: Annotated[str, msgspec.Meta(min_length=1, max_length=500, examples=["Call or text 988."],
                                         description="how to reach it, in the language it serves")]
    languages: Annotated[list[Language], msgspec.Meta(min_length=1, max_length=20, description="the languages it serves")]


DEFAULT_LINES: list[CrisisLine] = [
    CrisisLine("988 Suicide & Crisis Lifeline", "call or text 988, or chat at 988lifeline.org.", ["en"]),
    CrisisLine("Crisis Text Line", "text HOME to 741741.", ["en"]),
    CrisisLine("988 Lifeline en español",
               "llama al 988 y marca 2, envía AYUDA por mensaje de texto al 988 o chatea en 988lineadevida.org.",
               ["es"]),
    CrisisLine("Crisis Text Line en español",
               "envía AYUDA por mensaje de texto al 741741 o escribe por WhatsApp al 442-AYUDAME.", ["es"]),
]
# What orgs.crisis_resources said by default before the lines had languages (migration 0002).
OLD_DEFAULT = "988 Suicide & Crisis Lifeline: call or text 988. Crisis Text Line: text HOME to 741741."


def lines_of(stored: Any, note: str | None = None) -> list[CrisisLine]:
    """The organization's lines from their column; NULL or [] is coord's defaults, unless the
    organization wrote its own crisis text (`note`, say a UK one naming Samaritans): then
    that text alone, as before lines had languages."""
    if not stored:
        return [] if own_words(note) else list(DEFAULT_LINES)
    return msgspec.convert(stored, list[CrisisLine])


def check(lines: list[CrisisLine]) -> list[CrisisLine]:
    """Each line's languages known to CLDR (422 otherwise), lower-cased, without repeats."""
    return [msgspec.structs.replace(line, languages=codes.check(line.languages, "crisis_lines"))
            for line in lines]


def for_reader(lines: list[CrisisLine], language: str) -> list[CrisisLine]:
    """The lines serving `language` first, the rest after, each group in the organization's order."""
    return sorted(lines, key=lambda line: language not in line.languages)


def own_words(note: str | None) -> str | None:
    """The organization's own crisis text, unless it is the old default the lines now say."""
    note = (note or "").strip()
    return note if note and note != OLD_DEFAULT else None


def said(stored: Any, note: str | None, language: str) -> str:
    """The lines as one paragraph of a message, the reader's first; a reader no line serves
    is told 988 interprets; then the organization's own words."""
    lines = for_reader(lines_of(stored, note), language)
    parts = [f"{line.name}: {line.contact}" for line in lines]
    if lines and not any(language in line.languages for line in lines):
        parts.append(interpreters())
    if words := own_words(note):
        parts.append(words)
    return " ".join(parts)


def interpreters() -> str:
    return _("When you call 988, you can ask for an interpreter in your language.")
