"""Who signed up, for coordinators: names on a shift or on every shift of an event (each
read audited, as group rosters are). Runs inside the caller's transaction."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from coord.kernel.access import STAFF, check_roles, require_role
from coord.kernel.audit import audit
from coord.kernel.pagination import KeyBigint, Page, decode_cursor, page_of
from coord.shifts import queries
from coord.shifts.event_shifts import load_event
from coord.shifts.schemas import RosterSignupOut
from coord.shifts.service import get_shift

EVENT_ROSTER_LIMIT = 2000  # every signup of an event's shifts, for its page


def _page(rows: list[asyncpg.Record], limit: int) -> Page[RosterSignupOut]:
    """`rows` fetched with LIMIT limit+1, in signup order (the cursor is the last queue_order)."""
    page = page_of(rows, limit, lambda r: (r["queue_order"],))
    items = [RosterSignupOut(**{k: v for k, v in r.items() if k != "queue_order"}) for r in page.items]
    return Page(items=items, next_cursor=page.next_cursor)


async def list_signups(
    conn: asyncpg.Connection, actor_id: UUID, shift_id: UUID, limit: int, cursor: str | None
) -> Page[RosterSignupOut]:
    """The people with a place or on the waitlist, in signup order (admins, coordinators; audited)."""
    shift = await get_shift(conn, actor_id, shift_id)
    await require_role(conn, shift.org_id, actor_id, STAFF)
    (after,) = decode_cursor(cursor, tuple[KeyBigint]) or (None,)
    rows = await conn.fetch(queries.ROSTER, shift_id, None, after, limit + 1)
    await audit(conn, shift.org_id, actor_id, "shift.roster_read", "shift", shift_id)
    return _page(rows, limit)


async def event_signups(conn: asyncpg.Connection, actor_id: UUID, event_id: UUID) -> dict[UUID, list[RosterSignupOut]]:
    """Everyone signed up for each shift of the event, by shift (admins, coordinators; one audit entry)."""
    event = await load_event(conn, actor_id, event_id)
    check_roles(event["roles"], STAFF)
    rows = await conn.fetch(queries.ROSTER, None, event_id, None, EVENT_ROSTER_LIMIT)
    await audit(conn, event["org_id"], actor_id, "shift.roster_read", "event", event_id)
    by_shift: dict[UUID, list[RosterSignupOut]] = {}
    for signup in _page(rows, EVENT_ROSTER_LIMIT).items:
        by_shift.setdefault(signup.shift_id, []).append(signup)
    return by_shift
