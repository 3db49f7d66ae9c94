"""arq WorkerSettings. `coord worker` runs this worker and the outbox relay."""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import Any

from arq import Worker
from arq.utils import to_ms

from coord.kernel.config import Settings, load_settings
from coord.kernel.db.pool import create_pool
from coord.kernel.redis_settings import connection_settings
from coord.notify.mailer import mailer_from_settings
from coord.outbox.queue import claim_jobs, finish_job
from workers.registry import registry

# Effects are keyed in `deliveries`; arq's own tries only bound the retries.
MAX_TRIES = 10
KEEP_RESULT_S = 24 * 3600  # job ids stay known a day: a re-enqueue is refused
HEALTH_CHECK_S = 30  # `coord worker --check` reads this sentinel
MAX_JOBS = 32  # jobs at once per worker: most time is spent waiting on PostgreSQL and SMTP
# How often an idle worker looks for new jobs: the relay enqueues the moment an event
# commits, so this is most of the commit-to-send latency (one cheap Redis call each).
POLL_DELAY_S = 0.05
# Every job and periodic job, each registered where it is defined (workers/registry.py).
FUNCTIONS = registry.functions
CRON_JOBS = registry.cron_jobs


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx.get("settings") or load_settings()
    ctx["settings"] = settings
    ctx["pool"] = await create_pool(settings.database_url, min_size=1, max_size=MAX_JOBS + 4)
    ctx["mailer"] = mailer_from_settings(settings)


async def shutdown(ctx: dict[str, Any]) -> None:
    mailer = ctx.pop("mailer", None)
    if hasattr(mailer, "close"):
        await mailer.close()
    pool = ctx.pop("pool", None)
    if pool is not None:
        await pool.close()


class CoordWorker(Worker):
    """arq's worker, with one change: arq keeps every job's in-progress mark for the longest
    timeout of any function plus 10 s, so one long job (a directory import, 15 minutes) would
    make a killed worker's welcome email wait 15 minutes for another worker. Here the mark
    lasts the ordinary job timeout plus 10 s (README: a job whose worker died runs again
    then), and a long job keeps its own mark alive while it runs (workers.claims.keep_claim).

    And it claims the jobs of a poll in one Redis round trip (coord.outbox.queue.claim_jobs),
    where arq takes four round trips per job, one job after another: with 32 jobs running on
    the same event loop, each of those waited its turn, and starting jobs became the limit.
    It records a job's end with one Lua script (coord.outbox.queue.finish_job), the same
    writes as arq's MULTI/EXEC of four to six commands, for less of the worker's CPU."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_progress_timeout_s = self.job_timeout_s + 10
        # Between polls it waits for `wake_up` (the relay in the same process enqueued jobs)
        # or poll_delay, whichever is first: a job the relay enqueued starts at once.
        self._woken = asyncio.Event()
        self._idle_s, self.poll_delay_s = self.poll_delay_s, (self.poll_delay_s if self.burst else 0.0)
        # The last poll found more jobs due than it had places for: a backlog. Then finishing jobs
        # wakes the poll as soon as a quarter of the places are free, instead of leaving them
        # empty until the next poll (up to poll_delay later: working off a backlog of 1,000
        # invites, the worker spent 40% of the time idle so).
        self._backlog = False
        self._refill_at = max(1, self.max_jobs // 4)

    def wake_up(self) -> None:
        self._woken.set()

    async def _poll_iteration(self) -> None:
        await super()._poll_iteration()
        if not self.burst:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self._idle_s)
            self._woken.clear()

    def _job_done(self) -> None:
        self._release_sem_dec_counter_on_complete()
        if self._backlog and self.max_jobs - self.job_counter >= self._refill_at:
            self._backlog = False
            self._woken.set()

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        ids = [job_id.decode() for job_id in job_ids[: max(0, self.max_jobs - self.job_counter)]]
        self._backlog = len(job_ids) > len(ids)
        if not ids:
            return
        for _ in ids:  # never waits: the semaphore has a place for each free job slot
            await self.sem.acquire()
        self.job_counter += len(ids)
        claimed: list[Any] = [None] * len(ids)
        try:
            claimed = await claim_jobs(self.pool, self.queue_name, ids, int(self.in_progress_timeout_s * 1000))
        finally:
            for job_id, score in zip(ids, claimed):
                if score is None:  # running elsewhere, done, or deferred again: not ours
                    self._release_sem_dec_counter_on_complete()
                    continue
                task = self.loop.create_task(self.run_job(job_id, int(float(score))))
                task.add_done_callback(lambda _: self._job_done())
                self.tasks[job_id] = task

    async def finish_job(self, job_id: str, finish: bool, result_data: bytes | None, result_timeout_s: float | None,
                         keep_result_forever: bool, incr_score: int | None, keep_in_progress: float | None) -> None:
        await finish_job(self.pool, self.queue_name, job_id, finished=finish,
                         keep_in_progress_ms=to_ms(keep_in_progress), incr_score=incr_score, result=result_data,
                         result_expiry_ms=None if keep_result_forever else to_ms(result_timeout_s))

    async def finish_failed_job(self, job_id: str, result_data: bytes | None) -> None:
        # As arq: a result kept forever is given expiry 0, which Redis refuses (arq 0.28).
        kept = result_data is not None and (self.keep_result_forever or self.keep_result_s > 0)
        await finish_job(self.pool, self.queue_name, job_id, finished=True, result=result_data if kept else None,
                         result_expiry_ms=0 if self.keep_result_forever else to_ms(self.keep_result_s))


def worker_options(settings: Settings, *, with_cron: bool = True) -> dict[str, Any]:
    """Keyword arguments for arq.Worker, shared by `coord worker` and the tests
    (which run event jobs in burst mode without the periodic ones)."""
    return {
        "functions": FUNCTIONS,
        "cron_jobs": CRON_JOBS if with_cron else [],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": connection_settings(settings.redis_url),
        "ctx": {"settings": settings, "job_timeout_s": settings.job_timeout_seconds},
        "max_tries": MAX_TRIES,
        "keep_result": KEEP_RESULT_S,
        # Also bounds how long a job whose worker was killed waits before it runs again.
        "job_timeout": settings.job_timeout_seconds,
        "poll_delay": POLL_DELAY_S,
        "max_jobs": MAX_JOBS,
        "health_check_interval": HEALTH_CHECK_S,
    }


class WorkerSettings:
    """For `arq workers.settings.WorkerSettings` (coord worker is preferred: it runs the relay too)."""

    functions = FUNCTIONS
    cron_jobs = CRON_JOBS
    on_startup = startup
    on_shutdown = shutdown
    max_tries = MAX_TRIES
    keep_result = KEEP_RESULT_S
    health_check_interval = HEALTH_CHECK_S
    max_jobs = MAX_JOBS
    poll_delay = POLL_DELAY_S
    job_timeout = 60  # COORD_JOB_TIMEOUT_SECONDS' default
    redis_settings = connection_settings(os.environ.get("COORD_REDIS_URL", "redis://127.0.0.1:6379/0"))
