"""VTIMEZONE components that calendar clients read right, built from zoneinfo.

Why not icalendar's own generator: icalendar 7.3 writes daylight-saving onsets an
hour late and puts many dates on one multi-value RDATE line, of which ical.js
(Thunderbird) and vobject read only the first, so a London 18:30 session shows at
17:30. Here the actual transitions are found by scanning zoneinfo offsets, and
each onset is written as RFC 5545 requires: DTSTART is the local wall time just
before the change, in the offset in force before it (TZOFFSETFROM). Transitions
that follow a yearly "nth weekday of month" pattern become one RRULE; anything
else is listed with one RDATE per line. Pure: no I/O beyond the tz database.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as _tz
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

__all__ = ["Transition", "transitions", "vtimezone"]

UTC = _tz.utc
_STEP = timedelta(hours=12)  # no zone changes its offset twice within 12 hours
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    at: datetime  # aware UTC instant of the change
    offset_from: timedelta
    offset_to: timedelta
    name: str  # TZNAME after the change
    daylight: bool  # DST in force after the change

    @property
    def local_onset(self) -> datetime:
        """Naive wall time of the onset in the offset before it (a VTIMEZONE DTSTART)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, str, bool]:
    local = instant.astimezone(zone)
    dst = local.dst()
    return local.utcoffset() or timedelta(0), local.tzname() or "", bool(dst and dst > timedelta(0))


