"""The direct text writer (writer.py, `_header_text`, `_vevent_text`) writes exactly the
bytes icalendar writes, over the whole space of calendars: any text (non-ASCII, emoji,
BOMs, escapes and line breaks, lines long enough to fold anywhere), every method, with
and without zone, rule, exceptions, override, categories, organizer and attendee. Where
icalendar raises, rendering raises too; where the writer declines a value, icalendar
renders it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser.string import _escape_char, _foldline

from coord.calendar import CalEvent, Calendar, render_calendar, writer
from coord.calendar import render as rendering

UTC = timezone.utc
# Zones with and without DST, south and north, and some icalendar writes as UTC (with Z).
ZONES = [None, "America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham",
         "America/Sao_Paulo", "Etc/GMT+5", "Etc/UTC", "Africa/Abidjan", "UTC"]
TRICKY = ["\\", "^", ",", ";", ":", '"', "\n", "\r", "\r\n", "\\N", "\\n", "\ufeff", "é", "€", "😀", "👩‍👩‍👧", "\u0301",
          "\u2028", "\t", " ", "\x00", "\x7f", "\u00ad", "a", "Z"]
CHARS = st.sampled_from(TRICKY) | st.characters(exclude_categories=("Cs",))
SHORT = st.lists(CHARS, max_size=12).map("".join)
TEXT = SHORT | st.builds(lambda a, b, n: (a + b) * n, SHORT, SHORT, st.integers(2, 25))  # long: folded anywhere
ONE_LINE = TEXT.map(lambda s: s.replace("\n", " ").replace("\r", " "))


def rarely(usual, unusual):
    """`unusual` in about one draw in ten: what the writer leaves to icalendar (which mostly refuses it)."""
    return st.integers(0, 19).flatmap(lambda k: unusual if k in (7, 13) else usual)  # not an end: drawn most


RULES = [None, "FREQ=WEEKLY;COUNT=8", "RRULE:FREQ=DAILY;INTERVAL=2;COUNT=5", "rrule:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261201",
         "FREQ=MONTHLY;BYMONTHDAY=1,15;UNTIL=20270101T120000", "FREQ=WEEKLY;UNTIL=20260901T000000Z", "FREQ=YEARLY"]


def moments(lo: int = 2020, hi: int = 2032):
    zone = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), ZoneInfo("America/New_York"),
                            ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo")])
    return st.builds(lambda naive, tz, fold: naive.replace(tzinfo=tz, fold=fold),
                     st.datetimes(datetime(lo, 1, 1), datetime(hi, 12, 31)), zone, st.integers(0, 1))


@st.composite
def cal_events(draw, uid: str | None = None, method: str | None = None, lo: int = 2020, hi: int = 2032) -> CalEvent:
    tzid = draw(st.sampled_from(ZONES))
    start = draw(moments(lo, hi))
    end = start + draw(st.timedeltas(timedelta(0), timedelta(days=3)))
    rrule = draw(st.sampled_from(RULES))
    override = rrule is None and draw(st.booleans())
    exdates = tuple(draw(st.lists(moments(lo, hi), max_size=4))) if rrule else ()
    address = rarely(st.none() | st.sampled_from(["mailto:a@example.org", "mailto:Ærø,Ø;x@b.dk"])
                     | ONE_LINE.map(lambda s: f"mailto:{s}@example.org"), st.just("MAILTO:x\r@y"))
    return CalEvent(
        uid=uid or draw(ONE_LINE.filter(bool)), dtstamp=draw(moments(lo, hi)), start=start, end=end, tzid=tzid,
        summary=draw(TEXT), sequence=draw(rarely(st.integers(0, 2**31 - 1), st.just(2**31))),
        description=draw(st.none() | TEXT), location=draw(st.none() | TEXT),
        url=draw(rarely(st.none() | st.just("https://coord.example.org/s/1?a=1,2;b") | ONE_LINE, TEXT)),
        status=draw(st.sampled_from([None, "CONFIRMED", "TENTATIVE", "CANCELLED"])), rrule=rrule, exdates=exdates,
        recurrence_id=draw(moments(lo, hi)) if override else None,
        organizer=draw(address) if method is None else "mailto:organizer@example.org", attendee=draw(address),
        categories=tuple(draw(st.lists(TEXT, max_size=3))),
    )


@st.composite
def calendars(draw) -> Calendar:
    method = draw(st.sampled_from([None, "REQUEST", "CANCEL"]))
    count = 1 if method else draw(st.integers(0, 3))
    events = tuple(draw(cal_events(uid=f"e{n}@coord", method=method, lo=2024, hi=2028)) for n in range(count))
    name = draw(rarely(st.just("Mine") | ONE_LINE, st.sampled_from(["a\nb", "a\rb"])))
    return Calendar(name=name, events=events, method=method,
                    refresh_minutes=draw(st.none() | st.integers(1, 60 * 24 * 400)),
                    calendar_uid=draw(st.none() | TEXT.filter(bool)))


def outcome(render):
    """The bytes, or the kind of error."""
    try:
        return render()
    except Exception as exc:  # noqa: BLE001 - compared, not swallowed
        return type(exc)


def _writable(value: str | None) -> bool:
    return value is None or not ("\r" in value or "\n" in value)


@given(st.sampled_from([None, "REQUEST", "CANCEL"]).flatmap(lambda m: st.tuples(st.just(m), cal_events(method=m))))
@settings(max_examples=150, deadline=None)
def test_a_written_vevent_is_icalendars_vevent_byte_for_byte(case):
    method, event = case
    written = rendering._vevent_text(event, method)
    reference = outcome(lambda: rendering._vevent(event, method).to_ical())
    if written is None:  # declined: only what icalendar refuses or could write differently
        assert not (_writable(event.url) and _writable(event.organizer) and _writable(event.attendee)
                    and event.sequence < 2**31)
    else:
        assert written == reference


@given(calendars())
@settings(max_examples=100, deadline=None)
def test_a_rendered_calendar_is_the_whole_icalendar_render(cal):
    rendered, whole = outcome(lambda: render_calendar(cal)), outcome(lambda: rendering.render_whole(cal))
    assert rendered == whole or not isinstance(rendered, bytes) and not isinstance(whole, bytes)  # both fail
    head = rendering._header_text(cal)
    assert (head is None) == ("\n" in cal.name or "\r" in cal.name)
    if head is not None:
        assert head + rendering._END == rendering._header(cal).to_ical()


@given(st.lists(CHARS | st.just("\ud800"), max_size=300).map("".join))
@settings(max_examples=500, deadline=None)
def test_text_escaping_and_folding_are_icalendars(value):
    assert writer.text(value) == _escape_char(value)
    one_line = _escape_char(value)
    assert outcome(lambda: writer.fold(one_line.encode())) == outcome(lambda: _foldline(one_line).encode())


def test_every_fold_position():
    # One test, not 1,000 parametrized ones: each case takes microseconds, a test item milliseconds.
    for fill in ["a", "é", "€", "😀", "\\", "^", "\\\\", "a\\", "a^", "é\\"]:
        for size in range(60, 160):
            line = "SUMMARY:" + (fill * size)[:size]
            assert writer.fold(line.encode()) == _foldline(line).encode(), (fill, size)


@given(st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)), st.sampled_from(ZONES[1:]))
@settings(max_examples=300, deadline=None)
def test_date_times_are_icalendars(moment, tzid):
    for value in (moment.replace(tzinfo=UTC), moment.replace(tzinfo=ZoneInfo(tzid))):
        params, text = writer.date_time(value)
        prop = icalendar.vDDDTypes(value)
        assert (params, text) == (";" + prop.params.to_ical().decode() if prop.params else "", prop.to_ical().decode())


@given(st.timedeltas(timedelta(days=-9999), timedelta(days=9999)))
def test_durations_are_icalendars(span):
    assert writer.duration(span) == icalendar.vDuration(span).to_ical().decode()


def test_an_invite_is_written_without_icalendar(monkeypatch):
    start = datetime(2026, 3, 10, 18, 30, tzinfo=ZoneInfo("America/New_York"))
    invite = Calendar(name="Shift", method="REQUEST", refresh_minutes=None, events=(CalEvent(
        uid="b1@coord", dtstamp=start, start=start, end=start + timedelta(hours=2), tzid="America/New_York",
        summary="Shift, evening", sequence=1, location="Hall; door B", url="https://coord.example.org/s/1",
        description="Bring gloves.\nParking behind.", organizer="mailto:o@example.org",
        attendee="mailto:p@example.org", status="CONFIRMED"),))
    expected = rendering.render_whole(invite)
    monkeypatch.setattr(rendering, "_vevent", None)
    monkeypatch.setattr(rendering, "_header", None)
    assert render_calendar(invite) == expected
