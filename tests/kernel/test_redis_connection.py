"""coord's Redis connections survive an event loop that was kept busy while one was being made.

CI once failed so: a burst worker running many jobs on a loaded two-core box did not get
back to its loop for over a second while arq's job start opened a Redis connection; Redis
had accepted it, but the one-second connect timeout fired first, and the job start raised."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis.exceptions
from arq import create_pool
from arq.connections import RedisSettings

from coord.kernel.redis_settings import CONNECT_TIMEOUT_S, connection_settings

STALL_S = 1.5  # longer than arq's default connect timeout, well within coord's


async def _ping_while_the_loop_stalls(settings: RedisSettings) -> bool:
    client = await create_pool(settings)
    try:
        await client.connection_pool.disconnect()  # the ping below has to open a connection
        ping = asyncio.ensure_future(client.ping())
        # Runs right after the ping's first step, which starts connecting and waits on the loop.
        asyncio.get_running_loop().call_soon(time.sleep, STALL_S)
        return await ping
    finally:
        await client.aclose()


async def test_a_connection_opened_while_the_loop_is_busy_for_a_moment_is_kept(redis_url):
    assert STALL_S < CONNECT_TIMEOUT_S
    assert await _ping_while_the_loop_stalls(connection_settings(redis_url)) is True


async def test_arqs_own_default_gives_up_on_that_same_connection(redis_url):
    # The control: the stall above is what breaks a connect with a one-second timeout.
    defaults = RedisSettings.from_dsn(redis_url)
    assert defaults.conn_timeout < STALL_S
    with pytest.raises(redis.exceptions.TimeoutError):
        await _ping_while_the_loop_stalls(defaults)
