"""Changing a group, and archiving it (issue 15): PATCH /groups/{id}.

The change itself is coord.groups.service.update_group's. Archiving (`archived: true`) also
ends the group's schedule, here, through this domain's own rules so calendars hear the usual
way: each open series ends now (series_edit.end_series: its rule gets an UNTIL, its later
occurrences are cancelled and the people in it get the calendar update), and a session
still ahead that no series covers any more (one moved later) is cancelled on its own (a
CANCEL of that occurrence). Sessions that have begun, attendance and the members stay: that
is the group's history. An archived group takes no new series (service.create_series and
series_edit.edit_following ask groups.service.require_running); the calm message to its
members is the GroupArchived job's (coord.notify.group_notices). Runs inside the caller's
transaction.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from coord.groups import service as groups_service
from coord.groups.schemas import GroupOut, GroupPatch
from coord.kernel import clock
from coord.sessions import queries, series_edit, service
from coord.sessions.schemas import CancelIn, SeriesEndIn

ARCHIVED_REASON = "the group has closed"


async def update_group(conn: asyncpg.Connection, actor_id: UUID, group_id: UUID, data: GroupPatch) -> GroupOut:
    """Staff change a group; archiving it ends its schedule (see the module)."""
    group, archiving = await groups_service.update_group(conn, actor_id, group_id, data)
    if archiving:
        await end_schedule(conn, actor_id, group_id)
    return group


async def end_schedule(conn: asyncpg.Connection, actor_id: UUID, group_id: UUID) -> int:
    """End every open series of the group now and cancel whatever is still ahead; returns how
    many sessions were cancelled."""
    now = clock.now()
    cancelled = 0
    for row in await conn.fetch(queries.OPEN_SERIES_OF_GROUP, group_id):
        ended = await series_edit.end_series(conn, actor_id, row["id"], SeriesEndIn(after=now))
        cancelled += ended.sessions_cancelled
    for row in await conn.fetch(queries.SCHEDULED_AHEAD_OF_GROUP, group_id, now):
        await service.cancel_session(conn, actor_id, row["id"], CancelIn(reason=ARCHIVED_REASON))
        cancelled += 1
    return cancelled
