"""A recurring series as VEVENTs: one master (RRULE + EXDATE per cancelled
occurrence) and one override per moved occurrence (same UID, RECURRENCE-ID = the
start the rule gives it, SEQUENCE never below the master's)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone as _tz
from itertools import islice
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr

from coord.calendar.model import CalEvent, Moved, Status, check_tzid
from coord.calendar.render import normalize_rrule

__all__ = ["series_events"]

UTC = _tz.utc
_SLACK = timedelta(hours=3)


def _instant(local: datetime, zone: ZoneInfo) -> datetime:
    # RFC 5545: an ambiguous wall time is its first instance; one in a gap takes
    # the offset before the gap. fold=0 gives exactly that (as sessions/recurrence).
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _nominal_starts(rule: icalendar.vRecur, first: datetime, zone: ZoneInfo, upto: datetime) -> dict[datetime, datetime]:
    """UTC instant -> nominal local wall time, for every occurrence up to `upto` (UTC)."""
    count = int(rule["COUNT"][0]) if "COUNT" in rule else None
    until = rule["UNTIL"][0] if "UNTIL" in rule else None
    bound = upto if until is None else min(upto, until)
    core = {k: v for k, v in rule.items() if k not in ("COUNT", "UNTIL")}
    local_bound = bound.astimezone(zone).replace(tzinfo=None) + _SLACK
    text = icalendar.vRecur(core).to_ical().decode() + f";UNTIL={local_bound:%Y%m%dT%H%M%S}"
    found: dict[datetime, datetime] = {}
    for local in islice(rrulestr(text, dtstart=first), count):
        instant = _instant(local, zone)
        if until is not None and instant > until:
            break
        found.setdefault(instant, local)
    return found


def _pick(original: datetime, zone: ZoneInfo, starts: dict[datetime, datetime], what: str) -> datetime:
    """The nominal local start (aware, in `zone`) of the occurrence `original` names."""
    instant = _instant(original, zone) if original.tzinfo is None else original.astimezone(UTC)
    if instant not in starts:
        raise ValueError(f"{what} {original.isoformat()} is not an occurrence of the series")
    return starts[instant].replace(tzinfo=zone)


def series_events(
    *,
    uid: str,
    rrule: str,
    first_start: datetime,
    tzid: str,
    duration: timedelta,
    summary: str,
    dtstamp: datetime,
    sequence: int = 0,
    cancelled: Iterable[datetime] = (),
    moved: Sequence[Moved] = (),
    description: str | None = None,
    location: str | None = None,
    url: str | None = None,
    status: Status | None = None,
    organizer: str | None = None,
    attendee: str | None = None,
    categories: Sequence[str] = (),
) -> list[CalEvent]:
    """The VEVENTs of a series: master first, then overrides in occurrence order.

    `first_start` is the naive local wall time of the first occurrence in `tzid`
    (as in SeriesRule.start); `duration` is wall-clock. Cancelled and moved
    occurrences are named by their rule start, as stored (aware UTC) or as naive
    local wall time; each must be an occurrence of the rule, and none may be both
    cancelled and moved. An override's SEQUENCE is raised to the master's if lower.
    """
    check_tzid(tzid)
    if first_start.tzinfo is not None:
        raise ValueError("first_start must be the naive local wall time of the first occurrence")
    zone = ZoneInfo(tzid)
    rule = normalize_rrule(rrule, tzid)
    moved = list(moved)
    cancelled = list(cancelled)
    originals = [*cancelled, *(m.original_start for m in moved)]
    upto = max((_instant(o, zone) if o.tzinfo is None else o.astimezone(UTC) for o in originals),
               default=_instant(first_start, zone))
    starts = _nominal_starts(rule, first_start, zone, upto + timedelta(seconds=1))

    exdates = sorted({_pick(c, zone, starts, "cancelled start") for c in cancelled}, key=lambda d: d.astimezone(UTC))
    moved_ids = [_pick(m.original_start, zone, starts, "moved start") for m in moved]
    clash = {d.astimezone(UTC) for d in exdates} & {d.astimezone(UTC) for d in moved_ids}
    if clash:
        raise ValueError(f"occurrence(s) both cancelled and moved: {sorted(clash)}")
    if len({d.astimezone(UTC) for d in moved_ids}) != len(moved_ids):
        raise ValueError("an occurrence is moved twice")

    common = dict(uid=uid, tzid=tzid, dtstamp=dtstamp, url=url, organizer=organizer,
                  attendee=attendee, categories=tuple(categories))
    master = CalEvent(
        **common,
        sequence=sequence,
        start=first_start.replace(tzinfo=zone),
        end=(first_start + duration).replace(tzinfo=zone),
        summary=summary,
        description=description,
        location=location,
        status=status,
        rrule=icalendar.vRecur(rule).to_ical().decode(),
        exdates=tuple(exdates),
    )
    overrides = [
        CalEvent(
            **common,
            sequence=max(m.sequence, sequence),
            start=m.start.astimezone(zone),
            end=m.end.astimezone(zone),
            summary=m.summary if m.summary is not None else summary,
            description=m.description if m.description is not None else description,
            location=m.location if m.location is not None else location,
            status=m.status if m.status is not None else status,
            recurrence_id=rid,
        )
        for m, rid in sorted(zip(moved, moved_ids), key=lambda pair: pair[1].astimezone(UTC))
    ]
    return [master, *overrides]
