"""After and before sessions: follow-ups, nudges to record attendance, reminders."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from arq.jobs import Job

from coord.kernel import clock
from coord.notify.mailer import mailer_from_settings
from coord.notify.reminders import plan_reminders, reminder_job_id
from tests.moments import from_now, local_start, now
from tests.support import assert_problem, expect, mail_text, run_jobs
from tests.support.followups import after_followup_delay, mail_for, record
from tests.support.world import past_session, setup
from workers.schedule_jobs import remind_unrecorded_attendance, send_reminder

UTC = timezone.utc


async def test_present_get_thanks_absent_a_gentle_check_in_excused_nothing(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api, discreet_title="Tuesday group")
    for person in (s.bystander, s.coordinator):
        expect(await client.post(f"{s.base}/join", headers=person.headers), 201)
    session = await past_session(s)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    await record(client, s, session, {s.participant.id: "present", s.bystander.id: "absent", s.coordinator.id: "excused"})
    await run_jobs(mail_settings, pool, redis)
    assert smtp.messages == []  # the session has not ended yet
    with clock.shifted(after_followup_delay(session)):
        await run_jobs(mail_settings, pool, redis)

    [thanks] = mail_for(smtp, s.participant)
    assert thanks["Subject"].startswith("Thank you for coming")
    assert "next session" in thanks.get_body(("plain",)).get_content()
    [check_in] = mail_for(smtp, s.bystander)
    body = check_in.get_body(("plain",)).get_content()
    assert check_in["Subject"] == "Tuesday group: thinking of you" and "988" in body and "turn these check-ins off" in body
    assert mail_for(smtp, s.coordinator) == []
    # Discreet: the group's real name is in no subject and no body.
    for message in smtp.messages:
        assert s.group["name"] not in mail_text(message), message["Subject"]
        assert "Tuesday group" in mail_text(message)  # the decoded bodies are really searched
    # Correcting the sheet afterwards does not repeat anything.
    await record(client, s, session, {s.participant.id: "present", s.bystander.id: "absent"})
    with clock.shifted(after_followup_delay(session)):
        await run_jobs(mail_settings, pool, redis)
    assert len(smtp.messages) == 2


async def test_absent_check_ins_can_be_turned_off(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api)
    off = {"disabled_kinds": ["followup_absent"], "quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
    expect(await client.put("/api/v1/me/notifications", json=off, headers=s.participant.headers), 200)
    session = await past_session(s)
    await record(client, s, session, {s.participant.id: "absent"})
    with clock.shifted(after_followup_delay(session)):
        await run_jobs(mail_settings, pool, redis)
    assert [m for m in mail_for(smtp, s.participant) if m["Subject"].endswith("thinking of you")] == []
    assert await pool.fetchval("SELECT status FROM deliveries WHERE kind = 'followup_absent'") == "skipped"


async def test_facilitators_are_nudged_two_hours_after_an_unrecorded_session(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api)
    session = await past_session(s)
    # As if it ended three hours ago.
    await pool.execute(
        "UPDATE sessions SET starts_at = now() - interval '4 hours', ends_at = now() - interval '3 hours' WHERE id = $1::uuid",
        session["id"],
    )
    # And one that ended only an hour ago: not yet.
    fresh = next(i for i in await s.sessions() if datetime.fromisoformat(i["starts_at"]) > now())
    await pool.execute(
        "UPDATE sessions SET starts_at = $2::timestamptz - interval '2 hours', ends_at = $2::timestamptz - interval '1 hour'"
        " WHERE id = $1::uuid",
        fresh["id"], now(),
    )
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings)}
    # Every unrecorded session of the last two days (the series' earlier ones too), once each.
    unrecorded = await pool.fetchval(
        "SELECT count(*) FROM sessions WHERE status = 'scheduled' AND ends_at < now() - interval '2 hours'"
    )
    assert (await remind_unrecorded_attendance(ctx)).get("sent") == unrecorded >= 1
    nudges = [m for m in mail_for(smtp, s.facilitator) if "attendance to record for" in m["Subject"]]
    assert any(session["id"] in m.get_body(("plain",)).get_content() for m in nudges)
    assert not any(fresh["id"] in mail_text(m) for m in nudges)  # ended an hour ago: not yet
    assert (await remind_unrecorded_attendance(ctx)) == {"already_sent": unrecorded}  # once only
    await record(client, s, session, {s.participant.id: "present"})
    assert await pool.fetchval("SELECT status FROM sessions WHERE id = $1::uuid", session["id"]) == "completed"


async def test_reminders_are_deferred_jobs_that_skip_moved_sessions(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api)
    await s.series(local_start(0.5), "FREQ=WEEKLY;BYDAY=TU;COUNT=3")
    first = (await s.sessions())[0]
    starts = datetime.fromisoformat(first["starts_at"])
    now = starts - timedelta(hours=20)  # inside the default 24 h lead
    async with pool.acquire() as conn:
        assert await plan_reminders(conn, redis, now=now) >= 1
        assert await plan_reminders(conn, redis, now=now) == 0  # planned once
    job_id = reminder_job_id("session", first["id"], first["sequence"], starts)
    assert await Job(job_id, redis).status() is not None

    # The facilitator moves the session: the planned reminder is stale now.
    moved_start = starts + timedelta(hours=1)
    moved = expect(await client.patch(f"/api/v1/sessions/{first['id']}", json={"starts_at": moved_start.isoformat()},
                                      headers=s.facilitator.headers), 200)
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings)}
    assert await send_reminder(ctx, "session", first["id"], first["sequence"], first["starts_at"]) == {"stale": 1}
    outcome = await send_reminder(ctx, "session", first["id"], moved["sequence"], moved_start.isoformat())
    assert outcome == {"sent": 3}  # participant and two facilitators
    reminder = [m for m in mail_for(smtp, s.participant) if ": a reminder for " in m["Subject"]]
    assert len(reminder) == 1
    # Running the same reminder again sends nothing more.
    await send_reminder(ctx, "session", first["id"], moved["sequence"], moved_start.isoformat())
    assert len([m for m in mail_for(smtp, s.participant) if ": a reminder for " in m["Subject"]]) == 1


async def test_a_follow_up_waits_for_the_end_plus_the_delay_and_says_what_the_sheet_says_then(
    client, api, smtp, mail_settings, pool, redis
):
    s = await setup(client, api)
    session = await past_session(s)  # under way: it ends in about half an hour
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    # Marked absent by mistake: nothing goes while the session runs, nor before the delay is over.
    await record(client, s, session, {s.participant.id: "absent"})
    await run_jobs(mail_settings, pool, redis)
    with clock.shifted(after_followup_delay(session, minutes=28)):  # ended 29 minutes ago
        await run_jobs(mail_settings, pool, redis)
    assert smtp.messages == []
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE kind LIKE 'followup%'") == 0
    # Corrected before then: the follow-up that goes is the thank-you, and only it.
    await record(client, s, session, {s.participant.id: "present"})
    await run_jobs(mail_settings, pool, redis)
    assert smtp.messages == []
    with clock.shifted(after_followup_delay(session)):
        await run_jobs(mail_settings, pool, redis)
        [thanks] = mail_for(smtp, s.participant)
        assert "thank you for coming" in thanks["Subject"].lower()
        # Corrected again later: nothing contradicts what went.
        await record(client, s, session, {s.participant.id: "absent"})
        await run_jobs(mail_settings, pool, redis)
    with clock.shifted(after_followup_delay(session, minutes=600)):
        await run_jobs(mail_settings, pool, redis)
    assert [m["Subject"] for m in mail_for(smtp, s.participant)] == [thanks["Subject"]]
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE kind LIKE 'followup%'") == 1


async def test_the_organizations_delay_decides_and_quiet_hours_still_hold_a_follow_up(
    client, api, smtp, mail_settings, pool, redis
):
    s = await setup(client, api)
    url = f"/api/v1/orgs/{s.org['id']}"
    assert expect(await client.get(url, headers=s.admin.headers), 200)["followup_delay_minutes"] == 30
    assert_problem(await client.patch(url, json={"followup_delay_minutes": -1}, headers=s.admin.headers), 400)
    assert_problem(await client.patch(url, json={"followup_delay_minutes": 5}, headers=s.coordinator.headers), 403)
    assert expect(await client.patch(url, json={"followup_delay_minutes": 0}, headers=s.admin.headers),
                  200)["followup_delay_minutes"] == 0
    session = await past_session(s)
    # The bystander, a member too, is in their quiet hours from an hour ago to three hours ahead.
    expect(await client.post(f"{s.base}/join", headers=s.bystander.headers), 201)
    zone = ZoneInfo(expect(await client.get("/api/v1/me", headers=s.bystander.headers), 200)["timezone"])
    quiet = {"quiet_hours_start": f"{from_now(hours=-1).astimezone(zone):%H:%M}",
             "quiet_hours_end": f"{from_now(hours=3).astimezone(zone):%H:%M}"}
    expect(await client.put("/api/v1/me/notifications", json=quiet, headers=s.bystander.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    await record(client, s, session, {s.participant.id: "present", s.bystander.id: "present"})
    await run_jobs(mail_settings, pool, redis)
    assert smtp.messages == []  # not ended yet
    with clock.shifted(after_followup_delay(session, minutes=0)):  # a minute after the end: a delay of 0
        await run_jobs(mail_settings, pool, redis)
    def thanks(person) -> list:
        return [m for m in mail_for(smtp, person) if "thank you for coming" in m["Subject"].lower()]

    assert len(thanks(s.participant)) == 1
    assert mail_for(smtp, s.bystander) == []  # held for the end of their quiet hours
    with clock.shifted(timedelta(hours=3, minutes=2)):
        await run_jobs(mail_settings, pool, redis)
    assert len(thanks(s.bystander)) == 1 and len(thanks(s.participant)) == 1
