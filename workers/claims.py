"""A long job's claim on itself (see workers.settings.CoordWorker)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from arq.constants import in_progress_key_prefix


@contextlib.asynccontextmanager
async def keep_claim(ctx: dict[str, Any]) -> AsyncIterator[None]:
    """While a long job runs, renew its in-progress mark (see CoordWorker), so no other worker
    starts it too; if this worker dies, the mark lapses and another one runs it again."""
    redis, job_id = ctx.get("redis"), ctx.get("job_id")
    if redis is None or job_id is None:  # called directly, not by a worker
        yield
        return
    key, lasting_ms = in_progress_key_prefix + job_id, int((ctx.get("job_timeout_s", 60) + 10) * 1000)

    async def renew() -> None:
        while True:
            await redis.psetex(key, lasting_ms, b"1")
            await asyncio.sleep(lasting_ms / 3000)

    renewing = asyncio.create_task(renew())
    try:
        yield
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
