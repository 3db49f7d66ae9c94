"""What every page shows about its reader beyond their name: the crisis resources of
their first organization, the line their pages show outside any one organization's
context (their schedule, their settings), and the organizations they coordinate (the
menu's Coordination); read once per page."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from coord.kernel.access import STAFF

MY_ORGS = """
SELECT o.slug, o.name, o.crisis_resources, m.roles && $2::text[] AS staff
FROM org_members m JOIN orgs o ON o.id = m.org_id
WHERE m.user_id = $1 ORDER BY m.created_at, o.id
"""


class StaffOrg(msgspec.Struct, frozen=True):
    slug: str
    name: str


class Reader(msgspec.Struct, frozen=True):
    crisis_line: str | None  # of their first organization
    staff_orgs: list[StaffOrg]  # where they are an admin or coordinator, oldest membership first


async def reader(conn: asyncpg.Connection, user_id: UUID) -> Reader:
    rows = await conn.fetch(MY_ORGS, user_id, list(STAFF))
    return Reader(crisis_line=rows[0]["crisis_resources"] if rows else None,
                  staff_orgs=[StaffOrg(r["slug"], r["name"]) for r in rows if r["staff"]])
