"""What a feed holds: rows from the database, turned into VEVENTs.

Loading (async, SQL) and building (pure) are separate so that rendering can be
measured and tested without a database. Privacy rules live in `build_events`:
no one else's name ever appears, a discreet feed names nothing and says nowhere,
a private group's address or meeting link goes only to people confirmed in it,
and the public feed holds no meeting links at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from coord.calendar import CalEvent, Calendar, Moved, normalize_rrule, series_events
from coord.feeds import queries
from coord.i18n import N_
from coord.i18n import gettext as _

log = logging.getLogger("coord.feeds")

REFRESH_MINUTES = 60
# The words a feed adds, in its owner's language (coord.feeds.serving sets it while building).
DISCREET_SESSION = N_("Group session")
DISCREET_EVENT = N_("Community event")
DISCREET_SHIFT = N_("Volunteer shift")

Row = dict[str, Any]


@dataclass(frozen=True)
class FeedRows:
    """Everything one feed shows, as plain rows."""

    series: list[Row] = field(default_factory=list)
    exceptions: dict[UUID, list[Row]] = field(default_factory=dict)  # series id -> cancelled/moved sessions
    single_sessions: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    shifts: list[Row] = field(default_factory=list)
    venues: dict[UUID, Row] = field(default_factory=dict)
    other_changes: tuple[datetime | None, ...] = ()  # bookings and memberships, for Last-Modified


@dataclass(frozen=True)
class View:
    """How to present the rows: who is reading, and how discreetly."""

    base_url: str
    discreet: bool = False
    public: bool = False  # the public org feed: no meeting links, nothing private


def _rows(records: Iterable[asyncpg.Record]) -> list[Row]:
    return [dict(r) for r in records]


async def _with_exceptions_and_venues(conn: asyncpg.Connection, rows: FeedRows) -> FeedRows:
    exceptions: dict[UUID, list[Row]] = {}
    if rows.series:
        for r in await conn.fetch(queries.SERIES_EXCEPTIONS, [s["id"] for s in rows.series]):
            exceptions.setdefault(r["series_id"], []).append(dict(r))
    venue_ids = {r["venue_id"] for r in [*rows.series, *rows.single_sessions, *rows.events, *rows.shifts]}
    venue_ids |= {e["venue_id"] for items in exceptions.values() for e in items}
    venue_ids.discard(None)
    venues = {v["id"]: dict(v) for v in await conn.fetch(queries.VENUES, list(venue_ids))} if venue_ids else {}
    return FeedRows(rows.series, exceptions, rows.single_sessions, rows.events, rows.shifts, venues, rows.other_changes)


async def load_mine(conn: asyncpg.Connection, user_id: UUID) -> FeedRows:
    """My groups' series, sessions I facilitate, my confirmed shifts and registrations."""
    rows = FeedRows(
        series=_rows(await conn.fetch(queries.MY_SERIES, user_id)),
        single_sessions=_rows(await conn.fetch(queries.MY_SINGLE_SESSIONS, user_id)),
        events=_rows(await conn.fetch(queries.MY_EVENTS, user_id)),
        shifts=_rows(await conn.fetch(queries.MY_SHIFTS, user_id)),
        other_changes=(await conn.fetchval(queries.MY_BOOKINGS_CHANGED, user_id),),
    )
    return await _with_exceptions_and_venues(conn, rows)


async def load_org(conn: asyncpg.Connection, org_id: UUID, user_id: UUID, staff: bool) -> FeedRows:
    """What one member may see in one organization."""
    rows = FeedRows(
        series=_rows(await conn.fetch(queries.ORG_SERIES, org_id, user_id, staff)),
        single_sessions=_rows(await conn.fetch(queries.ORG_SINGLE_SESSIONS, org_id, user_id, staff)),
        events=_rows(await conn.fetch(queries.ORG_EVENTS, org_id)),
        shifts=_rows(await conn.fetch(queries.ORG_SHIFTS, org_id)),
        other_changes=(await conn.fetchval(queries.MY_BOOKINGS_CHANGED, user_id),),
    )
    return await _with_exceptions_and_venues(conn, rows)


async def load_public(conn: asyncpg.Connection, org_id: UUID) -> FeedRows:
    """The organization's public community events."""
    return await _with_exceptions_and_venues(conn, FeedRows(events=_rows(await conn.fetch(queries.PUBLIC_EVENTS, org_id))))


# ------------------------------------------------------------------ building


def _location(venue: Row | None, view: View, confirmed: bool = True) -> str | None:
    if venue is None or view.discreet or not confirmed:
        return None
    if venue["kind"] == "virtual":
        if view.public:
            return _("Online")
        return venue["meeting_url"] or venue["name"]
    return ", ".join(part for part in (venue["name"], venue["address"]) if part)


def _session_summary(row: Row, view: View) -> str:
    # A group with a discreet title is in discreet mode in every feed, not only discreet ones.
    if view.discreet or row["discreet_title"]:
        return row["discreet_title"] or _(DISCREET_SESSION)
    return row["name"]