def _bisect(zone: ZoneInfo, lo: datetime, hi: datetime) -> datetime:
    """First whole second in (lo, hi] whose state differs from lo's."""
    before = _state(zone, lo)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            mid = lo + timedelta(seconds=1)
        if _state(zone, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


@lru_cache(maxsize=256)
def transitions(tzid: str, first_year: int, last_year: int) -> tuple[Transition, ...]:
    """Every offset/name change of `tzid` from Jan 1 of first_year to Jan 1 of last_year + 1 (UTC)."""
    zone = ZoneInfo(tzid)
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    stop = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    found: list[Transition] = []
    state = _state(zone, moment)
    while moment < stop:
        step_to = min(moment + _STEP, stop)
        new = _state(zone, step_to)
        if new != state:
            at = _bisect(zone, moment, step_to)
            after = _state(zone, at)
            found.append(Transition(at, state[0], after[0], after[1], after[2]))
            moment, state = at, after
            continue
        moment = step_to
    return tuple(found)


def _nth_weekday(day: datetime) -> tuple[int, int]:
    """(n from the start of the month, -n from the end) of this day's weekday."""
    last = _cal.monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 + 1, -((last - day.day) // 7 + 1)


def _yearly_byday(run: list[Transition]) -> str | None:
    """BYDAY such as 2SU or -1SU if every onset in `run` (consecutive years) fits it."""
    onsets = [t.local_onset for t in run]
    first = onsets[0]
    if any(o.month != first.month or o.time() != first.time() or o.weekday() != first.weekday() for o in onsets):
        return None
    if any(b.year != a.year + 1 for a, b in zip(onsets, onsets[1:])):
        return None
    for index in (0, 1):
        ns = {_nth_weekday(o)[index] for o in onsets}
        if len(ns) == 1:
            return f"{ns.pop()}{_DAYS[first.weekday()]}"
    return None


def _signature(t: Transition) -> tuple[timedelta, timedelta, str, bool]:
    return t.offset_from, t.offset_to, t.name, t.daylight


def _runs(changes: tuple[Transition, ...]) -> list[list[Transition]]:
    """Group transitions of one signature into maximal runs that fit one yearly RRULE;
    transitions that fit no rule come back as runs of one."""
    groups: dict[tuple, list[Transition]] = {}
    for t in changes:
        groups.setdefault(_signature(t), []).append(t)
    runs: list[list[Transition]] = []
    for group in groups.values():
        current: list[Transition] = []
        for t in group:
            if current and _yearly_byday([*current, t]) is None:
                runs.append(current)
                current = []
            current.append(t)
        if current:
            runs.append(current)
    return runs


def _observance(kind: type, first: Transition) -> TimezoneStandard | TimezoneDaylight:
    sub = kind()
    sub.add("dtstart", first.local_onset)
    sub.add("tzoffsetfrom", first.offset_from)
    sub.add("tzoffsetto", first.offset_to)
    if first.name:
        sub.add("tzname", first.name)
    return sub


def vtimezone(tzid: str, start: datetime, end: datetime) -> Timezone:
    """A VTIMEZONE for `tzid` correct from a year before `start` to a year after `end`.

    A yearly rule that tzdata continues past that window stays open-ended (no
    UNTIL), so a never-ending series keeps its offsets right in clients that expand
    it for years. The component depends only on the zone and the window's years,
    so it is built once per (tzid, years) and shared: callers only add it to a
    calendar, never change it.
    """
    if end < start:
        start, end = end, start
    return _vtimezone_for_years(tzid, start.year - 1, end.year + 1)


@lru_cache(maxsize=256)
def _vtimezone_for_years(tzid: str, first_year: int, last_year: int) -> Timezone:
    changes = transitions(tzid, first_year, last_year)
    tz = Timezone()
    tz.add("tzid", tzid)
    # The state at the window's start, as an observance of its own (offset from =
    # to): ical.js reads any time before the first onset as UTC, so nothing in the
    # window may precede every observance. It is the only one for zones without
    # changes in the window (Asia/Kolkata; America/Sao_Paulo since 2019).
    zone = ZoneInfo(tzid)
    window_start = datetime(first_year, 1, 1, tzinfo=UTC)
    window_start -= _state(zone, window_start)[0]  # local midnight on January 1
    offset, name, dst = _state(zone, window_start)
    initial = Transition(window_start, offset, offset, name, dst)
    subs = [(window_start, _observance(TimezoneDaylight if dst else TimezoneStandard, initial))]
    # A rule stays open-ended when tzdata continues it past the window (the zone's
    # current rule); otherwise it ends with UNTIL at its last onset.
    beyond = transitions(tzid, last_year + 1, last_year + 1)

    def continues(run: list[Transition]) -> bool:
        return any(_signature(t) == _signature(run[-1]) and _yearly_byday([*run, t]) for t in beyond)

    singles: dict[tuple, list[Transition]] = {}
    for run in _runs(changes):
        if len(run) < 2:
            singles.setdefault(_signature(run[0]), []).extend(run)
            continue
        sub = _observance(TimezoneDaylight if run[0].daylight else TimezoneStandard, run[0])
        rule = {"FREQ": "YEARLY", "BYMONTH": run[0].local_onset.month, "BYDAY": _yearly_byday(run)}
        if not continues(run):
            # Any UNTIL from the last onset to just before the next yearly date is
            # the same rule; a day's margin keeps the last onset in readers that
            # compare a UTC UNTIL with local time (dateutil's tzical does).
            rule["UNTIL"] = run[-1].at + timedelta(days=1)
        sub.add("rrule", vRecur(rule))
        subs.append((run[0].at, sub))
    for group in singles.values():
        group.sort(key=lambda t: t.at)
        sub = _observance(TimezoneDaylight if group[0].daylight else TimezoneStandard, group[0])
        if len(group) > 1:
            # One RDATE property (line) per date: ical.js and vobject read only the
            # first value of a multi-value RDATE. DTSTART is repeated as an RDATE
            # because ical.js ignores the DTSTART onset once RDATE is present (RFC
            # 5545 counts a duplicate instance once, so other readers are unaffected).
            for t in group:
                sub.add("rdate", t.local_onset)
        subs.append((group[0].at, sub))
    for _at, sub in sorted(subs, key=lambda pair: pair[0]):
        tz.add_component(sub)
    return tz
