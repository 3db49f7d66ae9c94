"""Content lines written as plain text, byte for byte what icalendar 7 writes for the
same values, without building its objects (which cost ~300 µs an invite).

render.py says what goes in (and keeps icalendar as the reference, `render_whole`);
this module only knows how icalendar serializes each kind of value:
  TEXT          parser/string.py _escape_char (\\N first, then \\ ; , and line ends)
  UNKNOWN       verbatim (NAME, X-WR-CALNAME: icalendar has no type for them)
  DATE-TIME     prop/dt/datetime.py: YYYYMMDDTHHMMSS, Z where the zone is UTC or one
                icalendar holds equivalent to it (Africa/Abidjan...), else ;TZID=<key>
  DURATION      prop/dt/duration.py
  any value     decoded as UTF-8-SIG by Contentline.from_parts: one leading BOM is dropped
  the line      parser/string.py _foldline: a fold before the octet that would make the
                line 75 octets long, never inside a UTF-8 sequence, and never right after
                a backslash or caret (that character moves to the next line)
Anything outside this raises Unwritable, and the caller renders with icalendar instead.
tests/calendar/test_writer.py holds every function here to icalendar's output.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

from icalendar.timezone.tzid import tzid_from_tzinfo

__all__ = ["Unwritable", "component", "date_time", "duration", "fold", "line", "no_line_break", "text"]

_LIMIT = 74  # octets a folded piece may hold: _foldline(limit=75) breaks before reaching 75
_ESCAPED = (0x5C, 0x5E)  # backslash, caret: _foldline keeps them with the character they escape
_TO_ESCAPE = re.compile(r"[\\;,\r\n]")  # every replacement below starts at one of these
_SAFE_TZID = re.compile(r"[A-Za-z0-9_+\-/]+")  # a parameter value icalendar writes as it is


class Unwritable(ValueError):
    """A value this module cannot promise to write as icalendar would."""


def text(value: str) -> str:
    """A TEXT value, escaped in icalendar's order (a literal \\N is a line break)."""
    if not _TO_ESCAPE.search(value):
        return value
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def no_line_break(value: str) -> str:
    """A value icalendar writes verbatim (URI, CAL-ADDRESS, UNKNOWN): with CR or LF it
    raises or writes a broken line, so that is left to icalendar."""
    if "\r" in value or "\n" in value:
        raise Unwritable("a line break in a verbatim value")
    return value


def fold(data: bytes) -> bytes:
    """One content line folded as _foldline folds it, on its UTF-8 bytes."""
    if len(data) <= _LIMIT:
        return data
    pieces = []
    start, size = 0, len(data)
    while size - start > _LIMIT:
        end = start + _LIMIT
        while 0x80 <= data[end] < 0xC0:  # a continuation octet: the character starts earlier
            end -= 1
        if data[end - 1] in _ESCAPED and end - start > 1:
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def line(name: str, value: str, params: str = "") -> bytes:
    """NAME;PARAMS:VALUE as folded bytes with its CRLF; `value` already formatted."""
    if value[:1] == "\ufeff":
        value = value[1:]
    return fold(f"{name}{params}:{value}".encode()) + b"\r\n"


def component(name: str, lines: list[bytes]) -> bytes:
    return b"".join((b"BEGIN:", name.encode(), b"\r\n", *lines, b"END:", name.encode(), b"\r\n"))


@cache
def _tzid_param(key: str) -> str:
    """';TZID=key', or '' where icalendar takes the zone for UTC and writes Z instead."""
    tzid = tzid_from_tzinfo(ZoneInfo(key))
    if tzid == "UTC":
        return ""
    if tzid != key or not _SAFE_TZID.fullmatch(key):
        raise Unwritable(f"TZID {key!r}")
    return f";TZID={key}"


def date_time(moment: datetime) -> tuple[str, str]:
    """(parameters, value) of an aware DATE-TIME, as vDDDTypes writes it."""
    zone = moment.tzinfo
    if zone is timezone.utc:
        params = ""
    elif isinstance(zone, ZoneInfo) and zone.key is not None:
        params = _tzid_param(zone.key)
    else:
        raise Unwritable(f"time zone {zone!r}")
    value = (f"{moment.year:04}{moment.month:02}{moment.day:02}"
             f"T{moment.hour:02}{moment.minute:02}{moment.second:02}")
    return params, value if params else value + "Z"


def duration(span: timedelta) -> str:
    """A DURATION as vDuration writes it (P1DT1H1M, PT15M, -P2D)."""
    sign = ""
    if span.days < 0:
        sign, span = "-", -span
    timepart = ""
    if span.seconds:
        hours, minutes, seconds = span.seconds // 3600, span.seconds % 3600 // 60, span.seconds % 60
        timepart = "T" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or (hours and seconds) else "")
        timepart += f"{seconds}S" if seconds else ""
    if span.days == 0 and timepart:
        return f"{sign}P{timepart}"
    return f"{sign}P{abs(span.days)}D{timepart}"
