"""How many people each group of an organization has: counts only, for its coordinators."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from coord.kernel.access import STAFF, require_role
from coord.groups import queries
from coord.groups.schemas import GroupOut
from coord.groups.service import group_out


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


async def count_groups(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, up_to: int) -> int:
    """How many groups the organization has, archived ones too (admins, coordinators), counting
    no further than `up_to`: a page that says "200 or more" reads no more than that."""
    await require_role(conn, org_id, actor_id, STAFF)
    return await conn.fetchval(queries.COUNT_GROUPS, org_id, up_to)


async def waiting_requests(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID,
                           among: int) -> list[tuple[GroupOut, int]]:
    """The groups with join requests waiting for approval and how many (admins, coordinators),
    among the organization's first `among` groups by name, by name."""
    await require_role(conn, org_id, actor_id, STAFF)
    rows = await conn.fetch(queries.WAITING_REQUESTS, org_id, among)
    return [(group_out({k: v for k, v in r.items() if k != "pending"}), r["pending"]) for r in rows]
