"""Series in plain words, for people scheduling them: the RRULE a form's choices mean,
the rule said back in words, and the dates it gives. Pure: no I/O, no database.

The words come from recurrence.describe (the same text the API returns), and the
dates from recurrence.occurrences (the same expansion the service materializes).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Literal

from coord.sessions.recurrence import DEFAULT_HORIZON, SeriesRule, describe, is_finite, occurrences

Repeat = Literal["weekly", "biweekly", "monthly", "daily"]
REPEATS: dict[str, str] = {
    "weekly": "Every week",
    "biweekly": "Every two weeks",
    "monthly": "Every month on the same weekday (e.g. 2nd Tuesday)",
    "daily": "Every day",
}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FAR = datetime(9000, 1, 1, tzinfo=timezone.utc)


def weekday_code(day: date) -> str:
    """MO..SU for a date."""
    return WEEKDAYS[day.weekday()]


def monthly_weekday(day: date) -> str:
    """The BYDAY of "the same weekday each month": 2TU for the 2nd Tuesday; a 5th
    weekday (which not every month has) is read as the last one, -1TU."""
    nth = (day.day - 1) // 7 + 1
    return f"{-1 if nth == 5 else nth}{weekday_code(day)}"


def rrule_from_choices(repeat: Repeat, first_day: date, weekdays: list[str] | None = None, *,
                       count: int | None = None, until: date | None = None) -> str:
    """The RRULE a scheduling form's choices mean. `weekdays` (MO..SU) apply to weekly
    and biweekly; they default to the first day's weekday. Give `count` or `until`."""
    if repeat == "daily":
        parts = ["FREQ=DAILY"]
    elif repeat == "monthly":
        parts = ["FREQ=MONTHLY", f"BYDAY={monthly_weekday(first_day)}"]
    elif repeat in ("weekly", "biweekly"):
        chosen = set(weekdays or ()) or {weekday_code(first_day)}
        days = ",".join(d for d in WEEKDAYS if d in chosen)  # calendar order
        parts = ["FREQ=WEEKLY"] + (["INTERVAL=2"] if repeat == "biweekly" else []) + [f"BYDAY={days}"]
    else:
        raise ValueError(f"unknown repeat choice {repeat!r}")
    if count is not None:
        parts.append(f"COUNT={count}")
    elif until is not None:
        parts.append(f"UNTIL={until:%Y%m%d}")  # through the end of that local day
    return ";".join(parts)


def rule_in_words(rule: SeriesRule) -> str:
    """"Every Tuesday at 18:30, 12 times, America/New_York"."""
    text = describe(rule)
    return text[:1].upper() + text[1:]


def series_dates(rule: SeriesRule, *, now: datetime) -> list[tuple[datetime, datetime]]:
    """Every (starts_at, ends_at) of the series in UTC; an endless rule up to the
    rolling horizon the service materializes."""
    return occurrences(rule, until=_FAR if is_finite(rule) else now + DEFAULT_HORIZON)


def created_now(dates: list[tuple[datetime, datetime]], *, now: datetime) -> int:
    """How many of the dates the service creates as sessions right away (the rest
    follow as the rolling horizon moves on)."""
    horizon_end = now + DEFAULT_HORIZON
    return sum(1 for start, _ in dates if start < horizon_end)


def horizon_weeks() -> int:
    return DEFAULT_HORIZON // timedelta(weeks=1)
