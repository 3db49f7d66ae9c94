"""Record a domain event in the caller's transaction, with a NOTIFY wake-up (one statement).

Services call `record` inside the same transaction as the change, so the event
exists if and only if the change committed. pg_notify is delivered at commit.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from coord.kernel.observability import current_request_id
from coord.outbox.domain_events import Event, event_kind

NOTIFY_CHANNEL = "coord_outbox"

# The row and its wake-up in one round trip (the notification still goes out at commit).
INSERT_EVENT = """
WITH event AS (
    INSERT INTO outbox (kind, payload, request_id) VALUES ($1, $2::jsonb, $3) RETURNING event_id
)
SELECT event_id, pg_notify($4, '') FROM event
"""


async def record(conn: asyncpg.Connection, event: Event) -> UUID:
    if not conn.is_in_transaction():
        raise RuntimeError("outbox.record must run inside the transaction of the change it describes")
    return await conn.fetchval(
        INSERT_EVENT, event_kind(event), msgspec.to_builtins(event), current_request_id(), NOTIFY_CHANNEL
    )


INSERT_EVENTS = """
WITH events AS (
    INSERT INTO outbox (kind, payload, request_id)
    SELECT k, p, $3 FROM unnest($1::text[], $2::jsonb[]) AS e (k, p)
)
SELECT pg_notify($4, '')
"""


async def record_many(conn: asyncpg.Connection, events: list[Event]) -> None:
    """`record` for many events in one statement (a bulk import's)."""
    if not conn.is_in_transaction():
        raise RuntimeError("outbox.record must run inside the transaction of the change it describes")
    if not events:
        return
    await conn.execute(INSERT_EVENTS, [event_kind(e) for e in events],
                       [msgspec.to_builtins(e) for e in events], current_request_id(), NOTIFY_CHANNEL)
