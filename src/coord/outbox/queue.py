"""arq's queue operations, one round trip for many jobs.

arq enqueues (ArqRedis.enqueue_job) and claims (Worker.start_jobs) one job at a time,
three and four Redis round trips each. The relay enqueues a batch of events and the
worker claims what one poll found; in a busy worker every round trip waits for its turn
on the event loop, so one at a time made the relay fall seconds behind and starting jobs
the worker's limit (bench invites). These do the same checks atomically in Redis (a Lua
script per job), all of a call's jobs pipelined: the same keys, values and refusals as arq.
"""

from __future__ import annotations

from collections.abc import Sequence

from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix, job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms

# arq's enqueue_job, atomically in Redis: a job whose id is queued, running or has a
# result is refused. KEYS: job key, result key, queue; ARGV: expiry ms, job, score, id.
ENQUEUE_UNLESS_KNOWN = """
if redis.call('exists', KEYS[1], KEYS[2]) > 0 then return 0 end
redis.call('psetex', KEYS[1], ARGV[1], ARGV[2])
redis.call('zadd', KEYS[3], ARGV[3], ARGV[4])
return 1
"""

Job = tuple[str, str, tuple[object, ...]]  # (function name, job id, arguments)


async def enqueue_jobs(redis: ArqRedis, jobs: Sequence[Job]) -> int:
    """Enqueue jobs as arq's enqueue_job would, all in one round trip; return how many
    were new. Raises if Redis fails: then some may be enqueued, and a retry is refused
    those ids, so the caller may simply try them all again."""
    if not jobs:
        return 0
    script = redis.register_script(ENQUEUE_UNLESS_KNOWN)
    queue = redis.default_queue_name
    async with redis.pipeline(transaction=False) as pipe:
        for function, id_, args in jobs:
            now = timestamp_ms()
            body = serialize_job(function, args, {}, None, now, serializer=redis.job_serializer)
            keys = [job_key_prefix + id_, result_key_prefix + id_, queue]
            await script(keys=keys, args=[redis.expires_extra_ms, body, now, id_], client=pipe)
        return sum(await pipe.execute())


# arq's claim of a queued job (Worker.start_jobs) as one atomic step: not running anywhere
# and due, then marked in progress. KEYS: in-progress key, queue; ARGV: job id, now (ms),
# how long the mark lasts (ms). Returns the job's score, or nil when it is not to start here.
CLAIM_JOB = """
if redis.call('exists', KEYS[1]) == 1 then return false end
local score = redis.call('zscore', KEYS[2], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return false end
redis.call('psetex', KEYS[1], ARGV[3], '1')
return score
"""


async def claim_jobs(redis: ArqRedis, queue: str, job_ids: Sequence[str], lasting_ms: int) -> list[bytes | None]:
    """Claim queued jobs for this worker as arq's start_jobs would: for each, its score
    (the job starts here) or None (it runs elsewhere, is done, or was deferred again)."""
    script = redis.register_script(CLAIM_JOB)
    now = timestamp_ms()
    async with redis.pipeline(transaction=False) as pipe:
        for job_id in job_ids:
            await script(keys=[in_progress_key_prefix + job_id, queue], args=[job_id, now, lasting_ms], client=pipe)
        return await pipe.execute()
