"""coord.calendar: VTIMEZONEs and series that real clients read right.

Truth is zoneinfo (what the database holds). Each rendered calendar is read back by
three independent parsers and every occurrence's UTC instant must match:
  ical.js (Thunderbird)      node tests/ics_parsers/expand.mjs   (npm ci in tests/ics_parsers)
  libical (Evolution)        /usr/bin/python3 tests/ics_parsers/libical_expand.py
                             (apt-get install python3-gi gir1.2-ical-3.0)
  recurring-ical-events      in-process (pip install recurring-ical-events)
A parser that is not installed skips its tests with the reason; set
COORD_REQUIRE_ICS_PARSERS=1 (CI) to turn those skips into failures. The parsers are
driven from tests/support/calendars.py. No database: plain functions only.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from coord.calendar import CalEvent, Calendar, Moved, render_calendar, series_events, transitions, vtimezone
from coord.calendar.vtimezone import _vtimezone_for_years
from coord.sessions.recurrence import occurrences, parse_rule
from tests.support.calendars import EXPANDERS, OFFSET_READERS, expand, iso_utc, libical, offsets

UTC = timezone.utc
ZONES = ["America/New_York", "Europe/London", "Europe/Berlin", "Australia/Sydney", "America/Sao_Paulo", "Asia/Kolkata"]
FIRST = datetime(2026, 1, 6, 18, 30)  # a Tuesday
WEEKS, CANCELLED_WEEK, MOVED_WEEK = 60, 9, 42  # 2026-03-10 and 2026-10-27 (between EU and US fall-back)
MOVED_TO = datetime(2026, 10, 28, 19, 0)
DURATION = timedelta(minutes=90)
STAMP = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
ORGANIZER = "mailto:coordinator@example.org"


# ---------------------------------------------------------------- the series under test


def _rule(tzid: str) -> str:
    # Half the zones end by COUNT, half by a floating local UNTIL (rendered in UTC).
    return "FREQ=WEEKLY;BYDAY=TU;COUNT=60" if ZONES.index(tzid) % 2 else "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270223T183000"


def _week(tzid: str, n: int) -> datetime:
    return (FIRST + timedelta(weeks=n)).replace(tzinfo=ZoneInfo(tzid)).astimezone(UTC)


def expected(tzid: str) -> list[dict]:
    zone, out = ZoneInfo(tzid), []
    for n in range(WEEKS):
        if n == CANCELLED_WEEK:
            continue
        rid = _week(tzid, n)
        start = rid if n != MOVED_WEEK else MOVED_TO.replace(tzinfo=zone).astimezone(UTC)
        end = (start.astimezone(zone).replace(tzinfo=None) + DURATION).replace(tzinfo=zone)
        out.append({"uid": f"series-{tzid}@coord", "recurrence_id": iso_utc(rid), "start": iso_utc(start), "end": iso_utc(end)})
    return out


def series_ics(tzid: str) -> bytes:
    zone = ZoneInfo(tzid)
    moved = Moved(original_start=_week(tzid, MOVED_WEEK), start=MOVED_TO.replace(tzinfo=zone),
                  end=(MOVED_TO + DURATION).replace(tzinfo=zone), sequence=3)
    events = series_events(uid=f"series-{tzid}@coord", rrule=_rule(tzid), first_start=FIRST, tzid=tzid,
                           duration=DURATION, summary="Tuesday group", dtstamp=STAMP, sequence=2,
                           cancelled=[_week(tzid, CANCELLED_WEEK)], moved=[moved], location="Room 2")
    return render_calendar(Calendar(name="Tuesday group", events=tuple(events)))


def _key(o: dict) -> tuple:
    return (o["recurrence_id"] or o["start"], o["start"], o["end"])


@pytest.mark.parametrize("tzid", ZONES)
def test_expected_matches_session_engine(tzid):
    """The test's truth is the same as what sessions/recurrence materializes."""
    rule = parse_rule(FIRST, tzid, _rule(tzid), DURATION)
    starts = [s for s, _ in occurrences(rule, until=datetime(2028, 1, 1, tzinfo=UTC))]
    assert [iso_utc(s) for s in starts] == [iso_utc(_week(tzid, n)) for n in range(WEEKS)]


