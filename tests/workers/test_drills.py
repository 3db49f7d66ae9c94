"""Fault drills against real processes: a worker killed with SIGKILL mid-batch,
PostgreSQL stopped under load.

What each drill showed is printed (pytest -s, or the CI log on failure)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import pytest
from aiosmtpd.controller import Controller

from coord.embedded import free_port
from tests.conftest import TEST_SECRET, MailSink
from tests.moments import now
from tests.support import coord_serve, wait_until


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


# Workers of this test's database whose UPDATE recording a sent message waits for the
# gate's table lock ($1: the gate's backend pid).
RECORDING_BLOCKED = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND $1 = ANY(pg_blocking_pids(pid)) AND query LIKE '%SET status = ''sent''%'
"""
WELCOMES = "SELECT u.email, d.id, d.status FROM deliveries d JOIN users u ON u.id = d.user_id WHERE d.kind = 'welcome'"


@pytest.mark.slow
async def test_worker_killed_before_recording_accepted_mail_resends_only_that_with_the_same_message_id(
    database_url, redis_url, tmp_path, pool, redis, api
):
    """SMTP has no two-phase commit: a message the server accepted whose delivery row the
    worker had not committed yet when it was SIGKILLed is sent again by the retried job.
    The drill holds that window open (a table lock stops the UPDATE recording 'sent'),
    kills the worker mid-batch inside it, and checks: everyone gets their welcome; the
    accepted-but-unrecorded ones, and only those, come twice; every copy of a person's
    message carries the delivery row's own Message-ID, so mail clients fold the pair."""
    sink = SlowSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    smtp_url = f"smtp://127.0.0.1:{controller.port}"
    log = open(tmp_path / "workers.log", "wb")
    first = None
    try:
        admin = await api.user()
        org = await api.org(admin)
        people = [await api.user() for _ in range(20)]
        for person in people:
            await api.member(org, admin, person, "volunteer")

        first = _worker(database_url, redis_url, smtp_url, str(tmp_path), log)
        await wait_until(lambda: len(sink.messages) >= 5 or first.poll() is not None, timeout=60,
                         what="the first worker's first welcomes")
        assert first.poll() is None, "the first worker died by itself"
        # The crash window, held open: SHARE mode blocks the UPDATE that records 'sent' (and
        # new inserts), not the row lock a job takes before it sends.
        async with pool.acquire() as gate:
            held_open = gate.transaction()
            await held_open.start()
            try:
                await gate.execute("LOCK TABLE deliveries IN SHARE MODE")
                accepted_unrecorded = await wait_until(
                    lambda: pool.fetchval(RECORDING_BLOCKED, gate.get_server_pid()), timeout=30,
                    what="a worker waiting to record a message the SMTP server accepted")
                first.send_signal(signal.SIGKILL)
                first.wait()
            finally:
                await held_open.rollback()  # the dead worker's UPDATEs now run, and never commit
        at_kill = len(sink.messages)
        assert at_kill < len(people), "the worker finished before the kill: not mid-batch"
        recorded = {r["email"] for r in await pool.fetch(WELCOMES) if r["status"] == "sent"}
        assert recorded, "nothing was recorded before the kill: nothing shows recorded mail is not resent"

        second = _worker(database_url, redis_url, smtp_url, str(tmp_path), log)
        try:
            async def settled() -> bool:  # every row sent and no job left, the killed worker's retries included
                sent = await pool.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'")
                return sent == len(people) and await redis.zcard("arq:queue") == 0
            await wait_until(settled, timeout=90, what="every welcome sent and the queue empty")
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
        recipients = [m["To"] for m in sink.messages]
        duplicates = len(recipients) - len(set(recipients))
        print(f"\ndrill: worker SIGKILLed after {at_kill} of {len(people)} welcomes, with {accepted_unrecorded} accepted "
              f"but unrecorded; a new worker delivered the rest: {len(recipients)} messages to "
              f"{len(set(recipients))} people, resent: {duplicates}")
        assert set(recipients) == {p.email for p in people}
        twice = {to for to in recipients if recipients.count(to) > 1}
        assert all(recipients.count(to) <= 2 for to in twice)
        assert not twice & recorded, "a message recorded as sent before the kill was sent again"
        assert duplicates >= accepted_unrecorded >= 1  # the accepted-but-unrecorded ones went again
        ids_by_recipient: dict[str, set[str]] = {}
        for message in sink.messages:
            ids_by_recipient.setdefault(message["To"], set()).add(str(message["Message-ID"]))
        # One Message-ID per recipient, on every copy, and it is the delivery row's own.
        assert ids_by_recipient == {r["email"]: {f"<{r['id']}@localhost>"} for r in await pool.fetch(WELCOMES)}
        statuses = await pool.fetch("SELECT status, count(*) FROM deliveries GROUP BY status")
        assert {r["status"]: r["count"] for r in statuses} == {"sent": len(people)}
    finally:
        # A drill that failed before its kill must not leave the first worker running: it would
        # take the jobs of every later test session on this Redis database.
        if first is not None and first.poll() is None:
            first.kill()
            first.wait()
        log.close()
        controller.stop()


