"""Session series and single sessions: schedule, list, move, cancel, staff.

Runs inside the caller's transaction. Series are materialized into sessions over
a rolling horizon; each session keeps its original start (RECURRENCE-ID) when it
is moved or cancelled, and every change attendees should see bumps `sequence`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Iterable
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from coord.kernel import clock
from coord.i18n import gettext as _
from coord.kernel.errors import Conflict, Forbidden, NotFound, Unprocessable
from coord.groups.service import GroupAccess, check_venue, load_group, require_manager, require_running
from coord.outbox.domain_events import (
    FacilitatorsChanged,
    SeriesChanged,
    SeriesScheduled,
    SessionCancelled,
    SessionRescheduled,
)
from coord.outbox.record import record
from coord.kernel.pagination import KeyInstant, Page, decode_cursor, page_of
from coord.sessions import queries
from coord.sessions.recurrence import (
    DEFAULT_HORIZON,
    MAX_OCCURRENCES,
    RecurrenceError,
    SeriesRule,
    describe,
    materialize_window,
    parse_rule,
)
from coord.sessions.schemas import (
    CancelIn,
    FacilitatorsIn,
    SeriesIn,
    SeriesOut,
    SessionDetailOut,
    SessionOut,
    SessionPatch,
    VenueDetails,
)

MAX_SESSION_LENGTH = timedelta(hours=24)  # also what lets window queries use the index
# The recurrence module names its inputs by meaning; the API names them by field.
_FIELD_NAMES = {"duration": "duration_minutes"}


def session_out(row: asyncpg.Record) -> SessionOut:
    values = dict(row)
    values["facilitator_ids"] = list(values["facilitator_ids"])
    return SessionOut(**values)


async def load_session(
    conn: asyncpg.Connection, session_id: UUID, user_id: UUID, *, lock: bool = False
) -> tuple[asyncpg.Record, GroupAccess]:
    """The session and the caller's access to its group; 404 when they may not see the group."""
    row = await conn.fetchrow(queries.LOCK_SESSION if lock else queries.SESSION_ACCESS, session_id)
    if row is None:
        raise NotFound(_("no such session"))
    try:
        access = await load_group(conn, row["group_id"], user_id)
    except NotFound:
        raise NotFound(_("no such session")) from None
    return row, access


async def load_managed_session(
    conn: asyncpg.Connection, session_id: UUID, user_id: UUID, *, lock: bool = False
) -> tuple[asyncpg.Record, GroupAccess]:
    """load_session for a change that needs staff or one of the group's facilitators (else 403)."""
    row, access = await load_session(conn, session_id, user_id, lock=lock)
    if not access.can_manage:
        raise Forbidden(_("this needs a coordinator, an admin or one of the group's facilitators"))
    return row, access


async def _get(conn: asyncpg.Connection, session_id: UUID) -> SessionOut:
    return session_out(await conn.fetchrow(queries.GET_SESSION, session_id))


async def check_facilitators(conn: asyncpg.Connection, group_id: UUID, user_ids: Iterable[UUID], field: str) -> list[UUID]:
    wanted = list(dict.fromkeys(user_ids))  # de-duplicated, order kept
    found = {r["user_id"] for r in await conn.fetch(queries.ACTIVE_FACILITATORS, group_id, wanted)}
    missing = [str(u) for u in wanted if u not in found]
    if missing:
        raise Unprocessable(_("not active facilitators of this group: %(names)s") % {"names": ", ".join(missing)}, field=field)
    return wanted


def checked_rule(start: datetime, tz: str, rrule: str, minutes: int) -> SeriesRule:
    try:
        return parse_rule(start, tz, rrule, timedelta(minutes=minutes))
    except RecurrenceError as exc:
        raise Unprocessable(exc.message, field=_FIELD_NAMES.get(exc.field, exc.field)) from None


async def materialize(
    conn: asyncpg.Connection, series: dict, rule: SeriesRule, after: datetime | None, horizon_end: datetime
) -> list[UUID]:
    window = materialize_window(rule, after=after, horizon_end=horizon_end)
    if not window:
        return []
    rows = await conn.fetch(
        queries.MATERIALIZE, series["id"], series["group_id"], series["org_id"], series["venue_id"],
        [start for start, _ in window], [end for _, end in window],
    )
    return [r["id"] for r in rows]