@pytest.mark.parametrize("parser", EXPANDERS)
@pytest.mark.parametrize("tzid", ZONES)
def test_series_instants_in_independent_parsers(tzid, parser):
    got = sorted(({k: o[k] for k in ("uid", "recurrence_id", "start", "end")} for o in expand(parser, series_ics(tzid))), key=_key)
    want = sorted(expected(tzid), key=_key)
    assert len(got) == WEEKS - 1
    assert [o["start"] for o in got] == [o["start"] for o in want]
    assert got == want


# ---------------------------------------------------------------- the VTIMEZONE itself


def _true_transitions(tzid: str, year_from: int, year_to: int) -> list[datetime]:
    """Independent of vtimezone.py: scan zoneinfo in 15-minute steps."""
    zone, found = ZoneInfo(tzid), []
    moment, stop = datetime(year_from, 1, 1, tzinfo=UTC), datetime(year_to + 1, 1, 1, tzinfo=UTC)
    before = moment.astimezone(zone).utcoffset()
    while moment < stop:
        moment += timedelta(minutes=15)
        now = moment.astimezone(zone).utcoffset()
        if now != before:
            found.append(moment)
            before = now
    return found


def _probes(tzid: str, year_from: int, year_to: int) -> tuple[list[datetime], list[datetime]]:
    zone = ZoneInfo(tzid)
    utc, local = [], []
    for t in _true_transitions(tzid, year_from, year_to):
        utc += [t - timedelta(minutes=1), t - timedelta(seconds=1), t, t + timedelta(minutes=1)]
        local += [(t - timedelta(minutes=90)).astimezone(zone).replace(tzinfo=None),
                  (t + timedelta(minutes=90)).astimezone(zone).replace(tzinfo=None)]
    for year in range(year_from, year_to + 1):  # and mid-month everywhere: no phantom DST
        for month in range(1, 13):
            utc.append(datetime(year, month, 15, 12, tzinfo=UTC))
            local.append(datetime(year, month, 15, 12))
    return utc, local


def _check_offsets(parser: str, ics: bytes, tzid: str, year_from: int, year_to: int) -> None:
    zone = ZoneInfo(tzid)
    utc, local = _probes(tzid, year_from, year_to)
    got = offsets(parser, ics, tzid, utc, local)
    want_utc = [{"offset": int(u.astimezone(zone).utcoffset().total_seconds()),
                 "local": f"{u.astimezone(zone):%Y-%m-%dT%H:%M:%S}"} for u in utc]
    want_local = [iso_utc(w.replace(tzinfo=zone)) for w in local]
    assert list(zip([iso_utc(u) for u in utc], got["from_utc"])) == list(zip([iso_utc(u) for u in utc], want_utc))
    assert list(zip(local, got["from_local"])) == list(zip(local, want_local))


@pytest.mark.parametrize("parser", OFFSET_READERS)
@pytest.mark.parametrize("tzid", ZONES)
def test_vtimezone_offsets_around_2026_2027_transitions(tzid, parser):
    _check_offsets(parser, series_ics(tzid), tzid, 2026, 2027)


def _single_event_ics(tzid: str, start: datetime, end: datetime) -> bytes:
    zone = ZoneInfo(tzid)
    event = CalEvent(uid="one@coord", dtstamp=STAMP, start=start.replace(tzinfo=zone),
                     end=end.replace(tzinfo=zone), tzid=tzid, summary="x")
    return render_calendar(Calendar(name="x", events=(event,)))


@pytest.mark.parametrize("parser", OFFSET_READERS)
@pytest.mark.parametrize("tzid, year_from, year_to", [("Asia/Tehran", 2019, 2022), ("America/Sao_Paulo", 2017, 2020),
                                                       ("Africa/Casablanca", 2023, 2026)])
def test_irregular_transitions_with_rdates(tzid, year_from, year_to, parser):
    """Zones whose changes follow no weekday rule go out as one RDATE per line."""
    ics = _single_event_ics(tzid, datetime(year_from + 1, 1, 1, 12), datetime(year_to - 1, 12, 31, 12))
    assert re.search(rb"\r\nRDATE:\d{8}T\d{6}\r\n", ics)
    _check_offsets(parser, ics, tzid, year_from, year_to)


