"""Scale-out (issue 19.6): two `coord serve` processes and two worker processes
(each with its relay) on one PostgreSQL and one Redis behave as one service.

A load of signups, moves and cancellations goes through both APIs at once; then: no shift
holds more people than its capacity, every message went out exactly once per delivery key
(the SMTP server saw each delivery's Message-ID once and nothing else), the login limit
counts attempts on both APIs together, and the outbox is drained."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from uuid import UUID

import httpx
import pytest

from tests.conftest import TEST_SECRET
from tests.moments import at
from tests.support import API, coord_serve, expect, wait_until
from tests.support.seeded_org import headers, seed

CAPACITY = 4
SHIFTS = 3
LOGIN_LIMIT = 5


def _worker(database_url: str, redis_url: str, smtp_url: str, data_dir: str, log, processes: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
    env.update(COORD_DATABASE_URL=database_url, COORD_REDIS_URL=redis_url, COORD_SMTP_URL=smtp_url,
               COORD_DATA_DIR=data_dir, COORD_SECRET_KEY=TEST_SECRET, COORD_LOG_LEVEL="WARNING",
               COORD_WORKER_CONCURRENCY=str(processes))
    return subprocess.Popen([sys.executable, "-m", "coord", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)


async def _settled(pool, redis) -> bool:
    """Nothing left to do now: every event relayed, no job due or running, no message pending."""
    if await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
        return False
    if await redis.zcount("arq:queue", "-inf", int(time.time() * 1000) + 1000):
        return False  # (jobs deferred to later, such as reminders before the shifts, may wait)
    for mark in await redis.keys("arq:in-progress:*"):
        # A job runs while its mark is set and it is still queued (arq removes it from the queue
        # when it finishes). A finished cron job's mark stays 60 s (arq's keep_cronjob_progress,
        # so no other worker runs it twice that minute): that is not work left to do.
        if await redis.zscore("arq:queue", mark.removeprefix(b"arq:in-progress:")) is not None:
            return False
    return not await pool.fetchval("SELECT count(*) FROM deliveries WHERE status = 'pending'")


@pytest.mark.slow
async def test_two_apis_and_two_workers_on_one_database_behave_as_one_service(
    database_url, redis_url, tmp_path, pool, redis, app, smtp
):
    org_id, admin, people = await seed(pool, 24)
    # Tests run at any hour: nobody's mail waits for the morning.
    await pool.execute("INSERT INTO notification_prefs (user_id, quiet_start, quiet_end) "
                       "SELECT unnest($1::uuid[]), '00:00', '00:00'", people)
    limit = dict(COORD_LOGIN_ATTEMPTS_PER_MINUTE=str(LOGIN_LIMIT))
    log = open(tmp_path / "workers.log", "wb")
    workers = []
    # API a is itself two processes (COORD_WEB_CONCURRENCY).
    with coord_serve(database_url, redis_url, tmp_path / "a", tmp_path / "a.log", COORD_WEB_CONCURRENCY="2",
                     **limit) as a, \
            coord_serve(database_url, redis_url, tmp_path / "b", tmp_path / "b.log", **limit) as b:
        try:
            # Two worker processes: one `coord worker` with COORD_WORKER_CONCURRENCY=2, each child a
            # whole worker with its own relay, as two `coord worker` commands would be.
            workers = [_worker(database_url, redis_url, smtp.url, str(tmp_path), log, 2)]
            async with httpx.AsyncClient(timeout=60) as http:
                boss = headers(app, admin)
                shifts = []
                for n in range(SHIFTS):
                    body = {"role": f"Greeter {n}", "starts_at": at(48 + n), "ends_at": at(49 + n), "capacity": CAPACITY}
                    base = (a, b)[n % 2]
                    shifts.append(expect(await http.post(f"{base}{API}/orgs/{org_id}/shifts", json=body, headers=boss), 201))

                # Everyone signs up for every shift, through both APIs at once (16 requests in flight:
                # each process's pool then stays small enough for a database of 100 connections).
                in_flight = asyncio.Semaphore(16)

                async def bounded(request):
                    async with in_flight:
                        return await request

                signups = [bounded(http.post(f"{(a, b)[i % 2]}{API}/shifts/{s['id']}/signups", headers=headers(app, p)))
                           for i, p in enumerate(people) for s in shifts]
                assert {r.status_code for r in await asyncio.gather(*signups)} == {201}

                # Then moves of every shift (through one API) race cancellations by the first
                # confirmed people (through the other) and latecomers' second tries.
                confirmed = await pool.fetch(
                    "SELECT shift_id, user_id FROM signups WHERE status = 'confirmed' ORDER BY queue_order")
                leaving = confirmed[::2]
                moves = [http.patch(f"{a}{API}/shifts/{s['id']}", headers=boss,
                                    json={"starts_at": at(72 + i), "ends_at": at(73 + i)})
                         for i, s in enumerate(shifts)]
                cancels = [http.delete(f"{b}{API}/shifts/{r['shift_id']}/signups/me", headers=headers(app, r["user_id"]))
                           for r in leaving]
                answers = await asyncio.gather(*moves, *cancels)
                assert [r.status_code for r in answers] == [200] * len(moves) + [204] * len(cancels)

                # The login limit is one count across both APIs.
                wrong = {"email": "load-nobody@example.org", "password": "not the password"}
                codes = [(await http.post(f"{(a, b)[i % 2]}{API}/auth/token", json=wrong)).status_code
                         for i in range(LOGIN_LIMIT + 1)]
                assert codes == [401] * LOGIN_LIMIT + [429], codes

                # API a's /metrics counts the signups both of its processes answered (each adds
                # its own within request_metrics.FLUSH_EVERY_S of answering: wait for that, no more).
                signed_up = len(people) * SHIFTS / 2
                seen: list[float] = []

                async def signups_counted() -> bool:
                    metrics = (await http.get(f"{a}/metrics")).text
                    seen.append(sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                                    if line.startswith("litestar_requests_total") and "/signups\"" in line
                                    and 'method="POST"' in line))
                    assert seen[-1] <= signed_up, seen  # never more than were answered
                    return seen[-1] == signed_up
                await wait_until(signups_counted, timeout=5, what=f"{signed_up} signups counted by API a's processes")

                # Logging out everywhere through one API ends the token in the other's account
                # cache when it commits (it would keep it for a minute otherwise).
                someone = headers(app, people[0])
                assert (await http.get(f"{b}{API}/me", headers=someone)).status_code == 200
                assert (await http.post(f"{a}{API}/auth/logout-all", headers=someone)).status_code == 204

                async def ended_in_b() -> bool:
                    return (await http.get(f"{b}{API}/me", headers=someone)).status_code == 401
                await wait_until(ended_in_b, timeout=5, what="API b refusing the token API a logged out")

            await wait_until(lambda: _settled(pool, redis), timeout=120, interval=0.2,
                             what="the outbox drained and every message due sent by the two workers")
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
            log.close()

    for shift in shifts:
        held = await pool.fetchval("SELECT count(*) FROM signups WHERE shift_id = $1 AND status = 'confirmed'",
                                   UUID(shift["id"]))
        waiting = await pool.fetchval("SELECT count(*) FROM signups WHERE shift_id = $1 AND status = 'waitlisted'",
                                      UUID(shift["id"]))
        assert held == CAPACITY and waiting == len(people) - CAPACITY - sum(
            1 for r in leaving if r["shift_id"] == UUID(shift["id"])), "a place was lost or given twice"
    sent = {f"<{r['id']}@localhost>" for r in await pool.fetch("SELECT id FROM deliveries WHERE status = 'sent'")}
    seen = [str(m["Message-ID"]) for m in smtp.messages]
    assert len(seen) == len(set(seen)), "a delivery was sent twice"
    assert set(seen) == sent, "the SMTP server saw mail that no delivery accounts for, or missed some"
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE status = 'failed'") == 0
    # Every placement, promotion, cancellation and move told someone.
    assert len(sent) >= len(people) * SHIFTS
    print(f"\nscale-out: {len(people) * SHIFTS} signups, {len(leaving)} cancellations and {SHIFTS} moves through two "
          f"APIs; two workers sent {len(seen)} messages, each once")