async def staff_series(conn: asyncpg.Connection, series_id: UUID, created: list[UUID], facilitators: list[UUID]) -> None:
    """A new series' own facilitators, on each of its `created` sessions and kept for the
    sessions the rolling horizon adds later (extend_series)."""
    if facilitators:
        await conn.execute(queries.ADD_SERIES_FACILITATORS, series_id, facilitators)
        if created:
            await conn.execute(queries.ASSIGN_TO_SESSIONS, created, facilitators)


async def create_series(conn: asyncpg.Connection, actor_id: UUID, group_id: UUID, data: SeriesIn) -> SeriesOut:
    access = await require_manager(conn, group_id, actor_id)
    group = access.group
    require_running(group)
    rule = checked_rule(data.start, data.timezone, data.rrule, data.duration_minutes)
    venue_id = data.venue_id if data.venue_id is not None else group.venue_id
    await check_venue(conn, group.org_id, venue_id)
    facilitators = await check_facilitators(conn, group_id, data.facilitator_ids, "facilitator_ids")
    horizon_end = clock.now() + DEFAULT_HORIZON
    if len(materialize_window(rule, after=None, horizon_end=horizon_end)) > MAX_OCCURRENCES:
        raise Unprocessable(_("this would create more than %(num)s sessions; start later") % {"num": MAX_OCCURRENCES},
                            field="start")
    series_id = await conn.fetchval(
        queries.INSERT_SERIES, group_id, group.org_id, rule.start, rule.timezone, data.duration_minutes,
        rule.rrule, venue_id, horizon_end,
    )
    series = {"id": series_id, "group_id": group_id, "org_id": group.org_id, "venue_id": venue_id}
    created = await materialize(conn, series, rule, None, horizon_end)
    await staff_series(conn, series_id, created, facilitators)
    await record(conn, SeriesScheduled(series_id=series_id, group_id=group_id))
    return SeriesOut(series_id, group_id, len(created), describe(rule), horizon_end)


async def extend_series(conn: asyncpg.Connection, series_id: UUID, horizon_end: datetime) -> int:
    """Materialize a series up to `horizon_end` (the rolling horizon); returns sessions created."""
    row = await conn.fetchrow(queries.LOCK_SERIES, series_id)
    if row is None or row["ended_at"] is not None or row["materialized_until"] >= horizon_end:
        return 0
    rule = parse_rule(row["start_local"], row["timezone"], row["rrule"], timedelta(minutes=row["duration_minutes"]))
    after = await conn.fetchval(queries.LAST_RECURRENCE, series_id)
    created = await materialize(conn, dict(row), rule, after, horizon_end)
    if created:
        await conn.execute(queries.CARRY_FACILITATORS_FORWARD, created, series_id)
    await conn.execute(queries.SET_MATERIALIZED_UNTIL, series_id, horizon_end)
    if created:
        await record(conn, SeriesChanged(series_id=series_id, group_id=row["group_id"], extended=True))
    return len(created)


async def extend_horizons(conn: asyncpg.Connection, *, now: datetime | None = None, batch: int = 100) -> int:
    """For a periodic job: roll every open series forward to now + the horizon."""
    horizon_end = (now or clock.now()) + DEFAULT_HORIZON
    # Only series a day or more behind: one run a day keeps the rest untouched.
    due = await conn.fetch(queries.SERIES_DUE, horizon_end - timedelta(days=1), batch)
    return sum([await extend_series(conn, r["id"], horizon_end) for r in due])


async def list_sessions(
    conn: asyncpg.Connection, actor_id: UUID, group_id: UUID, from_: datetime | None, to: datetime | None,
    limit: int, cursor: str | None,
) -> Page[SessionOut]:
    await load_group(conn, group_id, actor_id)
    after_start, after_id = decode_cursor(cursor, tuple[KeyInstant, UUID]) or (None, None)
    rows = await conn.fetch(queries.LIST_GROUP_SESSIONS, group_id, from_, to, after_start, after_id, limit + 1)
    return page_of([session_out(r) for r in rows], limit, lambda s: (s.starts_at, s.id))