@pytest.mark.parametrize("parser", EXPANDERS[:2] + EXPANDERS[3:])
def test_parsers_catch_a_broken_vtimezone(parser):
    """Negative control: without its yearly RRULEs, London has no summer time in
    2026, and every parser that reads our VTIMEZONE must notice."""
    ics = series_ics("Europe/London")
    head, _, tail = ics.partition(b"END:VTIMEZONE")
    broken = re.sub(rb"RRULE:FREQ=YEARLY[^\r]*\r\n", b"", head) + b"END:VTIMEZONE" + tail
    got = {o["start"] for o in expand(parser, broken)}
    assert "2026-07-07T17:30:00Z" not in got and "2026-07-07T18:30:00Z" in got


def test_libical_restriction_check_is_live():
    """Control: libical's restriction checker does flag a broken iTIP message."""
    bad = series_ics("Europe/London").replace(b"CALSCALE:GREGORIAN\r\n", b"CALSCALE:GREGORIAN\r\nMETHOD:REQUEST\r\n")
    bad = re.sub(rb"DTSTAMP:[^\r]*\r\n", b"", bad)
    assert libical("expand", bad.decode())["errors"]


# ---------------------------------------------------------------- VTIMEZONE shape


def _vtz_text(tzid: str, start=datetime(2026, 1, 6), end=datetime(2027, 3, 1)) -> str:
    return vtimezone(tzid, start, end).to_ical().decode()


def test_onsets_are_local_time_before_the_change():
    ny, london = _vtz_text("America/New_York"), _vtz_text("Europe/London")
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20250309T020000\r\nRRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in ny
    assert "BEGIN:STANDARD\r\nDTSTART:20251102T020000\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in ny
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20250330T010000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in london
    assert "BEGIN:STANDARD\r\nDTSTART:20251026T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in london
    sydney = _vtz_text("Australia/Sydney")
    assert "DTSTART:20250406T030000\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4\r\nTZNAME:AEST" in sydney
    assert "DTSTART:20251005T020000\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=10\r\nTZNAME:AEDT" in sydney


def test_zones_without_dst_get_a_single_standard():
    for tzid, offset in [("Asia/Kolkata", "+0530"), ("America/Sao_Paulo", "-0300")]:
        text = _vtz_text(tzid)
        assert "DAYLIGHT" not in text and "RRULE" not in text and "RDATE" not in text
        assert text.count("BEGIN:STANDARD") == 1 and f"TZOFFSETFROM:{offset}" in text and f"TZOFFSETTO:{offset}" in text


def test_sao_paulo_history_ends_in_2019():
    text = _vtz_text("America/Sao_Paulo", datetime(2018, 1, 1), datetime(2027, 1, 1))
    assert "UNTIL=2019" in text  # the last rule stops with the 2019 abolition
    assert re.findall(r"DTSTART:(\d{4})", text) and max(re.findall(r"DTSTART:(\d{4})", text)) <= "2019"


def test_current_rules_are_open_ended_and_cached():
    transitions.cache_clear()
    _vtimezone_for_years.cache_clear()
    text = _vtz_text("Europe/Berlin")
    assert "UNTIL" not in text  # a never-ending series stays right in the far future
    assert _vtz_text("Europe/Berlin") == text
    assert _vtimezone_for_years.cache_info().hits >= 1  # the same years: the same component


# ---------------------------------------------------------------- rendering


def _event(**changes) -> CalEvent:
    zone = ZoneInfo("Europe/London")
    base = dict(uid="e1@coord", dtstamp=STAMP, start=datetime(2026, 3, 3, 18, 30, tzinfo=zone),
                end=datetime(2026, 3, 3, 20, tzinfo=zone), tzid="Europe/London", summary="Group", organizer=ORGANIZER)
    return CalEvent(**{**base, **changes})


def _unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def _lines(ics: bytes) -> list[bytes]:
    return ics.split(b"\r\n")


def test_crlf_everywhere_and_folding_at_75_octets():
    summary = "Grupo de apoyo entre pares — ansiedad y duelo, café incluido ☕🌱 " * 6
    ics = render_calendar(Calendar(name="Feed ünïcødé", events=(_event(summary=summary, description=summary),)))
    assert ics.endswith(b"\r\n") and b"\n" not in ics.replace(b"\r\n", b"") and b"\r" not in ics.replace(b"\r\n", b"")
    for line in _lines(ics):
        assert len(line) <= 75, line
        line.decode("utf-8")  # never split inside a UTF-8 character
    parsed = icalendar.Calendar.from_ical(ics)
    assert str(next(iter(parsed.walk("VEVENT")))["SUMMARY"]) == summary


