"""The API's cache of accounts checked for a token, and how every API process hears of a change.

A change to an account (its token version, name, timezone, address, confirmation, erasure)
calls `account_changed` in the transaction that makes it: the process forgets the account at
once, and `pg_notify` tells every process (this one too) when, and only if, the change
commits, so none can keep the old row once the new one is visible. Each API process listens
on a connection of its own (`AccountListener`); while it is not listening (starting, or
PostgreSQL away) it caches nothing, since it could miss a change. A connection can also stop
hearing without closing (a network that drops packets silently, a transaction-mode pooler
that never forwards notices): the listener sends itself a heartbeat notice every few seconds,
and one not heard back in time counts as a lost connection.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from typing import Any
from uuid import UUID

import asyncpg

from coord.kernel.access import CurrentUser

log = logging.getLogger("coord.auth")

CHANNEL = "coord_accounts"
# Heartbeats share the channel; their payload can never be an account id.
HEARTBEAT_PREFIX = "heartbeat:"


class AccountCache:
    """Accounts confirmed live for a token version. Saves a connection and a round trip on
    every authenticated API request; `ttl` only bounds how long an unused entry stays."""

    def __init__(self, ttl: float = 60.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self.listening = False  # set by AccountListener: without it, a change could be missed
        # Bumped by every forget: a row read before a change, put after its notice, is not kept.
        self.epoch = 0
        self._entries: OrderedDict[tuple[UUID, int], tuple[float, CurrentUser]] = OrderedDict()

    def get(self, key: tuple[UUID, int]) -> CurrentUser | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic() or not self.listening:
            return None
        return entry[1]

    def put(self, key: tuple[UUID, int], user: CurrentUser, read_at_epoch: int) -> None:
        """Keep `user`, read when `epoch` was `read_at_epoch`, unless an account changed since."""
        if not self.listening or read_at_epoch != self.epoch:
            return
        self._entries[key] = (time.monotonic() + self.ttl, user)
        self._entries.move_to_end(key)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def forget(self, user_id: UUID) -> None:
        self.epoch += 1
        for key in [k for k in self._entries if k[0] == user_id]:
            del self._entries[key]

    def clear(self) -> None:
        self.epoch += 1
        self._entries.clear()


accounts = AccountCache()


async def account_changed(conn: asyncpg.Connection, user_id: UUID) -> None:
    """Call in the transaction that changes the account's row."""
    accounts.forget(user_id)
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, str(user_id))


class AccountListener:
    """Listens for `account_changed` notices for as long as the app runs, reconnecting after a
    loss; the cache is on only while a connection listens."""

    def __init__(self, dsn: str, cache: AccountCache = accounts, *,
                 heartbeat_s: float = 10.0, heard_within_s: float = 5.0) -> None:
        self.dsn = dsn
        self.cache = cache
        self.stopping = asyncio.Event()
        self.heartbeat_s = heartbeat_s
        self.heard_within_s = heard_within_s
        self._heartbeat = f"{HEARTBEAT_PREFIX}{uuid.uuid4().hex}"  # this listener's own
        self._echo = asyncio.Event()
        self.heartbeats_heard = 0  # since start, over every connection

    def _heard(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload.startswith(HEARTBEAT_PREFIX):  # another process's heartbeat says nothing
            if payload == self._heartbeat:
                self._echo.set()
            return
        try:
            self.cache.forget(UUID(payload))
        except ValueError:
            self.cache.clear()

    async def run(self) -> None:
        self._backoff = 0.5
        while not self.stopping.is_set():
            conn: asyncpg.Connection | None = None
            lost = asyncio.Event()
            try:
                conn = await asyncpg.connect(self.dsn, timeout=5,
                                             server_settings={"application_name": "coord-accounts"})
                conn.add_termination_listener(lambda _conn: lost.set())
                await conn.add_listener(CHANNEL, self._heard)
                self.cache.clear()  # whatever was kept before may have missed a notice
                self.cache.listening = True
                await _first(lost.wait(), self.stopping.wait(), self._until_deaf(conn))
            except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("the account cache is off: cannot listen for account changes (%s); "
                            "retrying in %.1fs", exc, self._backoff)
            finally:
                self.cache.listening = False
                self.cache.clear()
                if conn is not None and not conn.is_closed():
                    conn.terminate()
            if not self.stopping.is_set():
                await _first(asyncio.sleep(self._backoff), self.stopping.wait())
                # Back to short waits only once a connection has heard its heartbeat.
                self._backoff = min(self._backoff * 2, 10.0)

    async def _until_deaf(self, conn: asyncpg.Connection) -> None:
        """Returns when this listener's own heartbeat notice did not come back in time."""
        while True:
            await asyncio.sleep(self.heartbeat_s)
            self._echo.clear()
            try:
                await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, self._heartbeat,
                                   timeout=self.heard_within_s)
                await asyncio.wait_for(self._echo.wait(), self.heard_within_s)
                self.heartbeats_heard += 1
                self._backoff = 0.5
            except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("the account cache is off: its listener did not hear its own heartbeat "
                            "within %.1fs (%s); notices may not be reaching it (a silent network, or a "
                            "transaction-mode pooler: the listener needs a session of its own); "
                            "reconnecting", self.heard_within_s, type(exc).__name__)
                return

    def stop(self) -> None:
        self.stopping.set()


async def _first(*waits: Any) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
