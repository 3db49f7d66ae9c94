"""Coverage: upcoming sessions short of facilitators, as the API, the group and
organization pages and "My groups" show them.

What a gap is lives in one place, the session_coverage SQL view (migration 0010):
a scheduled session with fewer assigned facilitators than its group requires. The
readers here add only a window and an audience; rosters and coverage alerts
(coord.notify.rosters) read the same view.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec

from coord.i18n import gettext as _
from coord.groups.service import require_manager
from coord.kernel import clock
from coord.kernel.access import STAFF, require_member, require_role
from coord.kernel.errors import Forbidden
from coord.kernel.pagination import KeyInstant, Page, decode_cursor, page_of
from coord.views import queries


class CoverageGapOut(msgspec.Struct):
    """One session short of facilitators: `missing` more are needed (`required` - `assigned`)."""

    session_id: UUID
    group_id: UUID
    group_name: str
    starts_at: datetime
    ends_at: datetime
    required: int
    assigned: int
    missing: int


async def coverage_gaps(
    conn: asyncpg.Connection, actor_id: UUID, *, org_id: UUID | None = None, group_id: UUID | None = None,
    from_: datetime | None, to: datetime | None, limit: int, cursor: str | None,
) -> Page[CoverageGapOut]:
    """Gaps from `from_` (default now): of one group, or across an organization.

    Staff see every group; a facilitator sees the groups they facilitate (a group's
    gaps are for whoever manages it).
    """
    only_for: UUID | None = None
    if group_id is not None:
        access = await require_manager(conn, group_id, actor_id)
        org_id = access.group.org_id
    else:
        roles = await require_member(conn, org_id, actor_id)
        if not roles.intersection(STAFF):
            if "facilitator" not in roles:
                raise Forbidden(_("coverage gaps are for staff and facilitators"))
            only_for = actor_id
    after_start, after_id = decode_cursor(cursor, tuple[KeyInstant, UUID]) or (None, None)
    rows = await conn.fetch(
        queries.COVERAGE_GAPS, org_id, group_id, only_for, from_ or clock.now(), to, after_start, after_id, limit + 1
    )
    return page_of([CoverageGapOut(**dict(r)) for r in rows], limit, lambda g: (g.starts_at, g.session_id))


async def count_gaps(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, *, from_: datetime, to: datetime,
                     before: datetime, up_to: int) -> tuple[int, int]:
    """How many gaps of the organization start in [`from_`, `to`), counting no further than
    `up_to`, and how many of those start before `before` (staff)."""
    await require_role(conn, org_id, actor_id, STAFF)
    row = await conn.fetchrow(queries.COVERAGE_GAP_COUNT, org_id, from_, to, before, up_to)
    return row["gaps"], row["before"]


async def my_coverage_gaps(
    conn: asyncpg.Connection, user_id: UUID, *, weeks: int = 8, limit: int = 50, now: datetime | None = None
) -> list[CoverageGapOut]:
    """Gaps in the next `weeks` of every group the person facilitates, in any organization."""
    start = now or clock.now()
    until = start + timedelta(weeks=weeks)
    return [CoverageGapOut(**dict(r)) for r in await conn.fetch(queries.MY_COVERAGE_GAPS, user_id, start, until, limit)]