def test_until_is_written_in_utc():
    for rule, want in [("FREQ=WEEKLY;UNTIL=20260630T183000", "UNTIL=20260630T173000Z"),
                       ("RRULE:FREQ=WEEKLY;UNTIL=20260630", "UNTIL=20260630T225959Z"),
                       ("FREQ=WEEKLY;UNTIL=20260630T173000Z", "UNTIL=20260630T173000Z")]:
        ics = render_calendar(Calendar(name="f", events=(_event(rrule=rule),))).decode()
        assert want in ics


def test_exdates_one_per_line_and_rdates_never_multi_valued():
    zone = ZoneInfo("Europe/London")
    ex = tuple(datetime(2026, 3, 3, 18, 30, tzinfo=zone) + timedelta(weeks=n) for n in (1, 3, 5))
    ics = render_calendar(Calendar(name="f", events=(_event(rrule="FREQ=WEEKLY;COUNT=10", exdates=ex),)))
    exlines = [line for line in _lines(ics) if line.startswith(b"EXDATE")]
    assert exlines == [b"EXDATE;TZID=Europe/London:20260310T183000", b"EXDATE;TZID=Europe/London:20260324T183000",
                       b"EXDATE;TZID=Europe/London:20260407T183000"]
    tehran = vtimezone("Asia/Tehran", datetime(2020, 1, 1), datetime(2021, 1, 1)).to_ical()
    rdates = [line for line in _lines(tehran) if line.startswith(b"RDATE")]
    assert rdates and all(b"," not in line for line in rdates)


