"""The resource benchmark's directory is open at the run's "now" as it would be on a Wednesday
at noon, whatever the hour and day of the run (bench/cases/resources.py, hours_as_if)."""

from datetime import datetime, timedelta

from hypothesis import given, strategies as st

from bench.cases.resources import DAYS, MINUTE_OF_WEEK, WEEKDAYS, hours_as_if

WEDNESDAY_NOON = datetime(2026, 12, 2, 12, 0)


def open_at(days: str, opens: str, closes: str, at: datetime) -> bool:
    """coord's rule (migration 0034, coord_refresh_open_week): on a listed day, open from
    opens_at up to closes_at; when the end is not after the start, from opens_at to midnight
    and from midnight up to closes_at."""
    o, c = (int(t[:2]) * 60 + int(t[3:5]) for t in (opens, closes))
    minute = at.hour * 60 + at.minute
    if at.weekday() not in {WEEKDAYS.index(day) for day in days.split(",")}:
        return False
    return o <= minute < c if o < c else minute >= o or minute < c


def test_the_reference_instant_is_a_wednesday_noon():
    assert WEDNESDAY_NOON.weekday() * 1440 + 12 * 60 == MINUTE_OF_WEEK
    assert hours_as_if("MO,WE", 9, 17, WEDNESDAY_NOON) == ("MO,WE", "09:00:00", "17:00:00")


@given(
    days=st.sampled_from(DAYS),
    opens=st.integers(7, 11),
    length=st.integers(8, 13),
    now=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
        lambda t: t.replace(second=0, microsecond=0)),
    later=st.integers(-24 * 60, 24 * 60),
)
def test_moved_hours_are_open_at_now_and_around_it_as_the_written_ones_at_wednesday_noon(days, opens, length, now, later):
    closes = min(opens + length, 23)
    moved = hours_as_if(days, opens, closes, now)
    written = (days, f"{opens:02d}:00:00", f"{closes:02d}:00:00")
    at = now + timedelta(minutes=later)
    if at.date() != now.date():  # the promise holds through the day of `now` (a run lasts minutes)
        return
    # On that Wednesday, as far from noon (around the clock: the written hours never wrap).
    wednesday = WEDNESDAY_NOON.replace(hour=0) + timedelta(minutes=(12 * 60 + later) % 1440)
    assert open_at(*moved, at) == open_at(*written, wednesday)


def test_at_a_sunday_night_about_as_many_are_open_as_on_a_wednesday_noon():
    sunday_night = datetime(2026, 12, 6, 4, 0)
    hours = [(DAYS[i % len(DAYS)], 7 + i % 5, min(7 + i % 5 + 8 + i % 6, 23)) for i in range(300)]
    at_noon = sum(open_at(d, f"{o:02d}:00:00", f"{c:02d}:00:00", WEDNESDAY_NOON) for d, o, c in hours)
    moved = sum(open_at(*hours_as_if(d, o, c, sunday_night), sunday_night) for d, o, c in hours)
    assert moved == at_noon > 100
