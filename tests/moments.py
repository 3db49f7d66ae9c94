"""Times for tests, placed relative to the current instant, whatever weekday, hour or
season the suite runs in (CI also runs it under libfaketime at awkward instants).

This is the one module in tests/ that reads the clock or does weekday arithmetic:
everything else asks it for "a Tuesday evening at least a week ahead" or "three hours
from now", so a test never lands a session in the past because today is Wednesday.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from coord.kernel import clock

NY = "America/New_York"
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


def now() -> datetime:
    """The current instant (aware, UTC), from the product's one clock."""
    return clock.now()


def from_now(**delta: float) -> datetime:
    """An aware UTC instant `delta` ahead (or behind, with negative values), to the second."""
    return (now() + timedelta(**delta)).replace(microsecond=0)


def at(hours: float) -> str:
    """An instant `hours` from now (or ago, if negative), as ISO text with its offset."""
    return (now() + timedelta(hours=hours)).isoformat()


def on_the_hour(**delta: float) -> datetime:
    """Like from_now, rounded down to the hour (still at least `delta` minus an hour away)."""
    return from_now(**delta).replace(minute=0, second=0)


def today(tz: str = NY, days: int = 0) -> date:
    """The local date in `tz`, `days` later."""
    return (now().astimezone(ZoneInfo(tz)) + timedelta(days=days)).date()


def local_start(weeks_from_now: float, hour: int = 18, minute: int = 30, tz: str = NY,
                weekday: int | None = TUESDAY) -> datetime:
    """A naive wall-clock time on `weekday` (a Tuesday unless told; any day with None) at
    hour:minute in `tz`.

    For `weeks_from_now` >= 0, the first such time at least that far ahead (so at most a
    week later than asked); for a negative value, the last such time at least that far back.
    """
    zone = ZoneInfo(tz)
    target = now() + timedelta(weeks=weeks_from_now)
    step = timedelta(days=1) if weeks_from_now >= 0 else timedelta(days=-1)
    day = target.astimezone(zone).date() - step
    for _ in range(16):
        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        ahead = candidate > target if weeks_from_now >= 0 else candidate <= target
        if weekday in (None, day.weekday()) and ahead:
            return candidate.replace(tzinfo=None)
        day += step
    raise AssertionError("unreachable: a weekday recurs within a week")


def next_week(weekday: int, tz: str = NY) -> datetime:
    """Midnight (aware, in `tz`) of `weekday` in the calendar week after this one (weeks start on Monday)."""
    local_today = today(tz)
    day = local_today + timedelta(days=7 - local_today.weekday() + weekday)
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))


def same_week(a: date, b: date) -> bool:
    """Whether two dates fall in one Monday-to-Sunday week."""
    return a - timedelta(days=a.weekday()) == b - timedelta(days=b.weekday())


def before_a_dst_change(tz: str = NY, weeks_before: int = 3) -> datetime:
    """A naive Tuesday 18:30 in `tz`, about `weeks_before` weeks before its next clock change
    (and after today), so that a dozen weekly sessions from it always cross the change."""
    zone = ZoneInfo(tz)
    local_today = today(tz)
    day, offset = local_today + timedelta(days=8), None
    while True:
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
        if offset is not None and noon.utcoffset() != offset:
            break
        offset, day = noon.utcoffset(), day + timedelta(days=1)
    first = max(local_today + timedelta(days=1), day - timedelta(weeks=weeks_before))
    tuesday = first + timedelta(days=(TUESDAY - first.weekday()) % 7)
    return datetime(tuesday.year, tuesday.month, tuesday.day, 18, 30)


def quiet_hours_around_now() -> dict[str, str]:
    """Quiet hours (for a reader in UTC) covering every minute of the day but the one two
    minutes ago, so that now, and the next 23 hours, are surely inside them."""
    instant = now()
    return {"quiet_hours_start": (instant - timedelta(minutes=1)).strftime("%H:%M"),
            "quiet_hours_end": (instant - timedelta(minutes=2)).strftime("%H:%M")}


def weekly_hours(tz: str = NY, opens_in_hours: float = -1, closes_in_hours: float = 1) -> dict[str, str]:
    """An HSDS weekly schedule on today's weekday in `tz`, opening and closing that many hours
    from now (negative: ago), as wall-clock times (a span over midnight wraps, as hours do)."""
    local = now().astimezone(ZoneInfo(tz))
    day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[local.weekday()]
    opens, closes = local + timedelta(hours=opens_in_hours), local + timedelta(hours=closes_in_hours)
    return {"freq": "WEEKLY", "byday": day, "opens_at": opens.strftime("%H:%M:00"),
            "closes_at": closes.strftime("%H:%M:00")}
