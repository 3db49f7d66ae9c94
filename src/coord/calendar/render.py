"""Render calendars to RFC 5545 bytes, as the icalendar library writes them.

This module decides what goes in: local times with TZID plus our own VTIMEZONE for
every zone used, UNTIL in UTC, one EXDATE per line, a stable order, and nothing that
depends on the clock, so the same input always gives the same bytes. icalendar's
components (`_header`, `_vevent`, `render_whole`) are the reference; the calendar
header and VEVENTs are written as text (`_header_text`, `_vevent_text`, writer.py)
with exactly icalendar's bytes at a tenth of the cost, and where the writer cannot
promise that for some value, icalendar renders that component.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, timezone as _tz
from itertools import islice
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr

from coord.calendar import writer
from coord.calendar.model import CalEvent, Calendar
from coord.calendar.vtimezone import vtimezone
from coord.calendar.writer import Unwritable, date_time, line, no_line_break, text

__all__ = ["PRODID", "normalize_rrule", "render_calendar"]

UTC = _tz.utc
PRODID = "-//coord//coord calendar 1.0//EN"
_OPEN_ENDED = timedelta(days=2 * 366)  # span covered for a series without COUNT/UNTIL
_SLACK = timedelta(hours=3)  # DST shifts are at most 2 hours


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _local(moment: datetime, tzid: str | None) -> datetime:
    """The datetime icalendar should write: wall time in `tzid` (TZID=...), or UTC."""
    if tzid is None:
        return _utc(moment)
    # astimezone() leaves a datetime already in this zone untouched, so a nominal
    # rule time inside a DST gap (02:30 on spring-forward day) is written as given.
    return moment.astimezone(ZoneInfo(tzid))


def _when(moment: datetime, tzid: str | None, fixed: bool) -> datetime:
    """DTSTART/DTEND: local time with TZID, except that the start or end of a single
    event or override (`fixed`) whose wall time is repeated or skipped by a DST
    change is written in UTC: RFC 5545 reads a repeated time as its first instance,
    but ical.js and libical take the second (and skipped times differ too), so only
    UTC means the same instant everywhere."""
    local = _local(moment, tzid)
    if fixed and tzid is not None and local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return _utc(moment)
    return local


def _as_utc_until(value: date | datetime, tzid: str | None) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return _utc(value)
        return _utc(value.replace(tzinfo=ZoneInfo(tzid) if tzid else UTC, fold=0))
    # A bare date means "through that day" in the series' own zone.
    end_of_day = datetime.combine(value, time(23, 59, 59))
    return _utc(end_of_day.replace(tzinfo=ZoneInfo(tzid) if tzid else UTC))


def normalize_rrule(text: str, tzid: str | None) -> icalendar.vRecur:
    """Parse rule text ("RRULE:" prefix optional); UNTIL is converted to UTC, as RFC
    5545 requires when DTSTART has a TZID (a floating UNTIL is read in `tzid`)."""
    body = re.sub(r"(?i)^\s*RRULE:", "", text).strip()
    try:
        rule = icalendar.vRecur.from_ical(body)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid RRULE: {exc}") from None
    if "FREQ" not in rule:
        raise ValueError(f"{text!r} is not a valid RRULE: FREQ is missing")
    if "UNTIL" in rule and "COUNT" in rule:
        raise ValueError(f"{text!r} is not a valid RRULE: use COUNT or UNTIL, not both")
    if "UNTIL" in rule:
        rule["UNTIL"] = [_as_utc_until(rule["UNTIL"][0], tzid)]
    return rule


def _rule_end(event: CalEvent) -> datetime:
    """The latest instant the event's rule can reach (a guess for endless rules)."""
    rule = normalize_rrule(event.rrule or "", event.tzid)
    if "UNTIL" in rule:
        return rule["UNTIL"][0] + (event.end - event.start)
    if "COUNT" not in rule:
        return event.end + _OPEN_ENDED
    zone = ZoneInfo(event.tzid) if event.tzid else UTC
    first = _local(event.start, event.tzid).replace(tzinfo=None)
    core = {k: v for k, v in rule.items() if k != "COUNT"}
    text = icalendar.vRecur(core).to_ical().decode()
    last = first
    for last in islice(rrulestr(text, dtstart=first), int(rule["COUNT"][0])):
        pass
    return (last + (event.end - event.start)).replace(tzinfo=zone) + _SLACK


def _spans(events: Iterable[CalEvent]) -> dict[str, tuple[datetime, datetime]]:
    """Per TZID, the UTC range of every time written in that zone."""
    spans: dict[str, tuple[datetime, datetime]] = {}
    for event in events:
        if event.tzid is None:
            continue
        moments = [event.start, event.end, *event.exdates]
        if event.recurrence_id is not None:
            moments.append(event.recurrence_id)
        if event.rrule is not None:
            moments.append(_rule_end(event))
        lo, hi = min(map(_utc, moments)), max(map(_utc, moments))
        if event.tzid in spans:
            old_lo, old_hi = spans[event.tzid]
            lo, hi = min(lo, old_lo), max(hi, old_hi)
        spans[event.tzid] = (lo, hi)
    return spans