async def get_session(conn: asyncpg.Connection, actor_id: UUID, session_id: UUID) -> SessionDetailOut:
    _unused, access = await load_session(conn, session_id, actor_id)
    session = await _get(conn, session_id)
    cancel_reason = await conn.fetchval(queries.CANCEL_REASON, session_id)
    my_rsvp = await conn.fetchval(queries.MY_RSVP, session_id, actor_id)
    # Where it happens is for people confirmed for this occurrence, and for staff.
    confirmed = access.can_manage or actor_id in session.facilitator_ids or my_rsvp == "going"
    venue = None
    if confirmed and session.venue_id is not None:
        venue_row = await conn.fetchrow(queries.VENUE_DETAILS, session.venue_id)
        venue = VenueDetails(**dict(venue_row)) if venue_row else None
    group = access.group
    return SessionDetailOut(
        **msgspec.structs.asdict(session), group_name=group.name, capacity=group.capacity,
        facilitators_required=group.facilitators_required, cancel_reason=cancel_reason,
        my_rsvp=my_rsvp, venue=venue,
    )


def _still_scheduled(row: asyncpg.Record) -> None:
    if row["status"] != "scheduled":
        said = {"cancelled": _("this session is cancelled; it can no longer be changed"),
                "completed": _("this session is completed; it can no longer be changed")}
        raise Conflict(said.get(row["status"]) or f"this session is {row['status']}; it can no longer be changed")


async def move_session(conn: asyncpg.Connection, actor_id: UUID, session_id: UUID, data: SessionPatch) -> SessionOut:
    row, access = await load_managed_session(conn, session_id, actor_id, lock=True)
    _still_scheduled(row)
    current = await _get(conn, session_id)
    starts_at = current.starts_at if data.starts_at is msgspec.UNSET else data.starts_at
    if data.ends_at is not msgspec.UNSET:
        ends_at = data.ends_at
    else:  # moving only the start keeps the length
        ends_at = starts_at + (current.ends_at - current.starts_at)
    if ends_at <= starts_at:
        raise Unprocessable(_("the session must end after it starts"), field="ends_at")
    if ends_at - starts_at > MAX_SESSION_LENGTH:
        raise Unprocessable(_("a session lasts at most 24 hours"), field="ends_at")
    if starts_at != current.starts_at and starts_at <= clock.now():
        # Nobody can come to a session in the past: refused before anyone is told.
        raise Conflict(_("this time has already passed: a session can only be moved to a time still to come"),
                       slug="time-passed")
    venue_id = current.venue_id if data.venue_id is msgspec.UNSET else data.venue_id
    await check_venue(conn, access.group.org_id, venue_id)
    if (starts_at, ends_at, venue_id) == (current.starts_at, current.ends_at, current.venue_id):
        return current  # nothing attendees would notice: no new SEQUENCE, no invites
    await conn.execute(queries.MOVE_SESSION, session_id, starts_at, ends_at, venue_id)
    await record(conn, SessionRescheduled(
        session_id=session_id, group_id=row["group_id"], was_starts_at=current.starts_at, was_ends_at=current.ends_at,
        was_venue_id=current.venue_id,
    ))
    return await _get(conn, session_id)


async def cancel_session(conn: asyncpg.Connection, actor_id: UUID, session_id: UUID, data: CancelIn) -> SessionOut:
    row, _unused = await load_managed_session(conn, session_id, actor_id, lock=True)
    if row["status"] == "cancelled":
        return await _get(conn, session_id)  # cancelling twice sends nothing new
    _still_scheduled(row)
    await conn.execute(queries.CANCEL_SESSION, session_id, data.reason)
    await record(conn, SessionCancelled(session_id=session_id, group_id=row["group_id"]))
    return await _get(conn, session_id)


