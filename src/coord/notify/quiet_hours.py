"""Quiet hours in the recipient's own timezone: non-urgent messages wait for morning."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from coord.kernel import clock

# A message about something this close to its start goes at once, quiet hours or not:
# waiting for morning would deliver it after the start.
URGENT_WITHIN = timedelta(hours=12)


def starts_soon(starts_at: datetime, now: datetime | None = None) -> bool:
    return starts_at - (now or clock.now()) < URGENT_WITHIN


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    if start == end:
        return False  # no quiet hours
    if start < end:  # e.g. 13:00-15:00
        return start <= local < end
    return local >= start or local < end  # spans midnight, e.g. 21:00-08:00


def release_time(now: datetime, tz: str, start: time, end: time) -> datetime:
    """When a non-urgent message may go out: `now`, or the end of the quiet hours."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    if not in_quiet_hours(local.time(), start, end):
        return now
    day = local.date()
    if local.time() >= end:  # evening: quiet hours end tomorrow
        day += timedelta(days=1)
    # Wall-clock end of quiet hours; a time skipped by DST resolves forward via UTC.
    release = datetime.combine(day, end, tzinfo=zone)
    return release.astimezone(timezone.utc)
