"""The outbox path end to end: change + event in one transaction, relay, job, SMTP."""

from __future__ import annotations

import asyncio
import json
import uuid
from uuid import UUID

import pytest
from arq import create_pool as create_arq_pool

from coord.embedded import EmbeddedRedis, free_port
from coord.kernel.redis_settings import connection_settings
from coord.notify.mailer import mailer_from_settings
from coord.orgs import service as org_service
from coord.orgs.schemas import MemberIn
from coord.outbox.domain_events import MemberAdded
from coord.outbox.record import record
from coord.outbox.relay import Relay, drain
from tests.conftest import make_settings
from tests.support import run_jobs, wait_until
from workers import jobs
from workers.registry import registry


async def test_event_is_written_with_the_change_or_not_at_all(pool, api, client):
    admin, newcomer = await api.user(), await api.user()
    org = await api.org(admin)
    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await org_service.add_member(
            conn, uuid.UUID(admin.id), uuid.UUID(org["id"]), MemberIn(email=newcomer.email, roles=["volunteer"])
        )
        await tx.rollback()
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0
    assert await pool.fetchval("SELECT count(*) FROM org_members WHERE user_id = $1::uuid", newcomer.id) == 0
    await api.member(org, admin, newcomer, "volunteer")
    rows = await pool.fetch("SELECT kind, payload, request_id FROM outbox")
    assert [r["kind"] for r in rows] == ["org.member_added"]
    assert rows[0]["payload"] == {"kind": "org.member_added", "org_id": org["id"], "user_id": newcomer.id}
    assert rows[0]["request_id"]


async def test_member_added_gets_one_welcome_email_over_real_smtp(mail_settings, pool, redis, api, smtp):
    admin, newcomer = await api.user(), await api.user("newcomer")
    org = await api.org(admin)
    await api.member(org, admin, newcomer, "volunteer")
    assert await run_jobs(mail_settings, pool, redis) >= 1
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == newcomer.email
    assert "Welcome" in message["Subject"]
    # The delivery row's id, at the sender's domain (RFC 5322 wants a domain on the right).
    sender_domain = mail_settings.mail_from.rpartition("@")[2]
    assert message["Message-ID"] == f"<{await pool.fetchval('SELECT id FROM deliveries')}@{sender_domain}>"
    assert await pool.fetchval("SELECT published_at IS NOT NULL FROM outbox") is True
    assert await pool.fetchval("SELECT status FROM deliveries") == "sent"
    # Relaying again and running the job again (arq's at-least-once) sends nothing more.
    await drain(pool, redis, registry.routing)
    row = await pool.fetchrow("SELECT event_id, payload FROM outbox")
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings)}
    assert await jobs.send_welcome(ctx, str(row["event_id"]), row["payload"]) == "already_sent"
    await run_jobs(mail_settings, pool, redis)
    assert len(smtp.messages) == 1


async def test_concurrent_duplicate_jobs_send_once(mail_settings, pool, redis, api, smtp):
    admin, newcomer = await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, newcomer, "volunteer")
    row = await pool.fetchrow("SELECT event_id, payload FROM outbox")
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings)}
    results = await asyncio.gather(*(jobs.send_welcome(ctx, str(row["event_id"]), row["payload"]) for _ in range(5)))
    assert sorted(results) == ["already_sent"] * 4 + ["sent"]
    assert len(smtp.messages) == 1


async def test_smtp_refusing_then_accepting_delivers_once(mail_settings, pool, redis, api, smtp, monkeypatch):
    import coord.notify.delivery as delivery

    monkeypatch.setattr(delivery, "BACKOFF_S", (0.2,))  # the real backoff is minutes
    smtp.refuse_with = ["451 4.3.0 try again later", "451 4.3.0 try again later"]
    admin, newcomer = await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, newcomer, "volunteer")
    await run_jobs(mail_settings, pool, redis)
    assert len(smtp.messages) == 1
    row = await pool.fetchrow("SELECT status, attempts FROM deliveries")
    assert (row["status"], row["attempts"]) == ("sent", 3)


async def test_smtp_permanent_refusal_is_a_visible_failed_delivery(mail_settings, pool, redis, api, smtp):
    smtp.refuse_with = ["550 5.1.1 mailbox unavailable"]
    admin, newcomer = await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, newcomer, "volunteer")
    await run_jobs(mail_settings, pool, redis)
    row = await pool.fetchrow("SELECT status, attempts, last_error FROM deliveries")
    assert row["status"] == "failed" and row["attempts"] == 1 and "550" in row["last_error"]
    assert smtp.messages == []


