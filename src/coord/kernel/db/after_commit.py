"""NOTIFY after commit, from the pool, instead of inside the transaction that changed the data.

PostgreSQL serializes the commits of every transaction that issued a NOTIFY: at commit each
takes one lock for the whole cluster and keeps it until its commit record is flushed to disk
(so the notification queue stays in commit order). A pg_notify in every signup's transaction
made all signups commit one at a time, each waiting out the previous one's WAL flush: under a
load of signups a third of the backends stood in that queue (`Lock:object` in
pg_stat_activity), and with a disk that takes a millisecond to flush it caps the whole service
near a thousand writes a second however many cores it has.

Here a transaction only says which channels to wake once it has committed
(`Connection.notify_after_commit`). After the COMMIT the pool's `Notifier` sends them from a
transaction of its own, and coalesces: while one notification is on its way, and for
NOTIFY_GAP_S after it, the commits that follow wait for the next. A listener woken by it sees
every row committed before it was sent. One lost (the process dies between the COMMIT and
the NOTIFY, PostgreSQL is away) is what the listeners' polling covers.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
from asyncpg.transaction import Transaction

log = logging.getLogger("coord.db")

# Its own transaction, committed without waiting for the flush: it carries no data, so its
# commit record need not be durable, and the cluster-wide lock is held for microseconds.
# The least time between two notifications of one process. One per round trip was a
# transaction of its own (an XID, a turn of the cluster's NOTIFY lock, a commit record) for
# every four or five signups under load. With this gap it is one for every eight or nine, and
# signups over HTTP ran 6% faster (four alternating pairs, bench signup_http_vs_raw, 6 December
# 2026; 20 ms measured the same as 5). A relay woken reads everything committed, so waking it
# more often buys nothing; an invite's latency grows by at most this much.
NOTIFY_GAP_S = 0.005

NOTIFY = "SELECT set_config('synchronous_commit', 'off', true), pg_notify(c, '') FROM unnest($1::text[]) AS c"


class Notifier:
    """One pool's notifications after commit: at most one on its way at a time."""

    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None  # set once the pool exists
        self._channels: set[str] = set()
        self._sending: asyncio.Task[None] | None = None

    def soon(self, channels: set[str]) -> None:
        self._channels |= channels
        if self._sending is None:
            self._sending = asyncio.get_running_loop().create_task(self._send())

    async def _send(self) -> None:
        try:
            while self._channels and self.pool is not None:
                channels, self._channels = sorted(self._channels), set()
                await self.pool.execute(NOTIFY, channels)
                await asyncio.sleep(NOTIFY_GAP_S)  # the commits meanwhile share the next one
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            self._channels.clear()
            if self.pool is not None and not self.pool.is_closing():
                log.warning("could not notify %s after commit (%s); its listeners' polling will find the rows",
                            ", ".join(channels), exc)
        finally:
            self._sending = None


class AfterCommitTransaction(Transaction):
    """asyncpg's transaction, handing the channels named inside it to the pool's notifier once
    the outermost block has committed (forgotten when it rolls back)."""

    __slots__ = ("_owner",)

    def __init__(self, connection: Any, isolation: str | None, readonly: bool, deferrable: bool) -> None:
        super().__init__(connection, isolation, readonly, deferrable)
        self._owner = connection

    async def __aenter__(self) -> None:
        owner = self._owner
        if not owner.is_in_transaction():
            owner.after_commit_channels.clear()
        await super().__aenter__()

    async def __aexit__(self, extype: Any, ex: Any, tb: Any) -> None:
        owner = self._owner
        committed = False
        try:
            await super().__aexit__(extype, ex, tb)
            committed = extype is None
        finally:
            if not owner.is_in_transaction():  # the outermost block ended (a savepoint leaves it open)
                channels, owner.after_commit_channels = owner.after_commit_channels, set()
                if committed and channels and owner.notifier is not None:
                    owner.notifier.soon(channels)
