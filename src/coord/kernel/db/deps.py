"""Per-request dependencies: one pooled connection in one transaction.

The transaction commits when the handler returns and rolls back if it raises, in
both cases before the response is sent, so a client never sees a success that
was not committed. Services assume they run inside it.
"""

from __future__ import annotations

from typing import AsyncGenerator

import asyncpg
from litestar import Request
from litestar.datastructures import State
from redis.asyncio import Redis

from coord.kernel.db.pool import acquire_timeout


# A route that only reads says so with `opt={READ_ONLY: True}`: it gets its connection
# without BEGIN and COMMIT (two round trips of a request that needs neither: under READ
# COMMITTED each statement sees its own snapshot either way).
READ_ONLY = "read_only"


async def provide_db(request: Request) -> AsyncGenerator[asyncpg.Connection, None]:
    # The pool from the request's app, not a `state` parameter: each parameter of a dependency
    # is another value Litestar resolves and checks on every request.
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire(timeout=acquire_timeout(pool)) as conn:
        if request.route_handler.opt.get(READ_ONLY):
            yield conn
            return
        async with conn.transaction():
            yield conn


async def provide_redis(state: State) -> Redis:
    return state.redis
