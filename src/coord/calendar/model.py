"""What a calendar is made of, before it becomes iCalendar text (msgspec Structs)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

Method = Literal["REQUEST", "CANCEL"]
Status = Literal["CONFIRMED", "TENTATIVE", "CANCELLED"]


def _require_aware(value: datetime | None, name: str) -> None:
    if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _require_mailto(value: str | None, name: str) -> None:
    if value is not None and not (value.lower().startswith("mailto:") and "@" in value and "\n" not in value):
        raise ValueError(f"{name} must be a mailto: address, got {value!r}")


def check_tzid(tzid: str | None) -> None:
    if tzid is None:
        return
    try:
        ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise ValueError(f"{tzid!r} is not a known IANA timezone") from None


class CalEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One VEVENT: a single event, a series master (rrule set) or an override
    (recurrence_id set). Times are aware; with `tzid` they are written as local
    time in that zone with a VTIMEZONE, without it in UTC."""

    uid: str
    dtstamp: datetime
    start: datetime
    end: datetime
    summary: str
    tzid: str | None = None
    sequence: int = 0
    description: str | None = None
    location: str | None = None
    url: str | None = None
    status: Status | None = None
    rrule: str | None = None  # e.g. "FREQ=WEEKLY;BYDAY=TU;COUNT=12"; UNTIL is written in UTC
    exdates: tuple[datetime, ...] = ()
    recurrence_id: datetime | None = None
    organizer: str | None = None  # "mailto:..."
    attendee: str | None = None  # "mailto:..."; one recipient per invite, never a list
    categories: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.uid or "\n" in self.uid:
            raise ValueError("uid must be a non-empty single line")
        if self.sequence < 0:
            raise ValueError("sequence must be >= 0")
        for name in ("dtstamp", "start", "end", "recurrence_id"):
            _require_aware(getattr(self, name), name)
        for moment in self.exdates:
            _require_aware(moment, "exdates")
        if self.end < self.start:
            raise ValueError("end must not be before start")
        if self.rrule is not None and self.recurrence_id is not None:
            raise ValueError("an override (recurrence_id) cannot carry its own rrule")
        if self.exdates and self.rrule is None:
            raise ValueError("exdates need an rrule")
        check_tzid(self.tzid)
        _require_mailto(self.organizer, "organizer")
        _require_mailto(self.attendee, "attendee")


class Calendar(msgspec.Struct, frozen=True, kw_only=True):
    """A VCALENDAR. With a method it is an iTIP message (REQUEST or CANCEL, one
    recipient); without one it is a subscribable feed, refreshed every
    `refresh_minutes` (None: no refresh hint)."""

    name: str
    events: tuple[CalEvent, ...] = ()
    method: Method | None = None
    refresh_minutes: int | None = 60
    calendar_uid: str | None = None

    def __post_init__(self) -> None:
        if self.refresh_minutes is not None and self.refresh_minutes < 1:
            raise ValueError("refresh_minutes must be at least 1")
        if self.method is not None:
            missing = sorted({e.uid for e in self.events if e.organizer is None})
            if missing:
                raise ValueError(f"METHOD:{self.method} needs an ORGANIZER on every event (missing: {missing})")


class Moved(msgspec.Struct, frozen=True, kw_only=True):
    """One occurrence of a series moved elsewhere: `original_start` is the start the
    rule gives it (aware, or naive local wall time in the series' zone)."""

    original_start: datetime
    start: datetime
    end: datetime
    sequence: int = 0
    summary: str | None = None  # None: same as the series
    description: str | None = None
    location: str | None = None
    status: Status | None = None

    def __post_init__(self) -> None:
        _require_aware(self.start, "start")
        _require_aware(self.end, "end")
        if self.end < self.start:
            raise ValueError("end must not be before start")
        if self.sequence < 0:
            raise ValueError("sequence must be >= 0")