async def test_a_batched_job_is_enqueued_once_per_relay_batch_and_once_only(pool, redis, api):
    """send_welcome goes once per event; invalidate_feeds (batched) once for the relay's batch,
    with every event of it, and relaying the same rows again enqueues nothing new."""
    from arq.constants import default_queue_name

    assert "invalidate_feeds" in registry.routing.batched and "send_welcome" not in registry.routing.batched
    admin = await api.user()
    org = await api.org(admin)
    people = [await api.user() for _ in range(3)]
    for person in people:
        await api.member(org, admin, person, "volunteer")
    await redis.delete(default_queue_name)  # the jobs of the set-up's own events: not this test's
    await pool.execute("UPDATE outbox SET published_at = NULL")
    events = [row["event_id"] for row in await pool.fetch("SELECT event_id FROM outbox ORDER BY id")]
    assert await drain(pool, redis, registry.routing) == len(events)
    queued = sorted(job.decode() for job in await redis.zrange(default_queue_name, 0, -1))
    [batch] = [job for job in queued if job.startswith("invalidate_feeds:")]
    welcomes = [job for job in queued if job.startswith("send_welcome:")]
    assert sorted(welcomes) == sorted(f"send_welcome:{event_id}" for event_id in events[-3:])
    assert batch.startswith("invalidate_feeds:batch-")
    from arq.jobs import Job

    info = await Job(batch, redis).info()
    assert [UUID(outbox_id) for outbox_id, _, _ in info.args[0]] == events  # every event, in order
    await pool.execute("UPDATE outbox SET published_at = NULL")
    await drain(pool, redis, registry.routing)  # the same rows again: the same ids, refused
    assert sorted(job.decode() for job in await redis.zrange(default_queue_name, 0, -1)) == queued


async def test_a_batched_job_runs_a_batch_or_one_event_alone():
    """The wrapper takes the relay's batch, or one event enqueued as a routing without batches
    would (outbox id, payload, request id), and hands the job typed events either way."""
    from uuid import uuid4

    from coord.outbox.domain_events import AttendanceRecorded, MemberAdded, encode_event
    from workers.registry import Registry

    local = Registry(())
    seen = []

    @local.on(MemberAdded, batched=True)
    async def note(ctx, events):
        seen.append(events)
        return len(events)

    first, second = MemberAdded(org_id=uuid4(), user_id=uuid4()), MemberAdded(org_id=uuid4(), user_id=uuid4())
    ids = [uuid4(), uuid4()]
    assert await note({}, [(str(ids[0]), encode_event(first), None), (str(ids[1]), encode_event(second), "r")]) == 2
    assert await note({}, str(ids[0]), encode_event(first), None) == 1
    assert seen == [[(first, ids[0]), (second, ids[1])], [(first, ids[0])]]
    assert local.routing == {"org.member_added": ("note",)} and local.routing.batched == {"note"}
    with pytest.raises(TypeError, match="note cannot handle AttendanceRecorded"):
        await note({}, [(str(uuid4()), {"kind": "session.attendance_recorded", "session_id": str(uuid4())}, None)])


@pytest.fixture
async def own_redis(tmp_path):
    """A Redis of this test's own, so the test can really stop and restart it."""
    server = EmbeddedRedis(tmp_path / "own-redis")
    port = free_port()
    server.start(port)
    yield server, port
    server.stop()


