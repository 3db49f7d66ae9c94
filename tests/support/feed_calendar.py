"""Calendar feeds read back: a feed URL's path, and the VEVENTs of an .ics body."""

from __future__ import annotations

import icalendar


def path_of(url: str) -> str:
    assert url.startswith("http://coord.test/feeds/") and url.endswith(".ics")
    return url.removeprefix("http://coord.test")


def vevents(body: bytes) -> list[icalendar.Event]:
    return [c for c in icalendar.Calendar.from_ical(body).walk("VEVENT")]
