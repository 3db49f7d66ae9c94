"""A feed is assembled from the kept text of its components (issue 19.5): the bytes must
be exactly what icalendar gives for the whole calendar, before and after a change, and a
change re-renders only what changed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from coord.calendar import CalEvent, Calendar, render_calendar
from coord.calendar import render as rendering
from coord.calendar.render import render_whole

UTC = timezone.utc
STAMP = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
ZONES = [None, "America/New_York", "Europe/London", "Asia/Kolkata"]
WORDS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120)


@st.composite
def events(draw, n: int) -> CalEvent:
    tzid = draw(st.sampled_from(ZONES))
    start = datetime(2026, 1, 6, 18, 30, tzinfo=ZoneInfo(tzid) if tzid else UTC) + timedelta(
        hours=draw(st.integers(0, 24 * 400)))
    weekly = draw(st.booleans())
    return CalEvent(uid=f"e{n}@coord", dtstamp=STAMP, start=start, end=start + timedelta(minutes=90), tzid=tzid,
                    summary=draw(WORDS), description=draw(st.none() | WORDS), location=draw(st.none() | WORDS),
                    sequence=draw(st.integers(0, 5)), rrule="FREQ=WEEKLY;COUNT=8" if weekly else None,
                    status=draw(st.sampled_from([None, "CONFIRMED", "CANCELLED"])))


@st.composite
def calendars(draw) -> Calendar:
    count = draw(st.integers(0, 6))
    method = draw(st.sampled_from([None, None, "REQUEST", "CANCEL"]))
    items = tuple(draw(events(n)) for n in range(count))
    if method:  # an iTIP message: one event, with its organizer and attendee
        items = tuple(CalEvent(**{**{f: getattr(e, f) for f in e.__struct_fields__},
                                  "organizer": "mailto:c@example.org", "attendee": "mailto:p@example.org"})
                      for e in items[:1])
    return Calendar(name=draw(WORDS), events=items, method=method, calendar_uid=draw(st.none() | st.just("f@coord")))


@given(calendars())
@settings(max_examples=150, deadline=None)
def test_the_assembled_calendar_is_byte_for_byte_the_whole_render(cal):
    assert render_calendar(cal) == render_whole(cal)
    assert render_calendar(cal) == render_whole(cal)  # again, from what was kept


def test_a_changed_feed_re_renders_only_the_changed_event_and_stays_identical(monkeypatch):
    zone = ZoneInfo("America/New_York")
    feed = [CalEvent(uid=f"s{n}@coord", dtstamp=STAMP, start=datetime(2026, 3, 3, 18, tzinfo=zone) + timedelta(days=n),
                     end=datetime(2026, 3, 3, 19, tzinfo=zone) + timedelta(days=n), tzid="America/New_York",
                     summary=f"Shift {n}") for n in range(40)]
    render_calendar(Calendar(name="Mine", events=tuple(feed)))
    built: list[str] = []
    original = rendering._vevent_text  # what writes a piece (render_whole builds icalendar's _vevent)
    monkeypatch.setattr(rendering, "_vevent_text",
                        lambda event, method: built.append(event.uid) or original(event, method))
    feed[7] = CalEvent(**{**{f: getattr(feed[7], f) for f in feed[7].__struct_fields__},
                          "sequence": 1, "summary": "Shift 7, moved"})
    changed = Calendar(name="Mine", events=tuple(feed))
    assert render_calendar(changed) == render_whole(changed)
    assert built == ["s7@coord"], "the pieces re-rendered more than the changed event"
