"""The outbox relay: committed events become arq jobs, none lost, none twice.

Claims unpublished rows with FOR UPDATE SKIP LOCKED (several relays may run),
enqueues one job per (handler, event) with a deterministic job id, and marks the
rows published only after every enqueue succeeded, in the same transaction. A job
the routing names as batched (an idempotent one, such as dropping cached feeds) is
enqueued once per batch with all of its events instead, its id made from theirs. If
Redis is down the transaction rolls back and the rows wait; a job enqueued twice
across such a retry is refused for its id (as arq's enqueue_job refuses it), and
every effect is keyed in `deliveries` besides. A batch's jobs go to Redis in one
round trip (coord.outbox.queue). LISTEN wakes the relay at once; polling covers a
lost notification or a dropped listener connection.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Callable, Iterable, Mapping

import asyncpg
from arq.connections import ArqRedis

from coord.outbox.queue import enqueue_jobs
from coord.outbox.record import NOTIFY_CHANNEL

log = logging.getLogger("coord.relay")

# The payload as its JSON text: a job decodes text into its typed event in about a microsecond,
# where converting the jsonb codec's dict took 30 (and the dict was decoded here for nothing).
CLAIM_BATCH = """
SELECT id, event_id, kind, payload::text AS payload, request_id
FROM outbox
WHERE published_at IS NULL
ORDER BY id
LIMIT $1
FOR UPDATE SKIP LOCKED
"""
MARK_PUBLISHED = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"

class Routing(dict[str, tuple[str, ...]]):
    """Event kind -> the names of the jobs enqueued for each event of that kind. The jobs in
    `batched` are enqueued once per relay batch, with the (event id, payload, request id) of
    every event of the batch they answer: one job instead of one per event, for jobs whose
    effect is the same however often and however grouped they run."""

    def __init__(self, routes: Mapping[str, tuple[str, ...]] = {}, batched: Iterable[str] = ()) -> None:
        super().__init__(routes)
        self.batched = frozenset(batched)


def job_id(job_name: str, event_id: object) -> str:
    return f"{job_name}:{event_id}"


def batch_job_id(job_name: str, event_ids: Iterable[object]) -> str:
    """The same events give the same id (a retried batch is refused as known); any other set
    of events another id, so none is left out."""
    return f"{job_name}:batch-{uuid.uuid5(uuid.NAMESPACE_URL, ','.join(map(str, event_ids)))}"


def _jobs(rows: list, routing: Mapping[str, tuple[str, ...]]) -> list[tuple[str, str, tuple[object, ...]]]:
    batched: frozenset[str] = getattr(routing, "batched", frozenset())
    jobs, batches = [], {}
    for row in rows:
        enqueued = (str(row["event_id"]), row["payload"], row["request_id"])
        for job_name in routing.get(row["kind"], ()):
            if job_name in batched:
                batches.setdefault(job_name, []).append(enqueued)
            else:
                jobs.append((job_name, job_id(job_name, row["event_id"]), enqueued))
    for job_name, events in batches.items():
        jobs.append((job_name, batch_job_id(job_name, [event_id for event_id, _, _ in events]), (events,)))
    return jobs


async def relay_batch(
    pool: asyncpg.Pool, redis: ArqRedis, routing: Mapping[str, tuple[str, ...]], batch_size: int = 200
) -> int:
    """Publish one batch; return how many events it published."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(CLAIM_BATCH, batch_size)
        if not rows:
            return 0
        await enqueue_jobs(redis, _jobs(rows, routing))
        await conn.execute(MARK_PUBLISHED, [row["id"] for row in rows])
    return len(rows)


async def drain(
    pool: asyncpg.Pool, redis: ArqRedis, routing: Mapping[str, tuple[str, ...]], on_batch: Callable[[], None] | None = None
) -> int:
    """Publish everything waiting (tests, and the relay's catch-up after a wake-up);
    `on_batch` is called after each batch enqueued."""
    total = 0
    while published := await relay_batch(pool, redis, routing):
        total += published
        if on_batch is not None:
            on_batch()
    return total


class Relay:
    def __init__(
        self,
        dsn: str,
        pool: asyncpg.Pool,
        redis: ArqRedis,
        routing: Mapping[str, tuple[str, ...]],
        *,
        poll_interval: float = 2.0,
        on_error: Callable[[BaseException], None] | None = None,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self.dsn = dsn
        self.pool = pool
        self.redis = redis
        self.routing = routing
        self.poll_interval = poll_interval
        self.wake = asyncio.Event()
        self.stopping = asyncio.Event()
        self.on_error = on_error
        # The worker in the same process, told that jobs wait (it need not wait for its next poll).
        self.on_enqueued = on_enqueued
        self._listener: asyncpg.Connection | None = None

    def _notified(self, *_args: object) -> None:
        self.wake.set()

    async def _ensure_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        try:
            self._listener = await asyncpg.connect(self.dsn, server_settings={"application_name": "coord-relay"})
            await self._listener.add_listener(NOTIFY_CHANNEL, self._notified)
        except (OSError, asyncpg.PostgresError) as exc:
            self._listener = None
            log.warning("relay cannot LISTEN (%s); polling every %.1fs until it can", exc, self.poll_interval)

    async def run(self) -> None:
        backoff = 0.5
        while not self.stopping.is_set():
            await self._ensure_listener()
            self.wake.clear()
            try:
                published = await drain(self.pool, self.redis, self.routing, self.on_enqueued)
                if published:
                    log.info("relayed %s events", published)
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis or PostgreSQL away: keep the rows, try again
                log.warning("relay paused: %s: %s (retrying in %.1fs)", type(exc).__name__, exc, backoff)
                if self.on_error:
                    self.on_error(exc)
                await self._sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            await self._sleep(self.poll_interval)

    async def _sleep(self, seconds: float) -> None:
        waits = [asyncio.ensure_future(self.wake.wait()), asyncio.ensure_future(self.stopping.wait())]
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()

    async def stop(self) -> None:
        self.stopping.set()
        if self._listener is not None and not self._listener.is_closed():
            await self._listener.close()
