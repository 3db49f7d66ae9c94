"""Recurrence expansion: wall-clock stability across DST, horizons, validation, wording, splits."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from coord.sessions.recurrence import (
    DEFAULT_HORIZON,
    MAX_OCCURRENCES,
    RecurrenceError,
    SeriesRule,
    describe,
    is_finite,
    materialize_window,
    occurrences,
    parse_rule,
    split_rule,
)

UTC = timezone.utc
FAR = datetime(2100, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
NY = "America/New_York"


def local(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz))


def offsets(items, tz):
    """The distinct UTC offsets in order of appearance, collapsing repeats."""
    seen = []
    for start, _ in items:
        off = local(start, tz).utcoffset()
        if not seen or seen[-1] != off:
            seen.append(off)
    return seen


# --- wall-clock stability across daylight-saving changes ---------------------------------


def test_new_york_weekly_keeps_1830_across_november_change():
    rule = parse_rule(datetime(2026, 10, 20, 18, 30), NY, "FREQ=WEEKLY;BYDAY=TU;COUNT=12", timedelta(minutes=90))
    items = occurrences(rule, until=FAR)
    assert len(items) == 12
    assert all(local(s, NY).strftime("%a %H:%M") == "Tue 18:30" for s, _ in items)
    assert all(s.tzinfo == UTC and e.tzinfo == UTC for s, e in items)
    # Before Nov 1 New York is UTC-4, after it UTC-5: the UTC time moves, the local one doesn't.
    assert [s.strftime("%m-%d %H:%MZ") for s, _ in items[:3]] == ["10-20 22:30Z", "10-27 22:30Z", "11-03 23:30Z"]
    assert all(s.strftime("%H:%M") == "23:30" for s, _ in items[2:])
    assert all(local(e, NY).strftime("%H:%M") == "20:00" for _, e in items)


@pytest.mark.parametrize(
    ("tz", "start", "utc_hours"),
    [
        # Europe/London: GMT -> BST (Mar 29) -> GMT (Oct 25)
        ("Europe/London", datetime(2026, 1, 5, 19, 0), ["19:00", "18:00", "19:00"]),
        # Australia/Sydney (southern hemisphere): AEDT -> AEST (Apr 5) -> AEDT (Oct 4)
        ("Australia/Sydney", datetime(2026, 1, 6, 18, 30), ["07:30", "08:30", "07:30"]),
    ],
)
def test_wall_clock_stable_across_both_changes_of_a_year(tz, start, utc_hours):
    rule = parse_rule(start, tz, "FREQ=WEEKLY;COUNT=52", timedelta(hours=2))
    items = occurrences(rule, until=FAR)
    assert len(items) == 52
    assert {local(s, tz).strftime("%H:%M") for s, _ in items} == {start.strftime("%H:%M")}
    assert len(offsets(items, tz)) == 3  # both changes are crossed
    runs = [items[0][0].strftime("%H:%M")]
    for s, _ in items[1:]:
        if s.strftime("%H:%M") != runs[-1]:
            runs.append(s.strftime("%H:%M"))
    assert runs == utc_hours
    assert all(local(e, tz) - local(s, tz) == timedelta(hours=2) for s, e in items)


def test_occurrence_in_dst_gap_is_shifted_forward_by_the_gap():
    rule = parse_rule(datetime(2026, 3, 7, 2, 30), NY, "FREQ=DAILY;COUNT=3", timedelta(minutes=45))
    items = occurrences(rule, until=FAR)
    walls = [local(s, NY).strftime("%m-%d %H:%M") for s, _ in items]
    assert walls == ["03-07 02:30", "03-08 03:30", "03-09 02:30"]  # 02:30 does not exist on Mar 8
    assert local(items[1][1], NY).strftime("%H:%M") == "04:15"


def test_ambiguous_fall_back_start_uses_first_instance():
    rule = parse_rule(datetime(2026, 11, 1, 1, 30), NY, "FREQ=DAILY;COUNT=2", timedelta(minutes=30))
    first, _ = occurrences(rule, until=FAR)[0]
    assert first == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not EST


# --- rule shapes -------------------------------------------------------------------------


def test_monthly_first_wednesday():
    rule = parse_rule(datetime(2026, 11, 4, 19, 0), "Europe/Berlin", "FREQ=MONTHLY;BYDAY=1WE;COUNT=8", HOUR)
    starts = [local(s, "Europe/Berlin") for s, _ in occurrences(rule, until=FAR)]
    assert [d.month for d in starts] == [11, 12, 1, 2, 3, 4, 5, 6]
    assert all(d.weekday() == 2 and d.day <= 7 and d.strftime("%H:%M") == "19:00" for d in starts)


def test_monthly_last_friday():
    rule = parse_rule(datetime(2026, 10, 30, 18, 0), "Europe/Berlin", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4", HOUR)
    starts = [local(s, "Europe/Berlin") for s, _ in occurrences(rule, until=FAR)]
    assert [d.date().isoformat() for d in starts] == ["2026-10-30", "2026-11-27", "2026-12-25", "2027-01-29"]


def test_interval_two_weeks():
    rule = parse_rule(datetime(2026, 10, 19, 10, 0), "Europe/London", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=6", HOUR)
    days = [local(s, "Europe/London").date().isoformat() for s, _ in occurrences(rule, until=FAR)]
    assert days == ["2026-10-19", "2026-10-22", "2026-11-02", "2026-11-05", "2026-11-16", "2026-11-19"]


@pytest.mark.parametrize(
    ("until", "last"),
    [
        ("20261124T233000Z", "2026-11-24"),  # UTC form, exactly the last start (inclusive)
        ("20261124T232959Z", "2026-11-17"),  # one second earlier excludes it
        ("20261124", "2026-11-24"),  # date form: through the end of that local day
        ("20261124T183000", "2026-11-24"),  # floating local form
        ("20261123", "2026-11-17"),
    ],
)
def test_until_forms(until, last):
    rule = parse_rule(datetime(2026, 10, 20, 18, 30), NY, f"FREQ=WEEKLY;BYDAY=TU;UNTIL={until}", HOUR)
    items = occurrences(rule, until=FAR)
    assert local(items[-1][0], NY).date().isoformat() == last
    assert local(items[0][0], NY).date().isoformat() == "2026-10-20"
    assert is_finite(rule)
    assert rule.rrule.endswith("Z")  # stored in RFC 5545's UTC form beside a TZID start


def test_rrule_prefix_accepted_and_rule_canonicalized():
    rule = parse_rule(datetime(2026, 10, 20, 18, 30), NY, " RRULE:freq=weekly;byday=tu;until=20261231 ", HOUR)
    assert rule.rrule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270101T045959Z"


# --- rolling horizon ---------------------------------------------------------------------

OPEN = parse_rule(datetime(2026, 10, 20, 18, 30), NY, "FREQ=WEEKLY;BYDAY=TU", timedelta(hours=1))


def test_open_ended_rule_materializes_only_within_horizon():
    assert not is_finite(OPEN)
    now = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    items = materialize_window(OPEN, after=None, horizon_end=now + DEFAULT_HORIZON)
    assert len(items) == 26
    assert all(s < now + DEFAULT_HORIZON for s, _ in items)


def test_window_continues_from_last_start_even_when_horizon_hits_a_start_exactly():
    first = materialize_window(OPEN, after=None, horizon_end=datetime(2026, 11, 3, 23, 30, tzinfo=UTC))
    assert first[-1][0] == datetime(2026, 10, 27, 22, 30, tzinfo=UTC)  # exclusive horizon
    second = materialize_window(OPEN, after=first[-1][0], horizon_end=datetime(2026, 11, 18, tzinfo=UTC))
    assert [s.date().isoformat() for s, _ in second] == ["2026-11-03", "2026-11-10", "2026-11-17"]


RULES = [
    OPEN,
    parse_rule(datetime(2026, 3, 1, 9, 0), "Australia/Sydney", "FREQ=DAILY;INTERVAL=3", HOUR),
    parse_rule(datetime(2026, 1, 7, 19, 0), "Europe/London", "FREQ=MONTHLY;BYDAY=1WE,-1FR", HOUR),
]


@settings(max_examples=60, deadline=None, database=None)
@given(
    rule=st.sampled_from(RULES),
    cuts=st.lists(st.integers(min_value=0, max_value=500 * 24 * 60), max_size=8),
)
def test_concatenated_windows_equal_one_big_window(rule, cuts):
    base = datetime(2026, 1, 1, tzinfo=UTC)
    end = base + timedelta(days=500)
    expected = materialize_window(rule, after=None, horizon_end=end)
    got, after = [], None
    for horizon in [base + timedelta(minutes=m) for m in sorted(cuts)] + [end]:
        window = materialize_window(rule, after=after, horizon_end=horizon)
        got += window
        after = window[-1][0] if window else after
    assert got == expected


def test_aware_datetimes_required_for_bounds():
    with pytest.raises(ValueError):
        occurrences(OPEN, until=datetime(2027, 1, 1))


# --- validation --------------------------------------------------------------------------

START = datetime(2026, 10, 20, 18, 30)


@pytest.mark.parametrize(
    ("start", "tz", "rrule", "duration", "field", "words"),
    [
        (START, NY, "hello world", HOUR, "rrule", "not a valid rule"),
        (START, NY, "FREQ=WEEKLY;BYDAY=XX", HOUR, "rrule", "XX is not a weekday"),
        (START, NY, "FREQ=HOURLY;COUNT=3", HOUR, "rrule", "FREQ=HOURLY is not supported"),
        (START, NY, "FREQ=WEEKLY;COUNT=5000", HOUR, "rrule", "COUNT=5000 is too many"),
        (START, NY, "FREQ=WEEKLY;UNTIL=20250101T000000Z", HOUR, "rrule", "before the first session"),
        (START, NY, "FREQ=WEEKLY;UNTIL=20991231", HOUR, "rrule", f"more than {MAX_OCCURRENCES} sessions"),
        (START, NY, "FREQ=WEEKLY;COUNT=3;UNTIL=20261231", HOUR, "rrule", "COUNT or UNTIL, not both"),
        (START, NY, "FREQ=WEEKLY;INTERVAL=0", HOUR, "rrule", "INTERVAL must be"),
        (START, NY, "FREQ=WEEKLY;UNTIL=2026-12-31", HOUR, "rrule", "UNTIL=2026-12-31 is not a usable date"),
        (START, NY, "DTSTART:20261020T183000\nRRULE:FREQ=WEEKLY", HOUR, "rrule", "Remove DTSTART"),
        (START, NY, "FREQ=WEEKLY;FOO=1", HOUR, "rrule", "FOO is not a part a rule can have"),
        (START, NY, "FREQ=MONTHLY;BYSETPOS=0", HOUR, "rrule", "BYSETPOS=0 is not a value it can take"),
        (START, NY, "FREQ=WEEKLY;WKST=XX", HOUR, "rrule", "WKST=XX is not a value it can take"),
        (START, NY, "FREQ=YEARLY;BYMONTHDAY=abc", HOUR, "rrule", "BYMONTHDAY=ABC is not a value it can take"),
        (START, NY, "BYDAY=TU", HOUR, "rrule", "it needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
        (START, NY, "FREQ=FORTNIGHTLY", HOUR, "rrule", "it needs FREQ=DAILY"),
        (START, NY, "", HOUR, "rrule", "it needs FREQ"),
        (START, NY, "FREQ=WEEKLY\nEXDATE:20261027T183000", HOUR, "rrule", "not a valid rule"),
        (START, "Mars/Olympus", "FREQ=WEEKLY", HOUR, "timezone", "'Mars/Olympus' is not a known timezone"),
        (START, "", "FREQ=WEEKLY", HOUR, "timezone", "not a known timezone"),
        (datetime(2026, 3, 8, 2, 30), NY, "FREQ=WEEKLY", HOUR, "start",
         "02:30 on 2026-03-08 does not exist in America/New_York (clocks jump forward)"),
        (START.replace(tzinfo=UTC), NY, "FREQ=WEEKLY", HOUR, "start", "without a UTC offset"),
        (START, NY, "FREQ=WEEKLY;BYDAY=WE", HOUR, "start", "not on a day"),
        (START, NY, "FREQ=WEEKLY", timedelta(0), "duration", "between 5 minutes and 24 hours"),
        (START, NY, "FREQ=WEEKLY", timedelta(hours=25), "duration", "between 5 minutes and 24 hours"),
    ],
)
def test_errors_name_the_field_and_problem(start, tz, rrule, duration, field, words):
    with pytest.raises(RecurrenceError) as info:
        parse_rule(start, tz, rrule, duration)
    assert info.value.field == field
    assert words in info.value.message
    assert str(info.value) == info.value.message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(("lang", "words"), [("es", "BYSETPOS=0 no es un valor que pueda tener"),
                                             ("ar", "BYSETPOS=0 ليست قيمة يمكن أن يأخذها")])
def test_a_rule_dateutil_refuses_is_explained_in_the_readers_language(lang, words):
    """dateutil's own words ("bysetpos must be between 1 and 366...") are English: never shown."""
    from coord import i18n

    token = i18n.ACTIVE.set(i18n.Choice(accept=lang))
    try:
        with pytest.raises(RecurrenceError) as info:
            parse_rule(START, NY, "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=0", HOUR)
    finally:
        i18n.ACTIVE.reset(token)
    assert words in info.value.message and "between" not in info.value.message, info.value.message