def _group_description(row: Row, view: View) -> str | None:
    """A group's description tells its topic: never for a group in discreet mode."""
    return None if row["discreet_title"] else _text(row["description"], view)


def _text(value: str | None, view: View) -> str | None:
    return None if view.discreet else value


def _link(view: View, path: str) -> str | None:
    return None if view.discreet else f"{view.base_url}{path}"


def _series_vevents(row: Row, exceptions: list[Row], venues: dict[UUID, Row], view: View) -> list[CalEvent]:
    tzid = row["timezone"]
    duration = timedelta(minutes=row["duration_minutes"])
    rule = normalize_rrule(row["rrule"], tzid)
    until = rule["UNTIL"][0] if "UNTIL" in rule else None
    # A split or ended series keeps its sessions past the UNTIL (cancelled): they
    # are no occurrences of the rule any more, so they get no EXDATE either.
    in_rule = [e for e in exceptions if until is None or e["recurrence_id"] <= until]
    confirmed = row["confirmed"]
    summary = _session_summary(row, view)
    moved = [
        Moved(
            original_start=e["recurrence_id"], start=e["starts_at"], end=e["ends_at"], sequence=e["sequence"],
            location=_location(venues.get(e["venue_id"]), view, confirmed),
        )
        for e in in_rule
        if e["status"] != "cancelled"
    ]
    try:
        return series_events(
            uid=f"series-{row['id']}@coord",
            rrule=row["rrule"],
            first_start=row["start_local"],
            tzid=tzid,
            duration=duration,
            summary=summary,
            dtstamp=row["updated_at"],
            sequence=row["sequence"],
            cancelled=[e["recurrence_id"] for e in in_rule if e["status"] == "cancelled"],
            moved=moved,
            description=_group_description(row, view),
            location=_location(venues.get(row["venue_id"]), view, confirmed),
            url=_link(view, f"/groups/{row['group_id']}"),
        )
    except ValueError as exc:  # data the rule cannot express: leave the series out, never the whole feed
        log.error("series %s left out of a feed: %s", row["id"], exc)
        return []


def _rule_is_empty(row: Row) -> bool:
    """A series split at its first occurrence has an UNTIL before its start."""
    rule = normalize_rrule(row["rrule"], row["timezone"])
    if "UNTIL" not in rule:
        return False
    return row["start_local"].replace(tzinfo=ZoneInfo(row["timezone"])) > rule["UNTIL"][0]


def build_events(rows: FeedRows, view: View) -> list[CalEvent]:
    """The VEVENTs of a feed: one master per series, single events otherwise."""
    out: list[CalEvent] = []
    for row in rows.series:
        if not _rule_is_empty(row):
            out.extend(_series_vevents(row, rows.exceptions.get(row["id"], []), rows.venues, view))
    for row in rows.single_sessions:
        out.append(CalEvent(
            uid=f"session-{row['id']}@coord", dtstamp=row["updated_at"], start=row["starts_at"], end=row["ends_at"],
            tzid=row["timezone"], sequence=row["sequence"], summary=_session_summary(row, view),
            description=_group_description(row, view),
            location=_location(rows.venues.get(row["venue_id"]), view, row["confirmed"]),
            url=_link(view, f"/sessions/{row['id']}"),
        ))
    for row in rows.events:
        out.append(CalEvent(
            uid=f"event-{row['id']}@coord", dtstamp=row["updated_at"], start=row["starts_at"], end=row["ends_at"],
            tzid=row["timezone"], sequence=row["sequence"],
            summary=_(DISCREET_EVENT) if view.discreet else row["title"],
            description=_text(row["description"], view),
            location=_location(rows.venues.get(row["venue_id"]), view),
            url=_link(view, f"/events/{row['id']}"),
        ))
    for row in rows.shifts:
        out.append(CalEvent(
            uid=f"shift-{row['id']}@coord", dtstamp=row["updated_at"], start=row["starts_at"], end=row["ends_at"],
            tzid=row["timezone"] or row["org_timezone"], sequence=row["sequence"],
            summary=_(DISCREET_SHIFT) if view.discreet else _("Volunteer shift: %(role)s") % {"role": row["role"]},
            description=_text(row["description"], view),
            location=_location(rows.venues.get(row["venue_id"]), view),
            url=_link(view, "/shifts"),
        ))
    return out


def last_change(rows: FeedRows, fallback: datetime) -> datetime:
    """The newest change to anything the feed shows (never the current time)."""
    stamps = [r["updated_at"] for r in [*rows.series, *rows.single_sessions, *rows.events, *rows.shifts]]
    stamps += [s for s in rows.other_changes if s is not None]
    return max(stamps, default=fallback)


def calendar(rows: FeedRows, view: View, *, name: str, calendar_uid: str) -> Calendar:
    return Calendar(
        name=name, events=tuple(build_events(rows, view)), refresh_minutes=REFRESH_MINUTES, calendar_uid=calendar_uid
    )
