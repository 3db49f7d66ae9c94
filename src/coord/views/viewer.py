"""What every page shows about its reader beyond their name: their language, the crisis resources of
their first organization, the line their pages show outside any one organization's
context (their schedule, their settings), and the organizations they coordinate (the
menu's Coordination); read once per page."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from coord.kernel.access import STAFF

# The reader's saved language comes with every row (one row with no organization when they
# have none).
MY_ORGS = """
SELECT u.locale, o.slug, o.name, o.crisis_resources, o.crisis_lines, o.default_locale, m.roles && $2::text[] AS staff
FROM users u LEFT JOIN org_members m ON m.user_id = u.id LEFT JOIN orgs o ON o.id = m.org_id
WHERE u.id = $1 ORDER BY m.created_at, o.id
"""


class StaffOrg(msgspec.Struct, frozen=True):
    slug: str
    name: str


class Reader(msgspec.Struct, frozen=True):
    crisis_line: str | None  # of their first organization
    staff_orgs: list[StaffOrg]  # where they are an admin or coordinator, oldest membership first
    locale: str | None = None  # their saved language (None: not chosen)
    org_locale: str | None = None  # their first organization's default language
    crisis_lines: list | None = None  # their first organization's lines as stored (coord.orgs.crisis)


async def reader(conn: asyncpg.Connection, user_id: UUID) -> Reader:
    rows = await conn.fetch(MY_ORGS, user_id, list(STAFF))
    first = rows[0] if rows else None
    return Reader(crisis_line=first["crisis_resources"] if first else None,
                  staff_orgs=[StaffOrg(r["slug"], r["name"]) for r in rows if r["staff"]],
                  locale=first["locale"] if first else None, org_locale=first["default_locale"] if first else None,
                  crisis_lines=first["crisis_lines"] if first else None)
