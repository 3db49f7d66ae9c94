"""How many people each group of an organization has: counts only, for its coordinators."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from coord.kernel.access import STAFF, require_role
from coord.groups import queries


class GroupCounts(msgspec.Struct):
    participants: int
    facilitators: int
    pending: int  # join requests waiting for approval


async def member_counts(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID,
                        group_ids: list[UUID] | None = None) -> dict[UUID, GroupCounts]:
    """Active participants, active facilitators and pending requests per group (admins,
    coordinators): of `group_ids` (what a page shows: counting a large organization's every
    membership would cost the page), or of every group."""
    await require_role(conn, org_id, actor_id, STAFF)
    rows = await conn.fetch(queries.GROUP_MEMBER_COUNTS, org_id, group_ids)
    return {r["group_id"]: GroupCounts(r["participants"], r["facilitators"], r["pending"]) for r in rows}