def test_limits_are_inclusive():
    assert len(occurrences(parse_rule(START, NY, "FREQ=DAILY;COUNT=1000", HOUR), until=FAR)) == MAX_OCCURRENCES
    parse_rule(START, NY, "FREQ=DAILY", timedelta(minutes=5))
    parse_rule(START, NY, "FREQ=DAILY", timedelta(hours=24))


# --- describe ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "tz", "rrule", "text"),
    [
        (START, NY, "FREQ=WEEKLY;BYDAY=TU;COUNT=12", "every Tuesday at 18:30, 12 times, America/New_York"),
        (datetime(2026, 10, 19, 10, 0), "Europe/London", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,MO;UNTIL=20270131",
         "every 2 weeks on Monday and Thursday at 10:00 until 2027-01-31, Europe/London"),
        (datetime(2026, 11, 4, 19, 0), "Europe/Berlin", "FREQ=MONTHLY;BYDAY=1WE",
         "on the first Wednesday of every month at 19:00, until further notice, Europe/Berlin"),
        (datetime(2026, 10, 30, 18, 0), "Europe/Berlin", "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;COUNT=1",
         "on the last Friday of every 2 months at 18:00, once, Europe/Berlin"),
        (datetime(2026, 10, 15, 12, 0), "UTC", "FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20261231T235959Z",
         "on the 15th of every month at 12:00 until 2026-12-31, UTC"),
        (datetime(2026, 10, 20, 9, 0), "Asia/Tokyo", "FREQ=DAILY;COUNT=5", "every day at 09:00, 5 times, Asia/Tokyo"),
        (datetime(2026, 10, 20, 9, 0), "Asia/Tokyo", "FREQ=DAILY;INTERVAL=3", "every 3 days at 09:00, until further notice, Asia/Tokyo"),
        (START, NY, "FREQ=WEEKLY", "every Tuesday at 18:30, until further notice, America/New_York"),
        (datetime(2026, 3, 1, 9, 0), NY, "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1",  # unusual: raw rule
         "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1 from 2026-03-01 09:00, America/New_York"),
    ],
)
def test_describe(start, tz, rrule, text):
    assert describe(parse_rule(start, tz, rrule, HOUR)) == text


