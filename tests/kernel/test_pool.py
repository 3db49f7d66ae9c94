"""The request's acquire timeout: none while a connection is free, the bound once all are taken."""

from __future__ import annotations

import asyncio

from coord.kernel.db.pool import ACQUIRE_TIMEOUT_S, acquire_timeout, create_pool


async def test_the_acquire_timeout_applies_exactly_when_every_connection_is_taken(database_url):
    pool = await create_pool(database_url, min_size=1, max_size=3)
    try:
        taken = []
        # One connected and idle, then slots not connected yet: neither makes an acquire wait.
        assert acquire_timeout(pool) is None
        for _ in range(3):
            assert acquire_timeout(pool) is None
            taken.append(await pool.acquire(timeout=acquire_timeout(pool)))
        assert acquire_timeout(pool) == ACQUIRE_TIMEOUT_S
        assert pool.get_idle_size() == 0  # asyncpg's own (slower) answer agrees

        # With all taken, the bound is what a request waits: an acquire with it waits for a
        # release, and one released in time is handed over.
        waiting = asyncio.ensure_future(pool.acquire(timeout=acquire_timeout(pool)))
        await asyncio.sleep(0)
        assert not waiting.done()
        await pool.release(taken.pop())
        taken.append(await asyncio.wait_for(waiting, 5))
        assert acquire_timeout(pool) == ACQUIRE_TIMEOUT_S

        await pool.release(taken.pop())
        assert acquire_timeout(pool) is None and pool.get_idle_size() == 1
        for conn in taken:
            await pool.release(conn)
        assert acquire_timeout(pool) is None and pool.get_idle_size() == 3
    finally:
        await pool.close()
