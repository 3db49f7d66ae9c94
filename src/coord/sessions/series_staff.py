"""Who facilitates a series, and who fills a gap. Runs inside the caller's transaction.

A series has its own facilitators (chosen when it is scheduled, changed later): every
session of it carries them, including those the rolling horizon adds later
(service.extend_series), unless that one occurrence was given facilitators of its own
(service.set_facilitators marks it), which a later change of the series leaves be.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import asyncpg

from coord.i18n import gettext as _
from coord.groups.service import require_manager
from coord.kernel import clock
from coord.kernel.errors import NotFound
from coord.outbox.domain_events import SeriesFacilitatorsChanged
from coord.outbox.record import record
from coord.sessions import queries
from coord.sessions.recurrence import describe, parse_rule
from coord.sessions.schemas import FacilitatorsIn, SeriesFacilitatorsOut, SeriesSummary, SessionOut
from coord.sessions.service import check_facilitators, get_session, set_facilitators


async def series_facilitators(conn: asyncpg.Connection, series_id: UUID) -> list[UUID]:
    """The series' own facilitators who still facilitate its group."""
    return [r["user_id"] for r in await conn.fetch(queries.SERIES_FACILITATORS, series_id)]


async def set_series_facilitators(
    conn: asyncpg.Connection, actor_id: UUID, series_id: UUID, data: FacilitatorsIn
) -> SeriesFacilitatorsOut:
    """Replace the series' facilitators with exactly `user_ids` (staff and the group's
    facilitators; each must be an active facilitator of the group). Every session of the
    series not over yet gets them (its SEQUENCE goes up), except those given facilitators
    of their own; sessions added later by the horizon get them too."""
    series = await conn.fetchrow(queries.LOCK_SERIES, series_id)
    if series is None:
        raise NotFound(_("no such series"))
    await require_manager(conn, series["group_id"], actor_id)  # another organization's series: 404
    wanted = await check_facilitators(conn, series["group_id"], data.user_ids, "user_ids")
    before = set(await series_facilitators(conn, series_id))
    await conn.execute(queries.REMOVE_SERIES_FACILITATORS, series_id, wanted)
    await conn.execute(queries.ADD_SERIES_FACILITATORS, series_id, wanted)
    now = clock.now()
    changed = 0
    for session in await conn.fetch(queries.SESSIONS_TO_RESTAFF, series_id, now):
        current = set(session["current"])
        added = [u for u in wanted if u not in current]
        removed = sorted(current - set(wanted))
        if added or removed:
            await conn.execute(queries.UNASSIGN, session["id"], removed)
            await conn.execute(queries.ASSIGN, session["id"], added)
            await conn.execute(queries.BUMP_SEQUENCE, session["id"])
            changed += 1
    added = [u for u in wanted if u not in before]
    removed = sorted(before - set(wanted))
    if added or removed or changed:
        # One event for the series: the people added are told once, not once per session.
        await record(conn, SeriesFacilitatorsChanged(
            series_id=series_id, group_id=series["group_id"], added=added, removed=removed))
    kept = await conn.fetchval(queries.OVERRIDDEN_AHEAD, series_id, now)
    return SeriesFacilitatorsOut(series_id, wanted, changed, kept)


async def group_series(conn: asyncpg.Connection, actor_id: UUID, group_id: UUID) -> list[SeriesSummary]:
    """The group's series still running (or with sessions ahead), in words, with their own
    facilitators (staff and the group's facilitators)."""
    await require_manager(conn, group_id, actor_id)
    summaries = []
    for row in await conn.fetch(queries.GROUP_SERIES, group_id, clock.now()):
        rule = parse_rule(row["start_local"], row["timezone"], row["rrule"], timedelta(minutes=row["duration_minutes"]))
        summaries.append(SeriesSummary(row["id"], describe(rule), await series_facilitators(conn, row["id"]),
                                       row["next_start"], rule))
    return summaries


async def assign_facilitator(conn: asyncpg.Connection, actor_id: UUID, session_id: UUID, user_id: UUID) -> SessionOut:
    """Add one facilitator of the group to one session (a coordinator filling a coverage
    gap); the others stay. A change for this occurrence only (see set_facilitators)."""
    current = await get_session(conn, actor_id, session_id)
    if user_id in current.facilitator_ids:
        return SessionOut(**{f: getattr(current, f) for f in SessionOut.__struct_fields__})
    wanted = [*current.facilitator_ids, user_id]
    return await set_facilitators(conn, actor_id, session_id, FacilitatorsIn(user_ids=wanted))