# --- split ("this and all following") ----------------------------------------------------

SPLITTABLE = [
    parse_rule(START, NY, "FREQ=WEEKLY;BYDAY=TU;COUNT=12", HOUR),
    parse_rule(START, NY, "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270131", HOUR),
    parse_rule(datetime(2026, 10, 19, 10, 0), "Europe/London", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=15", HOUR),
    parse_rule(datetime(2026, 1, 7, 19, 0), "Australia/Sydney", "FREQ=MONTHLY;BYDAY=1WE,3WE;UNTIL=20270101", HOUR),
]


@settings(max_examples=60, deadline=None, database=None)
@given(rule=st.sampled_from(SPLITTABLE), data=st.data())
def test_split_keeps_every_occurrence_exactly_once(rule, data):
    original = occurrences(rule, until=FAR)
    index = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
    at = local(original[index][0], rule.timezone).replace(tzinfo=None)
    old_rrule, new_rule = split_rule(rule, at)
    old = occurrences(SeriesRule(rule.start, rule.timezone, old_rrule, rule.duration), until=FAR)
    new = occurrences(new_rule, until=FAR)
    assert len(old) == index and len(old) + len(new) == len(original)
    assert old + new == original
    assert "COUNT" not in old_rrule and "UNTIL=" in old_rrule
    assert new_rule.start == at and is_finite(new_rule)


def test_split_count_and_until_details():
    old, new = split_rule(SPLITTABLE[0], datetime(2026, 11, 10, 18, 30))
    assert old == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261103T233000Z"
    assert new.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=9"
    _, new = split_rule(SPLITTABLE[1], datetime(2026, 11, 10, 18, 30))
    assert new.rrule == SPLITTABLE[1].rrule


def test_split_at_non_occurrence_is_rejected():
    with pytest.raises(RecurrenceError) as info:
        split_rule(SPLITTABLE[0], datetime(2026, 11, 11, 18, 30))
    assert info.value.field == "start" and "not a session of this series" in info.value.message
    with pytest.raises(RecurrenceError):
        split_rule(SPLITTABLE[0], datetime(2027, 6, 1, 18, 30))  # after the last one
