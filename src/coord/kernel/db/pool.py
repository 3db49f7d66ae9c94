"""The asyncpg pool and the transaction helpers every service runs inside."""

from __future__ import annotations

from contextlib import asynccontextmanager
from functools import partial
from typing import AsyncIterator

import asyncpg
import msgspec

from coord.kernel.db.after_commit import AfterCommitTransaction, Notifier


async def _init_connection(notifier: Notifier, conn: "Connection") -> None:
    conn.notifier = notifier
    # jsonb in and out through msgspec: outbox payloads are msgspec Structs.
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda value: msgspec.json.encode(value).decode(),
        decoder=msgspec.json.decode,
        schema="pg_catalog",
    )


class Connection(asyncpg.Connection):
    """Returned to the pool as it is: coord takes no session-level locks, cursors, LISTENs or
    SETs on pooled connections (the relay listens on a connection of its own, migrations lock
    on theirs), so asyncpg's reset statement would be a round trip per request for nothing.
    A connection given back inside a transaction is still rolled back (asyncpg does that
    whatever the reset query is)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.notifier: Notifier | None = None  # its pool's (set by the pool's init)
        self.after_commit_channels: set[str] = set()

    def get_reset_query(self) -> str:
        return ""

    def transaction(self, *, isolation: str | None = None, readonly: bool = False,
                    deferrable: bool = False) -> AfterCommitTransaction:
        return AfterCommitTransaction(self, isolation, readonly, deferrable)

    def notify_after_commit(self, channel: str) -> None:
        """NOTIFY `channel` once this transaction has committed, not inside it (after_commit)."""
        if not self.is_in_transaction():
            raise RuntimeError("notify_after_commit must run inside the transaction it follows")
        self.after_commit_channels.add(channel)


# Waiting for a free connection longer than this means trouble: answer 503 instead.
ACQUIRE_TIMEOUT_S = 10.0


def acquire_timeout(pool: asyncpg.Pool) -> float | None:
    """The timeout to acquire with: none while a connection is free, since acquire then returns
    without waiting for another request (a free slot not yet connected connects within the
    pool's own connect timeout), and the pool's timeout costs a task per acquire. Only when
    every connection is taken does the wait need its bound (starvation answers 503).

    Reads asyncpg's queue of free slots: `get_idle_size()` answers the same question by
    scanning all 40 slots, a tenth of `GET /me`'s own work (tests/kernel/test_pool.py holds
    the two to the same answer, so an asyncpg upgrade that moves the queue fails there)."""
    return None if pool._queue.qsize() else ACQUIRE_TIMEOUT_S  # noqa: SLF001


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 40) -> asyncpg.Pool:
    notifier = Notifier()
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=partial(_init_connection, notifier),
        connection_class=Connection,
        command_timeout=30,
        timeout=5,  # connecting: a database that is down must fail fast (503), not hang
        # A server restart must not leave dead connections in the pool for long.
        max_inactive_connection_lifetime=60,
        # JIT compiles a plan when its estimated cost is high, which on big tables is every
        # read coord does: 30-90 ms of compiling for a query that runs in 4 (a roster at
        # 1,000,000 sessions, bench scale_100k_members). coord's queries are short: never.
        server_settings={"application_name": "coord", "jit": "off"},
    )
    notifier.pool = pool
    return pool


@asynccontextmanager
async def transaction(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """One connection in one transaction: what workers and CLI commands use."""
    async with pool.acquire() as conn, conn.transaction():
        yield conn