def _vevent(event: CalEvent, method: str | None) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", _utc(event.dtstamp))
    vevent.add("dtstart", _when(event.start, event.tzid, fixed=event.rrule is None))
    vevent.add("dtend", _when(event.end, event.tzid, fixed=event.rrule is None))
    vevent.add("summary", event.summary)
    if event.recurrence_id is not None:
        vevent.add("recurrence-id", _local(event.recurrence_id, event.tzid))
    if event.rrule is not None:
        vevent.add("rrule", normalize_rrule(event.rrule, event.tzid))
        for moment in sorted(event.exdates, key=_utc):  # one EXDATE property per line
            vevent.add("exdate", _local(moment, event.tzid))
    for name in ("description", "location", "url"):
        if getattr(event, name) is not None:
            vevent.add(name, getattr(event, name))
    status = "CANCELLED" if method == "CANCEL" else event.status
    if status is not None:
        vevent.add("status", status)
    if event.categories:
        vevent.add("categories", list(event.categories))
    if event.organizer is not None:
        vevent.add("organizer", icalendar.vCalAddress(event.organizer))
    if event.attendee is not None:
        # Whoever gets an invite is already confirmed (a place, a membership, a session to
        # facilitate), and coord reads no iTIP replies: no RSVP asked for, nothing to accept.
        # People answer on the session page.
        params = {"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"}
        if method == "CANCEL":
            params = {"ROLE": "REQ-PARTICIPANT"}
        vevent.add("attendee", icalendar.vCalAddress(event.attendee), parameters=params)
    return vevent


_SEQUENCE_MAX = icalendar.vInt.max  # icalendar refuses a larger INTEGER
# _vevent's ATTENDEE parameters, in the order icalendar writes them (by name)
_ATTENDEE, _CANCELLED_ATTENDEE = ";PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=FALSE", ";ROLE=REQ-PARTICIPANT"


def _date_time_line(name: str, moment: datetime) -> bytes:
    params, value = date_time(moment)
    return line(name, value, params)


def _vevent_text(event: CalEvent, method: str | None) -> bytes | None:
    """`_vevent(event, method).to_ical()`, written directly: the same properties in
    icalendar's order (its canonical ones for VEVENT first, then by name), or None
    where the writer cannot promise the same bytes."""
    fixed = event.rrule is None
    try:
        if not 0 <= event.sequence <= _SEQUENCE_MAX:
            raise Unwritable("SEQUENCE out of range")
        lines = [
            line("SUMMARY", text(event.summary)),
            _date_time_line("DTSTART", _when(event.start, event.tzid, fixed=fixed)),
            _date_time_line("DTEND", _when(event.end, event.tzid, fixed=fixed)),
            _date_time_line("DTSTAMP", _utc(event.dtstamp)),
            line("UID", text(event.uid)),
        ]
        if event.recurrence_id is not None:
            lines.append(_date_time_line("RECURRENCE-ID", _local(event.recurrence_id, event.tzid)))
        lines.append(line("SEQUENCE", str(int(event.sequence))))
        if event.rrule is not None:
            rule = normalize_rrule(event.rrule, event.tzid)
            if rule.params:
                raise Unwritable("RRULE parameters")
            lines.append(line("RRULE", rule.to_ical().decode("utf-8-sig")))
            lines += [_date_time_line("EXDATE", _local(moment, event.tzid))
                      for moment in sorted(event.exdates, key=_utc)]
        if event.attendee is not None:
            params = _CANCELLED_ATTENDEE if method == "CANCEL" else _ATTENDEE
            lines.append(line("ATTENDEE", no_line_break(event.attendee), params))
        if event.categories:
            lines.append(line("CATEGORIES", ",".join(map(text, event.categories))))
        for name, value in (("DESCRIPTION", event.description), ("LOCATION", event.location)):
            if value is not None:
                lines.append(line(name, text(value)))
        if event.organizer is not None:
            lines.append(line("ORGANIZER", no_line_break(event.organizer)))
        status = "CANCELLED" if method == "CANCEL" else event.status
        if status is not None:
            lines.append(line("STATUS", text(status)))
        if event.url is not None:
            lines.append(line("URL", no_line_break(event.url)))
    except (Unwritable, UnicodeEncodeError, TypeError):  # icalendar takes it from here, or refuses it
        return None
    return writer.component("VEVENT", lines)


def _order(event: CalEvent) -> tuple:
    # Master before its overrides, overrides by the occurrence they replace.
    rid = _utc(event.recurrence_id) if event.recurrence_id is not None else None
    return (event.uid, rid is not None, rid or _utc(event.start), _utc(event.start), event.sequence)


