"""Where an invite's latency goes: each steady-phase invite split into stages, from
instants the system records anyway (no timing code in the worker):

    commit      the signup's transaction committed (this process)
    enqueued    the relay enqueued its arq job (arq's enqueue_time)
    started     arq started the job (arq's start_time, in the job's result)
    ensured     its `deliveries` row was created (created_at: the autocommitted insert)
    locked      the delivery transaction began (sent_at is now(), the transaction's start)
    rcpt        the sink answered RCPT TO (facts read, message built, MAIL FROM sent)
    accepted    the sink accepted the message (end of DATA)

Logged as a table: each stage's p50/p99 over all invites, and its median over the
slowest 1%, so a tail shows which stage it comes from.
"""

from __future__ import annotations

import itertools
import logging
import statistics
from collections.abc import Sequence
from datetime import datetime

from arq.connections import create_pool
from arq.jobs import deserialize_result

from coord.kernel.redis_settings import connection_settings

log = logging.getLogger("bench")

STAGES = ("commit", "enqueued", "started", "ensured", "locked", "rcpt", "accepted")
JOB = "send_booking_message"


def _ts(value: datetime) -> float:
    return value.timestamp()


async def stage_instants(
    redis_url: str, pool, committed: Sequence[tuple[str, float]], rcpt: dict[str, float], accepted: dict[str, float]
) -> list[dict[str, float]]:
    """One dict of stage -> instant (epoch seconds) per committed invite that has them all."""
    redis = await create_pool(connection_settings(redis_url))
    try:
        keys = [key async for key in redis.scan_iter(match=f"arq:result:{JOB}:*", count=1000)]
        results = [deserialize_result(raw) for raw in await redis.mget(keys)] if keys else []
    finally:
        await redis.aclose()
    by_event = {str(r.args[0]): r for r in results}
    rows = await pool.fetch(
        """
        SELECT d.event_id::text AS event_id, u.email, d.created_at, d.sent_at
        FROM deliveries d JOIN users u ON u.id = d.user_id
        WHERE d.event_id = ANY($1::uuid[])
        """,
        list(by_event),
    )
    commit_at = dict(committed)
    instants = []
    for row in rows:
        job, email = by_event[row["event_id"]], row["email"]
        if email not in commit_at or row["sent_at"] is None or email not in rcpt:
            continue
        instants.append({
            "commit": commit_at[email], "enqueued": _ts(job.enqueue_time), "started": _ts(job.start_time),
            "ensured": _ts(row["created_at"]), "locked": _ts(row["sent_at"]), "rcpt": rcpt[email],
            "accepted": accepted[email],
        })  # fmt: skip
    return instants


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def log_breakdown(instants: list[dict[str, float]]) -> None:
    if not instants:
        log.warning("  stages: no invite had every instant recorded")
        return
    total = [i["accepted"] - i["commit"] for i in instants]
    slow_cut = _pct(total, 0.99)
    slow = [i for i, t in zip(instants, total) if t >= slow_cut]
    log.info("  stages over %s invites (slowest 1%%: %s, from %.0f ms), ms:", len(instants), len(slow), slow_cut * 1000)
    first = min(i["commit"] for i in instants)
    log.info("    the slowest 1%% committed %s s into the phase", ", ".join(
        f"{t:.1f}" for t in sorted(round(i["commit"] - first, 1) for i in slow)))
    log.info("    %-22s %8s %8s %8s %12s", "stage", "p50", "p99", "max", "slow-1% p50")
    for before, after in itertools.pairwise(STAGES):
        spans = [(i[after] - i[before]) * 1000 for i in instants]
        slow_spans = [(i[after] - i[before]) * 1000 for i in slow]
        log.info("    %-22s %8.1f %8.1f %8.1f %12.1f", f"{before}->{after}", _pct(spans, 0.5), _pct(spans, 0.99),
                 max(spans), statistics.median(slow_spans))
    log.info("    %-22s %8.1f %8.1f %8.1f %12.1f", "commit->accepted", _pct(total, 0.5) * 1000,
             _pct(total, 0.99) * 1000, max(total) * 1000, statistics.median(t * 1000 for t in total if t >= slow_cut))