@pytest.mark.slow
async def test_postgres_restarted_under_load(tmp_path, shared_app):
    """Signups keep coming to a real `coord serve` while its PostgreSQL stops and
    starts again: the outage answers 503 with Retry-After (never a 500), the
    server recovers by itself, and every signup that exists is whole (its event
    recorded with it; capacity held)."""
    from datetime import timedelta

    import asyncpg
    import httpx

    from coord.embedded import EmbeddedPostgres, EmbeddedRedis
    from coord.kernel.db.migrate import migrate
    from tests.support.seeded_org import headers, seed

    postgres, redis_server = EmbeddedPostgres(tmp_path / "pg"), EmbeddedRedis(tmp_path / "redis")
    pg_port = free_port()
    database_url = postgres.start(pg_port).url
    redis_url = redis_server.start().url
    try:
        await migrate(database_url)
        with coord_serve(database_url, redis_url, tmp_path, tmp_path / "serve.log") as base:
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                # An organization, its admin and 30 volunteers with confirmed addresses, inserted with
                # SQL and their tokens minted with the server's secret: registering them through a
                # server that hashes passwords at production cost took ~17 s of a loaded machine, and
                # this drill is about the outage, not signing up.
                seeding = await asyncpg.connect(database_url)
                try:
                    org_id, admin_id, volunteer_ids = await seed(seeding, 30)
                finally:
                    await seeding.close()
                admin = {"headers": headers(shared_app, admin_id)}
                org = {"id": str(org_id)}
                volunteers = [{"headers": headers(shared_app, v)} for v in volunteer_ids]
                start = (now() + timedelta(days=2)).replace(microsecond=0)
                shift_body = {"role": "Greeter", "starts_at": start.isoformat(),
                              "ends_at": (start + timedelta(hours=2)).isoformat(), "capacity": 10}
                shift = (await http.post(f"/api/v1/orgs/{org['id']}/shifts", json=shift_body, headers=admin["headers"])).json()
                statuses: list[int] = []

                async def sign_up(person) -> int:
                    response = await http.post(f"/api/v1/shifts/{shift['id']}/signups", headers=person["headers"])
                    statuses.append(response.status_code)
                    if response.status_code == 503:
                        assert response.headers.get("retry-after")
                    return response.status_code

                async def ready() -> bool:
                    return (await http.get("/ready")).status_code == 200

                # Ten signups surely in flight when PostgreSQL stops: the gate holds the shift
                # row, so each waits inside its transaction, in PostgreSQL, for the lock.
                # (Watched from another connection: inside the gate's transaction,
                # pg_stat_activity would stay the snapshot of its first read.)
                gate, watch = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
                try:
                    await gate.execute("BEGIN")
                    await gate.execute("SELECT 1 FROM shifts WHERE id = $1::uuid FOR UPDATE", shift["id"])
                    in_flight = [asyncio.create_task(sign_up(p)) for p in volunteers[:10]]
                    await wait_until(lambda: watch.fetchval(
                        "SELECT count(*) = 10 FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock'"), timeout=30, what="ten signups waiting inside PostgreSQL")
                    await asyncio.to_thread(postgres.stop)  # the gate dies with it
                finally:
                    gate.terminate()
                    watch.terminate()
                during = [await sign_up(p) for p in volunteers[10:20]]
                await asyncio.gather(*in_flight)
                await asyncio.to_thread(postgres.start, pg_port)
                await wait_until(ready, timeout=30, what="recovery without a restart")
                after = await asyncio.gather(*(sign_up(p) for p in volunteers[20:]))
        print(f"\ndrill: PostgreSQL stopped under load: statuses seen {sorted(set(statuses))}; in flight "
              f"{[t.result() for t in in_flight].count(503)}/{len(in_flight)} answered 503; during the outage "
              f"{during.count(503)}/{len(during)} answered 503; after recovery {after.count(201)}/{len(after)} signed up")
        errors = [line for line in (tmp_path / "serve.log").read_text().splitlines() if '"level": "error"' in line]
        assert 500 not in statuses and set(statuses) <= {201, 503}, "\n".join(errors[:2])
        assert [t.result() for t in in_flight] == [503] * 10
        assert set(during) == {503} and set(after) == {201}
        conn = await asyncpg.connect(database_url)
        try:
            signups = await conn.fetch("SELECT status FROM signups")
            events = await conn.fetchval("SELECT count(*) FROM outbox WHERE kind = 'booking.placed'")
            # Whole: every signup row has its event. A 201 always means a signup exists, and
            # nothing in flight could commit (each waited for the gate's lock until the stop).
            assert len(signups) == events, "a signup without its event (or the reverse): half-written"
            assert len(signups) == statuses.count(201)
            assert sum(s["status"] == "confirmed" for s in signups) == min(10, len(signups))
        finally:
            await conn.close()
    finally:
        redis_server.stop()
        postgres.stop()