def test_method_and_feed_headers():
    feed = render_calendar(Calendar(name="My groups", events=(_event(),))).decode()
    assert "METHOD" not in feed
    for line in ["PRODID:", "VERSION:2.0", "CALSCALE:GREGORIAN", "NAME:My groups", "X-WR-CALNAME:My groups",
                 "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]:
        assert f"\r\n{line}" in feed
    invite = render_calendar(Calendar(name="Invite", events=(_event(attendee="mailto:a@example.org"),), method="REQUEST")).decode()
    assert "\r\nMETHOD:REQUEST\r\n" in invite and "REFRESH-INTERVAL" not in invite
    # Confirmed already, and coord reads no replies: calendars are asked for none.
    assert "ATTENDEE;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:a@example.org" in _unfold(invite)
    cancel = render_calendar(Calendar(name="Invite", events=(_event(status="CONFIRMED", sequence=4),), method="CANCEL")).decode()
    assert "\r\nMETHOD:CANCEL\r\n" in cancel and "\r\nSTATUS:CANCELLED\r\n" in cancel and "\r\nSEQUENCE:4\r\n" in cancel
    with pytest.raises(ValueError, match="ORGANIZER"):
        Calendar(name="x", events=(_event(organizer=None),), method="REQUEST")


def test_no_attendee_when_none_and_required_properties():
    ics = render_calendar(Calendar(name="f", events=(_event(),))).decode()
    assert "ATTENDEE" not in ics
    for line in ["UID:e1@coord", "SEQUENCE:0", "DTSTAMP:20260101T090000Z",
                 "DTSTART;TZID=Europe/London:20260303T183000", "DTEND;TZID=Europe/London:20260303T200000"]:
        assert f"\r\n{line}\r\n" in ics
    assert ics.count("BEGIN:VTIMEZONE") == 1


def test_deterministic_bytes_regardless_of_input_order():
    events = [*series_events(uid="s@coord", rrule="FREQ=WEEKLY;COUNT=5", first_start=FIRST, tzid="America/New_York",
                             duration=DURATION, summary="S", dtstamp=STAMP,
                             moved=[Moved(original_start=FIRST + timedelta(weeks=1), sequence=1,
                                          start=datetime(2026, 1, 14, 18, tzinfo=UTC), end=datetime(2026, 1, 14, 19, tzinfo=UTC)),
                                    Moved(original_start=FIRST + timedelta(weeks=2), sequence=1,
                                          start=datetime(2026, 1, 21, 18, tzinfo=UTC), end=datetime(2026, 1, 21, 19, tzinfo=UTC))]),
              _event(), _event(uid="utc@coord", tzid=None)]
    first = render_calendar(Calendar(name="f", events=tuple(events)))
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    assert render_calendar(Calendar(name="f", events=tuple(shuffled))) == first
    assert render_calendar(Calendar(name="f", events=tuple(events))) == first
    text = first.decode()
    assert text.index("TZID:America/New_York") < text.index("TZID:Europe/London")  # zones sorted
    assert "DTSTART:20260303T183000Z" in text  # no tzid: UTC


def test_series_overrides_keep_uid_and_never_lower_sequence():
    zone = ZoneInfo("Europe/Berlin")
    master, override = series_events(
        uid="s@coord", rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=10", first_start=FIRST, tzid="Europe/Berlin",
        duration=DURATION, summary="S", dtstamp=STAMP, sequence=5,
        moved=[Moved(original_start=datetime(2026, 1, 13, 18, 30), start=datetime(2026, 1, 14, 18, 30, tzinfo=zone),
                     end=datetime(2026, 1, 14, 20, tzinfo=zone), sequence=1, location="Room 9")])
    assert master.rrule == "FREQ=WEEKLY;COUNT=10;BYDAY=TU" and master.exdates == ()
    assert override.uid == master.uid and override.sequence == 5 and override.location == "Room 9"
    assert override.recurrence_id == datetime(2026, 1, 13, 18, 30, tzinfo=zone)


def test_series_rejects_dates_the_rule_does_not_produce():
    common = dict(uid="s@coord", rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=10", first_start=FIRST, tzid="Europe/Berlin",
                  duration=DURATION, summary="S", dtstamp=STAMP)
    with pytest.raises(ValueError, match="not an occurrence"):
        series_events(**common, cancelled=[datetime(2026, 1, 14, 18, 30)])
    with pytest.raises(ValueError, match="not an occurrence"):
        series_events(**common, cancelled=[FIRST + timedelta(weeks=10)])  # past COUNT
    when = FIRST + timedelta(weeks=1)
    with pytest.raises(ValueError, match="both cancelled and moved"):
        series_events(**common, cancelled=[when], moved=[Moved(original_start=when, start=STAMP, end=STAMP)])


def test_invalid_inputs_are_refused():
    with pytest.raises(ValueError, match="aware"):
        _event(start=datetime(2026, 3, 3, 18, 30))
    with pytest.raises(ValueError, match="IANA"):
        _event(tzid="Mars/Olympus")
    with pytest.raises(ValueError, match="mailto"):
        _event(attendee="someone@example.org")
    with pytest.raises(ValueError, match="two VEVENTs"):
        render_calendar(Calendar(name="f", events=(_event(), _event())))


def test_cancelled_occurrence_in_a_dst_gap_is_named_by_its_rule_time():
    """02:30 does not exist on 2026-03-08 in New York; the database holds 07:30Z
    (03:30 EDT), but the EXDATE must carry the rule's own wall time, 02:30."""
    gap_instant = datetime(2026, 3, 8, 2, 30).replace(tzinfo=ZoneInfo("America/New_York"), fold=0).astimezone(UTC)
    master, = series_events(uid="g@coord", rrule="FREQ=DAILY;COUNT=5", first_start=datetime(2026, 3, 6, 2, 30),
                            tzid="America/New_York", duration=DURATION, summary="S", dtstamp=STAMP,
                            cancelled=[gap_instant])
    ics = render_calendar(Calendar(name="f", events=(master,))).decode()
    assert "\r\nEXDATE;TZID=America/New_York:20260308T023000\r\n" in ics


@pytest.mark.parametrize("parser", EXPANDERS)
def test_single_event_in_the_repeated_hour_means_the_same_instant_everywhere(parser):
    """01:30 happens twice in New York on 2026-11-01. RFC 5545 (and our database,
    fold=0) mean the first; ical.js and libical read the second. Such a start is
    written in UTC so that every client shows the instant we hold."""
    zone = ZoneInfo("America/New_York")
    first = datetime(2026, 11, 1, 1, 30, tzinfo=zone)  # fold=0: 05:30Z
    event = CalEvent(uid="fold@coord", dtstamp=STAMP, start=first, end=first + timedelta(hours=2),
                     tzid="America/New_York", summary="Overnight shift")
    ics = render_calendar(Calendar(name="f", events=(event,)))
    assert b"\r\nDTSTART:20261101T053000Z\r\n" in ics
    assert [(o["start"], o["end"]) for o in expand(parser, ics)] == [("2026-11-01T05:30:00Z", "2026-11-01T08:30:00Z")]
