"""Checking the languages a group, event or crisis line is held in (issue 16.7): ISO 639 codes
that CLDR knows (coord.i18n.codes), else a 422 that says what to write."""

from __future__ import annotations

from coord.i18n import codes
from coord.i18n import gettext as _
from coord.kernel.errors import FieldError, Unprocessable

MAX = 20  # languages one group, event or crisis line may list


def check(given: list[str], field: str = "languages") -> list[str]:
    """The codes, lower-cased and without repeats; 422 naming each one that is not a language."""
    clean = list(dict.fromkeys(code.strip().lower() for code in given))
    bad = [code for code in clean if not codes.is_known(code)]
    if bad:
        errors = [FieldError(field, _("“%(code)s” is not a language code. Write each language as its ISO 639 "
                                      "code, like en for English, es for Spanish or ar for Arabic.") % {"code": code})
                  for code in bad]
        raise Unprocessable(errors[0]["message"], errors=errors, slug="unknown-language")
    if len(clean) > MAX:
        raise Unprocessable(_("List at most %(n)d languages.") % {"n": MAX}, field=field)
    return clean
