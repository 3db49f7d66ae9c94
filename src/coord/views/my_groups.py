"""The groups one person belongs to or asked to join, each with its next session
("My groups"; the facilitator's coverage gaps beside them come from views.coverage)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from coord.kernel import clock
from coord.views import queries


class MyGroup(msgspec.Struct):
    id: UUID
    name: str
    org_name: str
    org_slug: str
    role: str
    status: str
    next_session_id: UUID | None
    next_starts_at: datetime | None
    next_ends_at: datetime | None


async def my_groups(conn: asyncpg.Connection, user_id: UUID, limit: int = 200) -> list[MyGroup]:
    """Only in organizations the person still belongs to."""
    return [MyGroup(**dict(r)) for r in await conn.fetch(queries.MY_GROUPS, user_id, limit, clock.now())]