async def set_facilitators(
    conn: asyncpg.Connection, actor_id: UUID, session_id: UUID, data: FacilitatorsIn
) -> SessionOut:
    """Replace the session's facilitators with exactly `user_ids`."""
    row, _unused = await load_managed_session(conn, session_id, actor_id, lock=True)
    _still_scheduled(row)
    wanted = await check_facilitators(conn, row["group_id"], data.user_ids, "user_ids")
    current = {r["user_id"] for r in await conn.fetch(queries.SESSION_FACILITATORS, session_id)}
    added = [u for u in wanted if u not in current]
    removed = sorted(current - set(wanted))
    if added or removed:
        await conn.execute(queries.UNASSIGN, session_id, removed)
        await conn.execute(queries.ASSIGN, session_id, added)
        await conn.execute(queries.BUMP_SEQUENCE, session_id)
        # Changed for this one occurrence: a later change of the series' facilitators leaves it be.
        await conn.execute(queries.MARK_OVERRIDDEN, session_id)
        await record(conn, FacilitatorsChanged(session_id=session_id, added=added, removed=removed))
    return await _get(conn, session_id)


async def future_facilitations(conn: asyncpg.Connection, user_id: UUID, org_id: UUID | None) -> list[UUID]:
    """The sessions not started yet (of one organization, or of any when `org_id` is None)
    the person is assigned to facilitate."""
    return [r["id"] for r in await conn.fetch(queries.FUTURE_FACILITATIONS, user_id, clock.now(), org_id)]


async def unassign_future(conn: asyncpg.Connection, user_id: UUID, org_id: UUID | None) -> int:
    """Take the person off every one of `future_facilitations` (the caller decided they no
    longer facilitate there: they left, lost the role, or erased their account). Each session
    shows as a coverage gap if it is now short (the coverage cron alerts coordinators), and
    its SEQUENCE and FacilitatorsChanged tell calendars and feeds. Returns how many."""
    rows = await conn.fetch(queries.UNASSIGN_FUTURE, user_id, clock.now(), org_id)
    for row in rows:
        await record(conn, FacilitatorsChanged(session_id=row["id"], added=[], removed=[user_id]))
    return len(rows)


async def volunteer(conn: asyncpg.Connection, actor_id: UUID, session_id: UUID) -> SessionOut:
    """A facilitator of the group adds themselves to the session's facilitators."""
    current = await get_session(conn, actor_id, session_id)
    wanted = list(current.facilitator_ids)
    if actor_id not in wanted:
        wanted.append(actor_id)
    return await set_facilitators(conn, actor_id, session_id, FacilitatorsIn(user_ids=list(wanted)))


async def session_timezone(conn: asyncpg.Connection, row: asyncpg.Record, access: GroupAccess) -> str:
    """The timezone a session's wall-clock times are read in: its series', or the
    group's for a session outside any series (`row` and `access` from load_session)."""
    if row["series_id"] is not None:
        return await conn.fetchval(queries.SERIES_TIMEZONE, row["series_id"]) or access.group.timezone
    return access.group.timezone


def local_instant(value: str | None, tz: str, field_name: str) -> datetime:
    """A local wall-clock date and time (as an <input type=datetime-local> sends it) read in `tz`."""
    if not value:
        raise Unprocessable(_("enter a date and time"), field=field_name)
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        raise Unprocessable(_("enter a date and time like 2026-03-10T18:30"), field=field_name) from None
    if local.tzinfo is not None:
        raise Unprocessable(_("enter a local date and time without a UTC offset"), field=field_name)
    zone = ZoneInfo(tz)
    instant = local.replace(tzinfo=zone, fold=0)
    if instant.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        raise Unprocessable(_("%(time)s on %(day)s does not exist in %(tz)s (the clocks jump forward)") % {
            "time": f"{local:%H:%M}", "day": f"{local:%Y-%m-%d}", "tz": tz}, field=field_name)
    return instant.astimezone(UTC)


async def move_to_local(
    conn: asyncpg.Connection, actor_id: UUID, session_id: UUID, local_start: str | None
) -> SessionOut:
    """Move one occurrence to a new wall-clock start in its series' timezone (the
    group's for a single session), keeping its length; see move_session."""
    row, access = await load_managed_session(conn, session_id, actor_id)  # another organization's: 404
    starts_at = local_instant(local_start, await session_timezone(conn, row, access), "starts_at")
    return await move_session(conn, actor_id, session_id, SessionPatch(starts_at=starts_at))
