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


async def member_counts(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID) -> dict[UUID, GroupCounts]:
    """Active participants, active facilitators and pending requests per group (admins, coordinators)."""
    await require_role(conn, org_id, actor_id, STAFF)
    rows = await conn.fetch(queries.GROUP_MEMBER_COUNTS, org_id)
    return {r["group_id"]: GroupCounts(r["participants"], r["facilitators"], r["pending"]) for r in rows}
