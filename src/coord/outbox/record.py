"""Record a domain event in the caller's transaction; the relay is woken once it has committed.

Services call `record` inside the same transaction as the change, so the event
exists if and only if the change committed. The NOTIFY that wakes the relay goes
out after the COMMIT, from the pool (coord.kernel.db.after_commit: a NOTIFY inside
the transaction would make every event-recording commit in the cluster wait for
the one before it).
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from coord.kernel.observability import current_request_id
from coord.outbox.domain_events import Event, event_kind

NOTIFY_CHANNEL = "coord_outbox"

INSERT_EVENT = "INSERT INTO outbox (kind, payload, request_id) VALUES ($1, $2::jsonb, $3) RETURNING event_id"

INSERT_EVENTS = """
INSERT INTO outbox (kind, payload, request_id)
SELECT k, p, $3 FROM unnest($1::text[], $2::jsonb[]) AS e (k, p)
"""


async def _wake_relay_after_commit(conn: asyncpg.Connection) -> None:
    if not conn.is_in_transaction():
        raise RuntimeError("outbox.record must run inside the transaction of the change it describes")
    try:
        notify_after_commit = conn.notify_after_commit  # coord's pooled connections (coord.kernel.db.pool)
    except AttributeError:  # a connection of asyncpg's own (a script, a test): NOTIFY at its commit
        await conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
    else:
        notify_after_commit(NOTIFY_CHANNEL)


async def record(conn: asyncpg.Connection, event: Event) -> UUID:
    await _wake_relay_after_commit(conn)
    return await conn.fetchval(INSERT_EVENT, event_kind(event), msgspec.to_builtins(event), current_request_id())


async def record_many(conn: asyncpg.Connection, events: list[Event]) -> None:
    """`record` for many events in one statement (a bulk import's)."""
    if not events:
        return
    await _wake_relay_after_commit(conn)
    await conn.execute(INSERT_EVENTS, [event_kind(e) for e in events],
                       [msgspec.to_builtins(e) for e in events], current_request_id())