async def test_relay_survives_a_redis_outage_and_delivers_everything_once(
    database_url, tmp_path, pool, redis, api, smtp, own_redis
):
    server, port = own_redis
    own_url = f"redis://127.0.0.1:{port}/0"
    settings = make_settings(database_url, own_url, tmp_path, COORD_SMTP_URL=smtp.url)
    relay_redis = await create_arq_pool(connection_settings(own_url))
    failures: list[BaseException] = []  # what the relay met, through its error hook
    relay = Relay(database_url, pool, relay_redis, registry.routing, poll_interval=0.1, on_error=failures.append)
    relay_task = asyncio.create_task(relay.run())
    try:
        admin = await api.user()
        org = await api.org(admin)
        first = await api.user()
        await api.member(org, admin, first, "volunteer")
        await wait_until(lambda: _all_published(pool), what="the first event relayed")

        server.stop()  # Redis is really gone now
        failures.clear()
        people = [await api.user() for _ in range(5)]
        for person in people:
            await api.member(org, admin, person, "participant")
        # The relay keeps trying and failing meanwhile: it failed, and tried again.
        await wait_until(lambda: len(failures) >= 2, timeout=20, what="the relay to fail twice while Redis is down")
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 5
        assert not relay_task.done(), "the relay must survive the outage"

        server.start(port)
        await wait_until(lambda: _all_published(pool), timeout=20, what="every held event relayed once Redis is back")
    finally:
        await relay.stop()
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
        await relay_redis.aclose()
    worker_redis = await create_arq_pool(connection_settings(own_url))
    try:
        await run_jobs(settings, pool, worker_redis)
    finally:
        await worker_redis.aclose()
    recipients = sorted(m["To"] for m in smtp.messages)
    print(f"\ndrill: Redis stopped while {len(people)} events were written; the outbox held them, the relay "
          f"survived, and after Redis returned {len(recipients)} messages reached {len(set(recipients))} people")
    assert recipients == sorted([first.email, *[p.email for p in people]])


async def _all_published(pool) -> bool:
    return await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0


async def test_smtp_deferring_then_refusing_ends_as_a_failed_delivery_admins_see(
    mail_settings, pool, redis, api, smtp, client, monkeypatch
):
    import coord.notify.delivery as delivery

    monkeypatch.setattr(delivery, "BACKOFF_S", (0.2,))
    smtp.refuse_with = ["451 4.3.0 try again later", "550 5.1.1 mailbox unavailable"]
    admin, newcomer = await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, newcomer, "volunteer")
    await run_jobs(mail_settings, pool, redis)
    [failed] = (await client.get(f"/api/v1/orgs/{org['id']}/deliveries", headers=admin.headers)).json()["items"]
    print(f"\ndrill: SMTP answered 451 then 550: delivery {failed['status']} after {failed['attempts']} attempts "
          f"({failed['last_error']}); no message accepted: {smtp.messages == []}")
    assert (failed["status"], failed["attempts"]) == ("failed", 2) and "550" in failed["last_error"]
    assert smtp.messages == []


async def test_request_id_follows_the_change_to_the_job(client, api, pool, redis, mail_settings, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="coord.jobs")
    admin, newcomer = await api.user(), await api.user()
    org = await api.org(admin)
    body = {"email": newcomer.email, "roles": ["volunteer"]}
    headers = {**admin.headers, "X-Request-ID": "trace-me-123"}
    response = await client.post(f"/api/v1/orgs/{org['id']}/members", json=body, headers=headers)
    assert response.headers["x-request-id"] == "trace-me-123"
    assert await pool.fetchval("SELECT request_id FROM outbox WHERE kind = 'org.member_added'") == "trace-me-123"
    await run_jobs(mail_settings, pool, redis)
    from coord.kernel.observability import JsonFormatter

    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "coord.jobs"]
    assert any(json.loads(line).get("request_id") == "trace-me-123" and "welcome" in line for line in lines), lines
    # The feeds job ran once for the batch, its line carrying the request id of each change in it.
    [feeds] = [json.loads(line) for line in lines if "invalidate_feeds" in line]
    assert "trace-me-123" in feeds["request_id"].split(","), feeds


async def test_a_relay_that_never_polls_relays_every_event_as_it_commits(database_url, pool, redis):
    """The NOTIFY sent after each commit (coord.kernel.db.after_commit) is what wakes the relay:
    with polling off, bursts of concurrent commits are all relayed."""
    relay = Relay(database_url, pool, redis, registry.routing, poll_interval=3600)
    relay_task = asyncio.create_task(relay.run())

    async def add_member() -> None:
        async with pool.acquire() as conn, conn.transaction():
            await record(conn, MemberAdded(org_id=uuid.uuid4(), user_id=uuid.uuid4()))

    try:
        for burst in range(1, 4):
            await asyncio.gather(*(add_member() for _ in range(20)))
            await wait_until(lambda: _all_published(pool), what=f"burst {burst} relayed with polling off")
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL") == 60
        assert not relay_task.done()
    finally:
        await relay.stop()
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
