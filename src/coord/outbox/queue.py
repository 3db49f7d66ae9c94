"""arq's queue operations, one round trip for many jobs.

arq enqueues (ArqRedis.enqueue_job) and claims (Worker.start_jobs) one job at a time,
three and four Redis round trips each. The relay enqueues a batch of events and the
worker claims what one poll found; in a busy worker every round trip waits for its turn
on the event loop, so one at a time made the relay fall seconds behind and starting jobs
the worker's limit (bench invites). These do the same checks atomically in Redis (a Lua
script per job), all of a call's jobs pipelined: the same keys, values and refusals as arq.
The end of a job (Worker.finish_job) is one script too, where arq sends a transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from arq.connections import ArqRedis
from arq.constants import abort_jobs_ss, in_progress_key_prefix, job_key_prefix, result_key_prefix, retry_key_prefix
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


# arq's Worker.finish_job and finish_failed_job as one script, where arq sends a MULTI/EXEC of
# four to six commands per job: building and parsing arq's transactions was a tenth of a busy
# worker's CPU (bench invites), and this one came with every job. KEYS: in-progress key, retry key, job key, result key, abort set, queue;
# ARGV: job id, how long the in-progress mark stays (ms, '' to delete it), '1' when the job is
# finished, score increment ('' for none), result ('' for none), result expiry (ms, '' for none).
# The result is written last: a refused expiry (0 ms, as arq's finish_failed_job gives a result
# kept forever) fails only that SET, as in arq's transaction.
FINISH_JOB = """
if ARGV[2] == '' then redis.call('del', KEYS[1]) else redis.call('pexpire', KEYS[1], ARGV[2]) end
if ARGV[3] == '1' then
  redis.call('del', KEYS[2], KEYS[3])
  redis.call('zrem', KEYS[5], ARGV[1])
  redis.call('zrem', KEYS[6], ARGV[1])
  if ARGV[5] ~= '' then
    if ARGV[6] == '' then redis.call('set', KEYS[4], ARGV[5])
    else redis.call('set', KEYS[4], ARGV[5], 'px', ARGV[6]) end
  end
elseif ARGV[4] ~= '' then
  redis.call('zincrby', KEYS[6], ARGV[4], ARGV[1])
end
return 1
"""


async def finish_job(
    redis: ArqRedis, queue: str, job_id: str, *, finished: bool, keep_in_progress_ms: int | None = None,
    incr_score: int | None = None, result: bytes | None = None, result_expiry_ms: int | None = None,
) -> None:
    """Record the end of a job run as arq's finish_job does, in one atomic Redis call: the
    in-progress mark kept for keep_in_progress_ms or removed; a finished job's keys removed
    and its result stored (result_expiry_ms None: kept forever); otherwise its score in the
    queue moved on by incr_score (a retry)."""
    keys = [in_progress_key_prefix + job_id, retry_key_prefix + job_id, job_key_prefix + job_id,
            result_key_prefix + job_id, abort_jobs_ss, queue]
    args = [job_id, "" if keep_in_progress_ms is None else keep_in_progress_ms, "1" if finished else "",
            incr_score or "", result or b"", "" if result_expiry_ms is None else result_expiry_ms]
    await redis.register_script(FINISH_JOB)(keys=keys, args=args)
