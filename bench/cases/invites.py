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

from bench.cases.signup import _pairs, _shifts, _volunteers
from bench.environment import SECRET_KEY
from bench.registry import Context, benchmark, result
from coord.embedded import free_port
from coord.shifts.signups import sign_up

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
STEADY_RATE = 100  # events per second
STEADY_SECONDS = float(os.environ.get("COORD_BENCH_INVITE_SECONDS", "60"))
RSS_EVENTS = 10_000


class Sink:
    def __init__(self) -> None:
        self.accepted: dict[str, float] = {}

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


@benchmark("invites")
async def invites(ctx: Context):
    """invite_latency_p99_ms (and p50) at a steady 100 events/s; invites_per_second of one
    worker on a backlog; worker_rss_growth: worker RSS after 10,000 events over after 1,000."""
    admin = await ctx.user("invites-admin")
    org_id = UUID((await ctx.org(admin))["id"])
    users = await _volunteers(ctx, org_id, 500, "i")
    await ctx.pool.execute(
        "INSERT INTO notification_prefs (user_id, quiet_start, quiet_end) SELECT unnest($1::uuid[]), '00:00', '00:00'",
        users,
    )
    emails = {r["id"]: r["email"] for r in await ctx.pool.fetch("SELECT id, email FROM users WHERE id = ANY($1)", users)}
    pairs = _pairs(await _shifts(ctx, org_id, 40), users)
    sent_at: dict[str, float] = {}  # one invite per (person, shift): key the recipient+shift by its email
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    worker = _start_worker(ctx, controller.port, os.environ.get("TMPDIR", "/tmp"))
    process = psutil.Process(worker.pid)
    counter = 0

    async def one_signup() -> str:
        nonlocal counter
        user_id, shift_id = next(pairs)
        async with ctx.pool.acquire() as conn, conn.transaction():
            await sign_up(conn, user_id, shift_id)
        counter += 1
        # The sink sees one RCPT per message; tag by person and count (emails repeat across shifts).
        key = f"{emails[user_id]}#{counter}"
        sent_at[key] = time.time()
        return emails[user_id]

    try:
        # Warm up, then the steady phase: 100 signups a second, each its own transaction.
        latencies: list[float] = []
        rss_at_1k = None
        tick = 1 / STEADY_RATE
        started = time.monotonic()
        committed: list[tuple[str, float]] = []
        while time.monotonic() - started < STEADY_SECONDS:
            due = started + len(committed) * tick
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            email = await one_signup()
            committed.append((email, time.time()))
            if len(committed) % 200 == 0:
                # Each person gets several invites over the run: wait for their latest before reusing.
                pass
        await asyncio.sleep(0)
        steady_total = len(committed)
        # Deliveries keyed by recipient only record the latest; measure on a person's first invite.
        first_commit: dict[str, float] = {}
        for email, at in committed:
            first_commit.setdefault(email, at)
        await _wait_delivered(sink, list(first_commit), 120)
        latencies = sorted(sink.accepted[e] - at for e, at in first_commit.items())
        rss_at_1k = process.memory_info().rss

        # Backlog: as fast as the database takes them, then time until the last is accepted.
        sink.accepted.clear()
        backlog = 1000
        t0 = time.time()
        backlog_emails = [await one_signup() for _ in range(backlog)]
        await _wait_delivered(sink, list(set(backlog_emails)), 300)
        rate = len(set(backlog_emails)) / (max(sink.accepted.values()) - t0)

        # Up to 10,000 events in all, then compare the worker's memory.
        remaining = max(0, RSS_EVENTS - steady_total - backlog)
        for _ in range(remaining):
            await one_signup()
        sink.accepted.clear()
        marker = [await one_signup() for _ in range(5)]
        await _wait_delivered(sink, list(set(marker)), 600)
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
    yield result("worker_rss_growth", rss_end / 1e6, "MB", baseline=rss_at_1k / 1e6)
