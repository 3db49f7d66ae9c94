"""coord.outbox.queue does in Lua what arq does with commands: the keys it leaves must be arq's."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from arq import Retry, Worker
from arq.constants import (abort_jobs_ss, default_queue_name, in_progress_key_prefix, job_key_prefix,
                           result_key_prefix, retry_key_prefix)
from arq.jobs import Job, JobStatus
from redis.exceptions import ResponseError

from coord.kernel.redis_settings import connection_settings
from workers.settings import CoordWorker

QUEUE = default_queue_name
SCORE = 1_700_000_000_000
PREFIXES = (job_key_prefix, in_progress_key_prefix, retry_key_prefix, result_key_prefix)


async def _noop(ctx):
    return None


async def _job_as_running(redis, job_id: str, *, present: bool) -> None:
    """What Redis holds while a job runs (present) or after its keys expired under it."""
    await redis.zadd(QUEUE, {job_id: SCORE})
    if present:
        await redis.psetex(job_key_prefix + job_id, 90_000, b"job")
        await redis.psetex(in_progress_key_prefix + job_id, 70_000, b"1")
        await redis.setex(retry_key_prefix + job_id, 88400, b"2")
        await redis.psetex(result_key_prefix + job_id, 50_000, b"an earlier result")
        await redis.zadd(abort_jobs_ss, {job_id: SCORE})


async def _state(redis, job_id: str) -> dict[str, object]:
    state: dict[str, object] = {}
    for prefix in PREFIXES:
        state[prefix] = (await redis.get(prefix + job_id), await redis.pttl(prefix + job_id))
    state["queue"] = await redis.zscore(QUEUE, job_id)
    state["abort"] = await redis.zscore(abort_jobs_ss, job_id)
    return state


def _same(arq_state: dict[str, object], coord_state: dict[str, object]) -> bool:
    """Equal, the expiries within a second (the two ran a moment apart); -1/-2 exactly."""
    for name, arq_value in arq_state.items():
        coord_value = coord_state[name]
        if name in PREFIXES:
            (arq_bytes, arq_ttl), (coord_bytes, coord_ttl) = arq_value, coord_value
            if arq_bytes != coord_bytes or (arq_ttl < 0 or coord_ttl < 0) and arq_ttl != coord_ttl:
                return False
            if abs(arq_ttl - coord_ttl) > 1000:
                return False
        elif arq_value != coord_value:
            return False
    return True


async def _outcome(call):
    try:
        await call
    except ResponseError:  # the same refusal from both: a SET with expiry 0
        return ResponseError
    return None


async def test_finish_job_leaves_what_arqs_finish_job_leaves(redis):
    worker = CoordWorker([_noop], redis_pool=redis, handle_signals=False)
    cases = itertools.product(
        (True, False),  # finished
        (None, b"\x80\x05 result \x00\xff"),  # result data
        (3600.0, 0.5),  # result timeout (s)
        (False, True),  # keep the result forever
        (None, 0, 5000, -20),  # score increment
        (None, 60.0),  # keep the in-progress mark (a cron job)
        (True, False),  # the job's keys still there
    )
    for n, (finish, data, timeout_s, forever, incr, keep, present) in enumerate(cases):
        arguments = (finish, data, timeout_s, forever, incr, keep)
        await _job_as_running(redis, f"arq-{n}", present=present)
        await _job_as_running(redis, f"coord-{n}", present=present)
        arq = await _outcome(Worker.finish_job(worker, f"arq-{n}", *arguments))
        coord = await _outcome(worker.finish_job(f"coord-{n}", *arguments))
        assert arq == coord, arguments
        assert _same(await _state(redis, f"arq-{n}"), await _state(redis, f"coord-{n}")), (arguments, present)
        # The same keys, read at once: a result kept 0.5 s expires, and read at the end, arq's
        # (written first) was once gone while coord's was still there.
        arq_keys = {key.decode().replace("arq-", "coord-") for key in await redis.keys(f"*arq-{n}")}
        assert arq_keys == {key.decode() for key in await redis.keys(f"*coord-{n}")}, arguments
    keys = {key.decode() for key in await redis.keys("*")}  # and no other key written
    assert keys <= {*(key for key in keys if "arq-" in key or "coord-" in key), QUEUE, abort_jobs_ss}


@pytest.mark.parametrize("keep", [{"keep_result": 3600}, {"keep_result": 0}, {"keep_result_forever": True}])
async def test_finish_failed_job_leaves_what_arqs_leaves(redis, keep):
    worker = CoordWorker([_noop], redis_pool=redis, handle_signals=False, **keep)
    for n, (data, present) in enumerate(itertools.product((None, b"failed \x00"), (True, False))):
        await _job_as_running(redis, f"arq-{n}", present=present)
        await _job_as_running(redis, f"coord-{n}", present=present)
        arq = await _outcome(Worker.finish_failed_job(worker, f"arq-{n}", data))
        coord = await _outcome(worker.finish_failed_job(f"coord-{n}", data))
        assert arq == coord, (data, present)
        assert _same(await _state(redis, f"arq-{n}"), await _state(redis, f"coord-{n}")), (data, present)


async def _done(ctx):
    return "done"


async def _flaky(ctx):
    if ctx["job_try"] < 3:
        raise Retry(defer=0.05)
    return ctx["job_try"]


async def _broken(ctx):
    raise ValueError("broken")


async def _never_done(ctx):
    raise Retry(defer=0)


class _ArqFinish(CoordWorker):
    finish_job = Worker.finish_job
    finish_failed_job = Worker.finish_failed_job


@pytest.mark.parametrize("worker_class", [CoordWorker, _ArqFinish])  # coord's finish, and arq's for reference
async def test_a_burst_worker_completes_retries_defers_and_fails_jobs(redis, redis_url, worker_class):
    await redis.enqueue_job("_done", _job_id="done")
    await redis.enqueue_job("_done", _job_id="deferred", _defer_by=0.1)
    await redis.enqueue_job("_flaky", _job_id="flaky")
    await redis.enqueue_job("_broken", _job_id="broken")
    await redis.enqueue_job("_never_done", _job_id="never")
    worker = worker_class([_done, _flaky, _broken, _never_done], redis_settings=connection_settings(redis_url),
                         burst=True, handle_signals=False, poll_delay=0.01, max_tries=3, keep_result=3600)
    try:
        await worker.main()
    finally:
        await worker.close()
    assert (worker.jobs_complete, worker.jobs_failed, worker.jobs_retried) == (3, 2, 5)
    job_ids = ("done", "deferred", "flaky", "broken", "never")
    results = {job_id: await Job(job_id, redis).result_info() for job_id in job_ids}
    assert results["done"].result == "done" and results["done"].success
    deferred = results["deferred"]
    assert deferred.success and deferred.start_time >= deferred.enqueue_time + timedelta(milliseconds=99)
    assert (results["flaky"].result, results["flaky"].job_try) == (3, 3)
    assert isinstance(results["broken"].result, ValueError) and not results["broken"].success
    assert not results["never"].success and "max 3 retries exceeded" in str(results["never"].result)
    for job_id in results:
        assert await Job(job_id, redis).status() == JobStatus.complete
        keys = (job_key_prefix + job_id, in_progress_key_prefix + job_id, retry_key_prefix + job_id)
        assert await redis.exists(*keys) == 0
        assert 0 < await redis.ttl(result_key_prefix + job_id) <= 3600
    assert await redis.zcard(QUEUE) == 0


async def test_a_worker_behind_claims_freed_places_at_once_not_at_its_next_poll(redis, redis_url):
    """More jobs due than places: as jobs finish, the worker claims more then, not a poll
    delay later (here a minute: everything is done long before one)."""
    import asyncio

    from tests.support import wait_until

    for n in range(12):
        await redis.enqueue_job("_done", _job_id=f"queued-{n}")
    worker = CoordWorker([_done], redis_settings=connection_settings(redis_url), burst=False, handle_signals=False,
                         poll_delay=60, max_jobs=4, keep_result=3600)
    running = asyncio.create_task(worker.main())
    try:
        await wait_until(lambda: worker.jobs_complete == 12 or running.done(), timeout=30,
                         what="12 jobs done by a worker of 4 places that polls once a minute")
        assert not running.done() and worker.jobs_complete == 12
        assert await redis.zcard(QUEUE) == 0
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await worker.close()