def _check_unique(events: Iterable[CalEvent]) -> None:
    seen: set[tuple[str, datetime | None]] = set()
    for event in events:
        key = (event.uid, _utc(event.recurrence_id) if event.recurrence_id is not None else None)
        if key in seen:
            what = f"recurrence {key[1]:%Y-%m-%dT%H:%M:%SZ}" if key[1] else "master"
            raise ValueError(f"two VEVENTs for UID {event.uid} ({what})")
        seen.add(key)


def _header(cal: Calendar) -> icalendar.Calendar:
    out = icalendar.Calendar()
    out.add("prodid", PRODID)
    out.add("version", "2.0")
    out.add("calscale", "GREGORIAN")
    if cal.method is not None:
        out.add("method", cal.method)
    if cal.calendar_uid is not None:
        out.add("uid", cal.calendar_uid)
    out.add("name", cal.name)
    out.add("x-wr-calname", cal.name)
    if cal.method is None and cal.refresh_minutes is not None:
        ttl = timedelta(minutes=cal.refresh_minutes)
        out.add("refresh-interval", ttl, parameters={"VALUE": "DURATION"})
        out.add("x-published-ttl", icalendar.vDuration(ttl).to_ical().decode())
    return out


_HEAD = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + line("PRODID", text(PRODID)) + b"CALSCALE:GREGORIAN\r\n"


def _header_text(cal: Calendar) -> bytes | None:
    """`_header(cal).to_ical()` without its END line, written directly (icalendar's
    order: VERSION PRODID CALSCALE METHOD NAME X-WR-CALNAME, then by name), or None
    where the writer cannot promise the same bytes."""
    try:
        lines = [_HEAD]
        if cal.method is not None:
            lines.append(line("METHOD", text(cal.method)))
        name = no_line_break(cal.name)  # UNKNOWN: icalendar writes it as it is
        lines += [line("NAME", name), line("X-WR-CALNAME", name)]
        ttl = None
        if cal.method is None and cal.refresh_minutes is not None:
            ttl = writer.duration(timedelta(minutes=cal.refresh_minutes))
            lines.append(line("REFRESH-INTERVAL", ttl, ";VALUE=DURATION"))
        if cal.calendar_uid is not None:
            lines.append(line("UID", text(cal.calendar_uid)))
        if ttl is not None:
            lines.append(line("X-PUBLISHED-TTL", ttl))
    except (Unwritable, UnicodeEncodeError, TypeError):  # icalendar takes it from here, or refuses it
        return None
    return b"".join(lines)


def _vevent_bytes(event: CalEvent, method: str | None) -> bytes:
    return _vevent_text(event, method) or _vevent(event, method).to_ical()


def render_calendar(cal: Calendar) -> bytes:
    """The calendar as iCalendar bytes (CRLF, folded at 75 octets, deterministic)."""
    events = sorted(cal.events, key=_order)
    _check_unique(events)
    head = _header_text(cal)
    if head is None:
        whole = _header(cal).to_ical()
        assert whole.endswith(_END)  # noqa: S101 - icalendar's own framing, relied on below
        head = whole[: -len(_END)]
    pieces = [head]
    pieces += [_piece(("VTIMEZONE", tzid, lo, hi), lambda: vtimezone(tzid, lo, hi).to_ical())
               for tzid, (lo, hi) in sorted(_spans(events).items())]
    if cal.method is None:
        pieces += [_piece((event, cal.method), lambda: _vevent_bytes(event, cal.method)) for event in events]
    else:  # an iTIP message names its one recipient: its VEVENT is never rendered again, so not kept
        pieces += [_vevent_bytes(event, cal.method) for event in events]
    pieces.append(_END)
    return b"".join(pieces)


def render_whole(cal: Calendar) -> bytes:
    """The same calendar rendered by icalendar in one piece, nothing kept: what the pieces
    must equal, byte for byte."""
    events = sorted(cal.events, key=_order)
    _check_unique(events)
    out = _header(cal)
    for tzid, (lo, hi) in sorted(_spans(events).items()):
        out.add_component(vtimezone(tzid, lo, hi))
    for event in events:
        out.add_component(_vevent(event, cal.method))
    return out.to_ical()


# The calendar is assembled from the text of its components: a component's bytes within a
# calendar are exactly its own to_ical() (icalendar writes the calendar's lines, then each
# component's, then END), so each is rendered once and kept, keyed by everything it is made
# of (the whole CalEvent, which holds its id, sequence, dtstamp and the reader's words, and
# the method; a VTIMEZONE by zone and span). A feed with one change re-renders one VEVENT.
# tests/calendar compares the bytes with a whole render by icalendar.
_END = b"END:VCALENDAR\r\n"
PIECES_KEPT = 50_000  # about 1 KB each
_pieces: OrderedDict[tuple, bytes] = OrderedDict()


def _piece(key: tuple, render: Callable[[], bytes]) -> bytes:
    kept = _pieces.get(key)
    if kept is None:
        kept = _pieces[key] = render()
        if len(_pieces) > PIECES_KEPT:
            _pieces.popitem(last=False)
    else:
        _pieces.move_to_end(key)
    return kept


