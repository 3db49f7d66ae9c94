"""What every page shows about its reader beyond their name: the crisis resources of
their first organization, the line their pages show outside any one organization's
context (their schedule, their settings); read once per page."""

from __future__ import annotations

from uuid import UUID

import asyncpg

FIRST_ORG_CRISIS_LINE = """
SELECT o.crisis_resources FROM org_members m JOIN orgs o ON o.id = m.org_id
WHERE m.user_id = $1 ORDER BY m.created_at, o.id LIMIT 1
"""


async def crisis_line(conn: asyncpg.Connection, user_id: UUID) -> str | None:
    return await conn.fetchval(FIRST_ORG_CRISIS_LINE, user_id)
