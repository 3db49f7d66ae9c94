"""The one clock of coord: every business decision about "now" reads it here.

Python: call `now()` (an aware UTC instant) or `today_in(tz)`; never datetime.now,
date.today, datetime.utcnow or time.time (tests/kernel/test_clock.py checks). Durations
measured for caches and timeouts use time.monotonic, which is not a wall clock.

SQL, one rule: every decision a statement makes about "now" (upcoming or not, ended,
past a cutoff, past retention) compares with an instant passed as a parameter,
`s.starts_at > $2` with `clock.now()`, never with the database's now(); so the API,
the worker and the database cannot disagree when a clock is skewed or faked. The
database's now() only stamps bookkeeping it writes (updated_at, sent_at,
cancelled_at, ...) and measures such stamps against each other (the outbox lag in
coord.health.metrics): both ends on the database's clock.

Tests move the clock with `shifted(timedelta)`, for the whole process, without sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
_offset = timedelta(0)  # for tests only: see shifted()


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC) + _offset


def today_in(tz: str) -> date:
    """Today's date in timezone `tz` (an IANA name)."""
    return now().astimezone(ZoneInfo(tz)).date()


@contextmanager
def shifted(by: timedelta) -> Iterator[None]:
    """For tests: the clock runs `by` ahead (behind, if negative) inside the block."""
    global _offset
    before = _offset
    _offset = before + by
    try:
        yield
    finally:
        _offset = before
