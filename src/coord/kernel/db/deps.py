"""Per-request dependencies: one pooled connection in one transaction.

The transaction commits when the handler returns and rolls back if it raises, in
both cases before the response is sent, so a client never sees a success that
was not committed. Services assume they run inside it.
"""

from __future__ import annotations

from typing import AsyncGenerator

import asyncpg
from litestar.datastructures import State
from redis.asyncio import Redis

from coord.kernel.db.pool import ACQUIRE_TIMEOUT_S


async def provide_db(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    pool: asyncpg.Pool = state.pool
    async with pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as conn, conn.transaction():
        yield conn


async def provide_redis(state: State) -> Redis:
    return state.redis
