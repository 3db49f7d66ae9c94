"""What to fix, in words a person can act on (issue 16.9): msgspec's account of a value it
refused ("Expected `str` matching regex ...") said per field, in the reader's language. The
pages' forms and the API's problems (their `errors` and `detail`) both say it this way."""

from __future__ import annotations

import re

from coord.i18n import N_
from coord.i18n import gettext as _

EMAIL = N_("Enter an email address like name@example.org.")
# What a text in the right form looks like, by field (msgspec says only "matching regex").
PATTERNS = {
    "email": EMAIL,
    "contact_email": EMAIL,
    "new_email": EMAIL,
    "slug": N_("Use lowercase letters, digits and single dashes, like riverside-center."),
    "meeting_url": N_("Enter a web address starting with https://, like https://meet.example.org/room."),
    "url": N_("Enter a web address starting with https://, like https://meet.example.org/room."),
    "locale": N_("Choose a language from the list."),
}
# A field whose rule is worth saying whatever was wrong with it.
RULES = {
    "password": N_("Choose a password of at least 10 characters; a few words make a good one."),
    "new_password": N_("Choose a password of at least 10 characters; a few words make a good one."),
    "timezone": N_("Choose a timezone from the list, like America/Chicago."),
}
_BOUND = re.compile(r"Expected `(\w+)`(?: of length)? ([<>])=? (-?[\d.]+)")
_NAMES = ("name", "display_name", "title", "role")


def plain_message(field: str, message: str) -> str:
    """msgspec's refusal of `field`'s value (without its " - at `$.x`" tail) as a sentence
    saying what to write instead."""
    message = message.split(" - at ")[0]
    if field == "body" and (message.startswith("Expected `object`") or message == "'data'"):  # none, or not {...}
        return _("Send a JSON object in the body, with the fields this address takes (see /schema).")
    if field in RULES:
        return _(RULES[field])
    bound = _BOUND.match(message)
    if bound:
        kind, direction, number = bound.groups()
        n = int(float(number))
        if kind == "str":
            if direction == ">" and n <= 1:
                return _("Write a name.") if field in _NAMES else _("This field is required.")
            if direction == ">":
                return _("Use at least %(n)d characters.") % {"n": n}
            return _("Use at most %(n)d characters.") % {"n": n}
        if kind in ("array", "list", "object"):
            return (_("Choose at least %(n)d.") if direction == ">" else _("Choose at most %(n)d.")) % {"n": n}
        return (_("Enter %(n)s or more.") if direction == ">" else _("Enter %(n)s or less.")) % {"n": number}
    if message.startswith("Object missing required field"):
        return _("This field is required.")
    if message.startswith("Object contains unknown field"):
        return _("This field is not one coord takes here; leave it out.")
    if message.startswith("Expected `int`"):
        return _("Enter a whole number, like 30.")
    if message.startswith("Expected `float`"):
        return _("Enter a number, like 2.5.")
    if message.startswith("Expected `bool`"):
        return _("Tick the box, or leave it empty.")
    if "matching regex" in message:
        return _(PATTERNS[field]) if field in PATTERNS else _("This is not in a form coord can use; check what you typed.")
    if message.startswith(("Invalid enum value", "Invalid UUID", "Expected `array`", "Expected `object`")):
        return _("Choose one of the options.")
    if "datetime" in message or message.startswith("Invalid RFC3339") or "timezone" in message:
        return _("Enter a date and time, like 2026-05-01 18:30.")
    if "date" in message:
        return _("Enter a date, like 2026-05-01.")
    if "time" in message:
        return _("Enter a time, like 18:30.")
    return _("This cannot be used; check what you typed.")
