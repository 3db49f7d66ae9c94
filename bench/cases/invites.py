"""Invites end to end: commit of a signup -> relay -> arq job -> SMTP accepted.

A real `coord worker` (worker + relay) runs as a separate process against a
real SMTP server in this process (aiosmtpd on loopback).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from uuid import UUID

import psutil
from aiosmtpd.controller import Controller

from bench.cases.invite_stages import log_breakdown, stage_instants
from bench.cases.signup import _pairs, _shifts, _volunteers
from bench.environment import SECRET_KEY
from bench.registry import Context, benchmark, result
from coord.embedded import free_port
from coord.shifts.signups import sign_up

log = logging.getLogger("bench")
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
STEADY_RATE = 100  # events per second
STEADY_SECONDS = float(os.environ.get("COORD_BENCH_INVITE_SECONDS", "60"))
RSS_EVENTS = 10_000


class Sink:
    def __init__(self) -> None:
        self.rcpt: dict[str, float] = {}  # RCPT TO answered: the job had built its message
        self.accepted: dict[str, float] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt[address] = time.time()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            self.accepted[rcpt] = time.time()
        return "250 OK"


def _start_worker(ctx: Context, smtp_port: int, data_dir: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
    env.update(
        COORD_DATABASE_URL=ctx.database_url, COORD_REDIS_URL=ctx.redis_url, COORD_SECRET_KEY=SECRET_KEY,
        COORD_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", COORD_DATA_DIR=data_dir, COORD_LOG_LEVEL="WARNING",
    )
    return subprocess.Popen([sys.executable, "-m", "coord", "worker"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


async def _wait_delivered(sink: Sink, emails: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while any(e not in sink.accepted for e in emails):
        if time.monotonic() > deadline:
            missing = sum(e not in sink.accepted for e in emails)
            raise AssertionError(f"{missing} of {len(emails)} invites not delivered in {timeout:.0f}s")
        await asyncio.sleep(0.05)


BACKLOG = 1000


@benchmark("invites")
async def invites(ctx: Context):
    """invite_latency_p50/p99_ms at a steady 100 events/s; invites_per_second of one worker
    on a backlog; worker_rss_growth: RSS after 10,000 events over RSS after the steady phase.

    Each measured invite goes to a person who gets no other during that phase, so the
    sink's acceptance time for that address belongs to exactly that invite."""
    admin = await ctx.user("invites-admin")
    org_id = UUID((await ctx.org(admin))["id"])
    steady_n = int(STEADY_RATE * STEADY_SECONDS)
    steady_users = await _volunteers(ctx, org_id, steady_n, "s")
    backlog_users = await _volunteers(ctx, org_id, BACKLOG, "b")
    churn_users = await _volunteers(ctx, org_id, 500, "c")
    marker_users = await _volunteers(ctx, org_id, 5, "m")  # fresh addresses: their acceptance ends the run
    warmup_users = await _volunteers(ctx, org_id, 1, "w")
    everyone = steady_users + backlog_users + churn_users + marker_users + warmup_users
    await ctx.pool.execute(
        "INSERT INTO notification_prefs (user_id, quiet_start, quiet_end) SELECT unnest($1::uuid[]), '00:00', '00:00'",
        everyone,
    )
    emails = {r["id"]: r["email"] for r in await ctx.pool.fetch("SELECT id, email FROM users WHERE id = ANY($1)", everyone)}
    steady_shift, backlog_shift, *churn_shifts = await _shifts(ctx, org_id, 42)
    churn = _pairs(churn_shifts, churn_users)
    # Earlier cases in the same run (signups, feeds) and this set-up leave thousands of
    # unpublished events with no relay running. They are not this measurement: set them
    # aside, so the worker starts on an empty queue and each latency is its own invite's.
    await ctx.pool.execute("UPDATE outbox SET published_at = now() WHERE published_at IS NULL")
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    worker = _start_worker(ctx, controller.port, os.environ.get("TMPDIR", "/tmp"))
    process = psutil.Process(worker.pid)

    async def signup(user_id: UUID, shift_id: UUID) -> tuple[str, float]:
        async with ctx.pool.acquire() as conn, conn.transaction():
            await sign_up(conn, user_id, shift_id)
        return emails[user_id], time.time()

    try:
        # One invite through first: the steady phase measures a running worker, not its start
        # (imports, connections, first message built); before this, its slowest 1% were all
        # the invites of the first half second, queued while the worker started.
        await _wait_delivered(sink, [(await signup(warmup_users[0], backlog_shift))[0]], 120)
        # Steady phase: 100 signups a second, each its own transaction, each a new person.
        started, cpu_before = time.monotonic(), sum(process.cpu_times()[:2])
        committed: list[tuple[str, float]] = []
        for n, user_id in enumerate(steady_users):
            await asyncio.sleep(max(0.0, started + n / STEADY_RATE - time.monotonic()))
            committed.append(await signup(user_id, steady_shift))
        await _wait_delivered(sink, [email for email, _ in committed], 300)
        cpu_ms = (sum(process.cpu_times()[:2]) - cpu_before) * 1000 / len(committed)
        log.info("  worker CPU %.2f ms per invite (steady phase; load average %.1f)", cpu_ms, os.getloadavg()[0])
        latencies = sorted(sink.accepted[email] - at for email, at in committed)
        log_breakdown(await stage_instants(ctx.redis_url, ctx.pool, committed, sink.rcpt, sink.accepted))
        rss_steady = process.memory_info().rss

        # Backlog: 1,000 signups committed while the worker is stopped (SIGSTOP), then the time
        # from letting it go on (SIGCONT) to the last acceptance. Committed while it ran, the
        # figure was this process's own signup rate once the worker kept pace with it.
        worker.send_signal(signal.SIGSTOP)
        try:
            committing = time.time()
            backlog = [(await signup(user_id, backlog_shift))[0] for user_id in backlog_users]
            committed_s = time.time() - committing
        finally:
            worker.send_signal(signal.SIGCONT)
        t0, cpu_before = time.time(), sum(process.cpu_times()[:2])
        await _wait_delivered(sink, backlog, 300)
        rate = len(backlog) / (max(sink.accepted[e] for e in backlog) - t0)
        busy = (sum(process.cpu_times()[:2]) - cpu_before) / (len(backlog) / rate)
        log.info("  backlog: %s signups committed in %.2f s with the worker stopped; it then sent them in %.2f s, "
                 "at %.0f%% CPU", len(backlog), committed_s, len(backlog) / rate, busy * 100)

        # Up to 10,000 events in all, then the worker's memory again.
        for _ in range(max(0, RSS_EVENTS - steady_n - BACKLOG - 5)):
            await signup(*next(churn))
        marker = [(await signup(user_id, backlog_shift))[0] for user_id in marker_users]
        await _wait_delivered(sink, marker, 600)
        rss_end = process.memory_info().rss
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        controller.stop()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    yield result("invite_latency_p50_ms", p(0.50), "ms")
    yield result("invite_latency_p99_ms", p(0.99), "ms")
    yield result("invites_per_second", rate, "invites/s")
    yield result("worker_rss_growth", rss_end / 1e6, "MB", baseline=rss_steady / 1e6)
