"""What a person reads on a page, which of it is data rather than coord's words, and what is an English word."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from coord.web.render import CRISIS_PHRASES
from coord.web.zones import timezone_choices

USER_CONTENT = """
SELECT display_name FROM users UNION SELECT email FROM users UNION SELECT name FROM orgs
UNION SELECT slug FROM orgs UNION SELECT contact_email FROM orgs UNION SELECT name FROM groups
UNION SELECT description FROM groups UNION SELECT name FROM venues UNION SELECT address FROM venues
UNION SELECT title FROM events UNION SELECT description FROM events UNION SELECT role FROM shifts
UNION SELECT code FROM trainings UNION SELECT email FROM invitations
UNION SELECT name FROM directory_organizations UNION SELECT name FROM directory_services
UNION SELECT name FROM directory_locations UNION SELECT address_1 FROM directory_addresses
UNION SELECT city FROM directory_addresses UNION SELECT state_province FROM directory_addresses
UNION SELECT postal_code FROM directory_addresses UNION SELECT source FROM directory_imports
UNION SELECT crisis_resources FROM orgs
UNION SELECT share_with FROM referral_consents UNION SELECT purpose FROM referral_consents
UNION SELECT note FROM referrals UNION SELECT category FROM referrals
"""
# Not words of a language: the brand, the menu's languages in their own names, what
# browsers and mail read (URLs, addresses), UTC offsets. Each is matched as a whole.
ALLOWED = [
    re.compile(r"\bcoord\b"),
    re.compile(r"\b(?:English|Español)\b"),
    re.compile(r"\bhttps?://\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    re.compile(r"\b(?:UTC|GMT)\b"),
]
ENGLISH_WORD = re.compile(r"(?<![^\W\d_])[A-Za-z]{2,}(?![^\W\d_])")  # ASCII letters only, a whole word


class Readable(HTMLParser):
    """What a person reads on the page: text (not scripts or styles) and the attributes
    read aloud or shown (title, aria-label, placeholder, alt, a button input's value, the
    data-* attributes whose words coord.js puts on the page). A
    field's value is what was entered (a <textarea>'s text, like an <input>'s value): data."""

    ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "aria-description", "aria-roledescription",
                  # the words coord.js shows (the copy buttons' outcome, the timezone search box)
                  "data-copied", "data-copy-failed", "data-search-label", "data-search-placeholder",
                  "data-this-device")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("script", "style", "template", "textarea"):
            self._skip += 1
        self.chunks += [values[a] for a in self.ATTRIBUTES if values.get(a)]
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.chunks.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "textarea") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.chunks.append(data)


def data_phrases(user_content: list[str]) -> re.Pattern[str]:
    """What pages show that is data, not coord's words: the test data, IANA zone names as the
    picker writes them ("America/Port of Spain"), and crisis lines (named services whose words
    are each line's own, per language: issue 16.8)."""
    zones = [zone.replace("_", " ") for zone in timezone_choices()] + timezone_choices()
    phrases = sorted({*user_content, *zones, *CRISIS_PHRASES}, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in phrases))
