"""Who registered for an event, for its coordinators (names; every read audited, as group
rosters are). Runs inside the caller's transaction."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from coord.events import queries
from coord.events.schemas import RegistrationRosterOut
from coord.events.service import get_event
from coord.kernel.access import STAFF, require_role
from coord.kernel.audit import audit
from coord.kernel.pagination import KeyBigint, Page, decode_cursor, page_of


async def list_registrations(
    conn: asyncpg.Connection, actor_id: UUID, event_id: UUID, limit: int, cursor: str | None
) -> Page[RegistrationRosterOut]:
    """The people with a place or on the waitlist, in registration order (admins,
    coordinators of the event's organization; its other members 403, anyone else 404)."""
    event = await get_event(conn, actor_id, event_id)
    await require_role(conn, event.org_id, actor_id, STAFF, what="event")
    (after,) = decode_cursor(cursor, tuple[KeyBigint]) or (None,)
    rows = page_of(await conn.fetch(queries.ROSTER, event_id, after, limit + 1), limit, lambda r: (r["queue_order"],))
    await audit(conn, event.org_id, actor_id, "event.roster_read", "event", event_id)
    items = [RegistrationRosterOut(**{k: v for k, v in r.items() if k != "queue_order"}) for r in rows.items]
    return Page(items=items, next_cursor=rows.next_cursor)
