"""Privacy: export, erasure, retention, and no personal data in events, jobs or logs."""

from __future__ import annotations

import logging
import pickle
from datetime import datetime, timedelta, timezone

from coord.kernel import clock
from coord.kernel.db.pool import transaction
from coord.feeds import cache
from coord.feeds.tokens import hash_token
from coord.outbox.relay import drain
from coord.privacy.service import expire_attendance
from tests.moments import now
from tests.support import PASSWORD, assert_problem, expect, run_jobs
from tests.support.world import past_session, setup
from workers.registry import registry

UTC = timezone.utc


def followups_due(session: dict) -> timedelta:
    """How far to move the clock for the session's follow-ups to go (it ended 31 minutes ago)."""
    return datetime.fromisoformat(session["ends_at"]) + timedelta(minutes=31) - now()


async def shift_with_waitlist(client, s):
    start = (now() + timedelta(days=5)).replace(microsecond=0)
    body = {"role": "Greeter", "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(), "capacity": 1}
    shift = expect(await client.post(f"/api/v1/orgs/{s.org['id']}/shifts", json=body, headers=s.admin.headers), 201)
    expect(await client.post(f"/api/v1/shifts/{shift['id']}/signups", headers=s.participant.headers), 201)
    waiting = expect(await client.post(f"/api/v1/shifts/{shift['id']}/signups", headers=s.bystander.headers), 201)
    assert waiting["status"] == "waitlisted"
    return shift


async def test_export_holds_everything_about_me_and_is_audited(client, api, pool):
    s = await setup(client, api)
    session = await past_session(s)
    sheet = {"records": [{"user_id": s.participant.id, "status": "present"}]}
    expect(await client.put(f"/api/v1/sessions/{session['id']}/attendance", json=sheet, headers=s.facilitator.headers), 200)
    await shift_with_waitlist(client, s)
    data = expect(await client.get("/api/v1/me/export", headers=s.participant.headers), 200)
    assert data["profile"]["email"] == s.participant.email
    assert [g["group_name"] for g in data["groups"]] == [s.group["name"]]
    assert [(a["session_id"], a["status"]) for a in data["attendance"]] == [(session["id"], "present")]
    assert [x["status"] for x in data["shift_signups"]] == ["confirmed"]
    assert data["organizations"][0]["org_id"] == s.org["id"]
    feed = expect(await client.post("/api/v1/me/feeds", json={"scope": "mine"}, headers=s.facilitator.headers), 201)
    mine = expect(await client.get("/api/v1/me/export", headers=s.facilitator.headers), 200)
    assert session["id"] in {x["session_id"] for x in mine["facilitated_sessions"]}
    assert ("attendance.recorded", session["id"]) in {(x["action"], x["subject_id"]) for x in mine["audited_actions"]}
    assert [f["id"] for f in mine["calendar_feeds"]] == [feed["id"]] and "label" in mine["calendar_feeds"][0]
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'user.export' AND actor_id = $1::uuid", s.participant.id) == 1
    assert_problem(await client.get("/api/v1/me/export"), 401)


async def test_erasure_removes_identity_keeps_counts_promotes_and_stops_login(
    client, api, pool, redis, smtp, mail_settings
):
    s = await setup(client, api)
    session = await past_session(s)
    sheet = {"records": [{"user_id": s.participant.id, "status": "absent"}]}
    expect(await client.put(f"/api/v1/sessions/{session['id']}/attendance", json=sheet, headers=s.facilitator.headers), 200)
    with clock.shifted(followups_due(session)):
        await run_jobs(mail_settings, pool, redis)  # the check-in after a missed session: its kind says "absent"
    assert await pool.fetchval("SELECT kind FROM deliveries WHERE user_id = $1::uuid AND kind LIKE 'followup%'",
                               s.participant.id) == "followup_absent"
    shift = await shift_with_waitlist(client, s)
    expect(await client.post("/api/v1/me/feeds", json={"scope": "mine"}, headers=s.participant.headers), 201)

    assert (await client.delete("/api/v1/me", headers=s.participant.headers)).status_code == 204
    user = await pool.fetchrow("SELECT email, password_hash, display_name, deleted_at FROM users WHERE id = $1::uuid", s.participant.id)
    assert user["email"] is None and user["password_hash"] is None and user["deleted_at"] is not None
    assert s.participant.email not in str(dict(user))
    # Only a count of the attendance remains.
    rows = await pool.fetch("SELECT user_id, status FROM attendance WHERE session_id = $1::uuid", session["id"])
    assert [(r["user_id"], r["status"]) for r in rows] == [(None, "absent")]
    # The freed shift place went to the waitlist; feeds and memberships are gone.
    promoted = expect(await client.get(f"/api/v1/shifts/{shift['id']}/signups/me", headers=s.bystander.headers), 200)
    assert promoted["status"] == "confirmed"
    assert await pool.fetchval("SELECT count(*) FROM feed_tokens WHERE user_id = $1::uuid", s.participant.id) == 0
    assert await pool.fetchval("SELECT count(*) FROM group_members WHERE user_id = $1::uuid", s.participant.id) == 0
    # No message row keeps their id (nor, through a follow-up's kind, their attendance).
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE user_id = $1::uuid", s.participant.id) == 0
    # No login, no old token, no re-registration clash.
    assert_problem(await client.get("/api/v1/me", headers=s.participant.headers), 401)
    login = await client.post("/api/v1/auth/token", json={"email": s.participant.email, "password": PASSWORD})
    assert_problem(login, 401)
    again = {"email": s.participant.email, "password": PASSWORD, "display_name": "Back again"}
    assert expect(await client.post("/api/v1/auth/register", json=again), 201)["id"] != s.participant.id
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'user.erase'") == 1


async def test_attendance_past_the_retention_period_is_deleted_and_audited(client, api, pool, redis, smtp, mail_settings):
    s = await setup(client, api)
    session = await past_session(s)
    sheet = {"records": [{"user_id": s.participant.id, "status": "present"}]}
    expect(await client.put(f"/api/v1/sessions/{session['id']}/attendance", json=sheet, headers=s.facilitator.headers), 200)
    with clock.shifted(followups_due(session)):
        await run_jobs(mail_settings, pool, redis)  # the thank-you: its kind says "present"
    followups = "SELECT count(*) FROM deliveries WHERE kind LIKE 'followup%'"
    assert await pool.fetchval(followups) == 1
    async with transaction(pool) as conn:
        assert await expire_attendance(conn) == 0  # within 24 months
        assert await conn.fetchval(followups) == 1  # read inside the transaction: it would see a delete
        assert await conn.fetchval("SELECT count(*) FROM attendance") == 1
        assert await expire_attendance(conn, now=now() + timedelta(days=25 * 31)) == 1
    assert await pool.fetchval("SELECT count(*) FROM attendance") == 0
    assert await pool.fetchval(followups) == 0  # the follow-up's record goes with the attendance
    audit = await pool.fetchrow("SELECT detail FROM audit_log WHERE action = 'attendance.retention'")
    assert audit["detail"] == {"removed": 1}


async def test_no_personal_data_in_events_job_payloads_or_logs(client, api, pool, redis, settings, caplog):
    caplog.set_level(logging.DEBUG)
    s = await setup(client, api, discreet_title="Tuesday group")
    session = await past_session(s)
    sheet = {"records": [{"user_id": s.participant.id, "status": "absent"}, {"user_id": s.bystander.id, "status": "present"}]}
    expect(await client.post(f"{s.base}/join", headers=s.bystander.headers), 201)
    expect(await client.put(f"/api/v1/sessions/{session['id']}/attendance", json=sheet, headers=s.facilitator.headers), 200)
    await shift_with_waitlist(client, s)
    await drain(pool, redis, registry.routing)
    people = [s.admin, s.coordinator, s.facilitator, s.co_facilitator, s.participant, s.bystander]
    secrets_ = [p.email for p in people] + [await pool.fetchval("SELECT display_name FROM users WHERE id = $1::uuid", p.id) for p in people]
    secrets_ += [s.group["name"], "present", "absent"]

    outbox = [str(r["payload"]) for r in await pool.fetch("SELECT payload FROM outbox")]
    jobs = [str(pickle.loads(await redis.get(key))) for key in await redis.keys("arq:job:*")]
    assert outbox and jobs
    await run_jobs(settings, pool, redis)
    logs = [record.getMessage() + str(getattr(record, "__dict__", {})) for record in caplog.records]
    for where, texts in (("outbox", outbox), ("job payloads", jobs), ("logs", logs)):
        leaked = {secret for secret in secrets_ for text in texts if secret in text}
        assert not leaked, f"{where} hold personal data: {leaked}"


async def test_erasure_stops_cached_feeds_at_once(client, api, pool, redis):
    s = await setup(client, api)
    feed = expect(await client.post("/api/v1/me/feeds", json={"scope": "mine"}, headers=s.participant.headers), 201)
    path = "/" + feed["url"].split("/", 3)[3]
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    first = await client.get(path)
    assert first.status_code == 200
    assert await redis.exists(cache.private_key(hash_token(token))) == 1  # really cached
    revalidate = {"If-None-Match": first.headers["etag"]}
    assert (await client.get(path, headers=revalidate)).status_code == 304  # validators held, in memory too
    assert (await client.get(path)).status_code == 200  # now served from the cache
    assert (await client.delete("/api/v1/me", headers=s.participant.headers)).status_code == 204
    assert (await client.get(path)).status_code == 404
    assert (await client.get(path, headers=revalidate)).status_code == 404  # no 304 from memory either


async def test_an_unexpected_error_on_a_feed_url_keeps_its_secret_out_of_the_log(client, api, caplog, monkeypatch):
    from coord.feeds import serving

    user = await api.user()
    feed = expect(await client.post("/api/v1/me/feeds", json={"scope": "mine"}, headers=user.headers), 201)
    path = "/" + feed["url"].split("/", 3)[3]
    token = path.rsplit("/", 1)[1].removesuffix(".ics")

    async def broken(*args, **kwargs):  # a bug in feed serving, injected
        raise RuntimeError("boom")

    monkeypatch.setattr(serving, "private_feed", broken)
    caplog.set_level(logging.ERROR)
    response = await client.get(path)
    problem = assert_problem(response, 500)
    assert "RuntimeError" not in response.text and token not in response.text
    [logged] = [r for r in caplog.records if r.getMessage().startswith("unhandled RuntimeError")]
    assert "/feeds/" in logged.getMessage() and token not in logged.getMessage()
    assert problem["status"] == 500


async def test_secrets_stay_out_of_logs_errors_and_the_schema(client, api, caplog):
    from coord.kernel.observability import JsonFormatter

    caplog.set_level(logging.DEBUG)
    user = await api.user()
    feed = expect(await client.post("/api/v1/me/feeds", json={"scope": "mine"}, headers=user.headers), 201)
    token = feed["url"].rsplit("/", 1)[1].removesuffix(".ics")
    path = f"/feeds/{token}.ics"
    assert (await client.get(path)).status_code == 200
    wrong = await client.get(f"/feeds/{token[:-2]}xx.ics")
    assert wrong.status_code == 404 and token[:-2] not in wrong.text
    # Invitation and group-link tokens, on the pages and the API (refused or not, each is logged).
    link_secrets = [f"Link{n}Secret0123456789abcdefghijklmnopqrstu" for n in range(5)]
    for address in ("/invitations/{}", "/invitations/{}/accept", "/groups/join/{}", "/api/v1/invitations/{}",
                    "/api/v1/group-links/{}"):
        await client.get(address.format(link_secrets.pop()))
    bearer = user.headers["Authorization"].split()[1]
    # The test's own HTTP client (httpx) logs its requests; the server's records are what count.
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    formatted = [JsonFormatter().format(record) for record in server_side]
    for redacted in ("/feeds/[redacted]", "/invitations/[redacted]/accept", "/groups/join/[redacted]",
                     "/api/v1/group-links/[redacted]"):  # the access lines are there, redacted
        assert any(redacted in line for line in formatted), redacted
    for secret in (token, bearer, PASSWORD, *(f"Link{n}Secret" for n in range(5))):
        leaks = [line for line in formatted if secret in line]
        assert not leaks, leaks[:2]
    schema = (await client.get("/schema/openapi.json")).text
    assert token not in schema and "test-secret-key" not in schema
