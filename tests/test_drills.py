"""Fault drills against real processes: a worker killed with SIGKILL mid-batch.

What each drill showed is printed (pytest -s, or the CI log on failure)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest
from aiosmtpd.controller import Controller

from coord.embedded import free_port
from tests.conftest import TEST_SECRET, MailSink


class SlowSink(MailSink):
    """Takes a moment per message, so a batch is surely in flight when the worker dies."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.25)
        return await super().handle_DATA(server, session, envelope)


def _worker(database_url: str, redis_url: str, smtp_url: str, data_dir: str, log) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
    env.update(
        COORD_DATABASE_URL=database_url, COORD_REDIS_URL=redis_url, COORD_SMTP_URL=smtp_url,
        COORD_DATA_DIR=data_dir, COORD_SECRET_KEY=TEST_SECRET, COORD_JOB_TIMEOUT_SECONDS="3",
    )
    return subprocess.Popen([sys.executable, "-m", "coord", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.mark.slow
async def test_worker_killed_mid_batch_every_message_once(database_url, redis_url, tmp_path, pool, redis, api):
    sink = SlowSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    smtp_url = f"smtp://127.0.0.1:{controller.port}"
    log = open(tmp_path / "workers.log", "wb")
    try:
        admin = await api.user()
        org = await api.org(admin)
        people = [await api.user() for _ in range(20)]
        for person in people:
            await api.member(org, admin, person, "volunteer")

        first = _worker(database_url, redis_url, smtp_url, str(tmp_path), log)
        deadline = time.monotonic() + 60
        while len(sink.messages) < 5:
            assert time.monotonic() < deadline and first.poll() is None, "the first worker never got going"
            await asyncio.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        at_kill = len(sink.messages)

        second = _worker(database_url, redis_url, smtp_url, str(tmp_path), log)
        try:
            deadline = time.monotonic() + 90
            while len({m["To"] for m in sink.messages}) < len(people):
                assert time.monotonic() < deadline, f"only {len(sink.messages)} of {len(people)} delivered"
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)  # anything duplicated would arrive now
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
        recipients = [m["To"] for m in sink.messages]
        print(f"\ndrill: worker SIGKILLed after {at_kill} of {len(people)} welcomes; a new worker delivered the "
              f"rest: {len(recipients)} messages to {len(set(recipients))} people, duplicates: "
              f"{len(recipients) - len(set(recipients))}")
        assert sorted(recipients) == sorted(p.email for p in people)
        statuses = await pool.fetch("SELECT status, count(*) FROM deliveries GROUP BY status")
        assert {r["status"]: r["count"] for r in statuses} == {"sent": len(people)}
    finally:
        log.close()
        controller.stop()
