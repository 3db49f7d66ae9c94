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
from tests.support.world import past_session, setup
from workers.schedule_jobs import remind_unrecorded_attendance, send_reminder

UTC = timezone.utc


def after_followup_delay(session: dict, minutes: float = 30) -> timedelta:
    """How far to move the clock for the session to have ended `minutes` ago (by default
    the organization's delay before follow-ups), and a minute more."""
    return datetime.fromisoformat(session["ends_at"]) + timedelta(minutes=minutes + 1) - now()


def mail_for(smtp, user) -> list:
    return [m for m in smtp.messages if m["To"] == user.email]


async def record(client, s, session, sheet: dict[str, str]) -> None:
    body = {"records": [{"user_id": uid, "status": status} for uid, status in sheet.items()]}
    expect(await client.put(f"/api/v1/sessions/{session['id']}/attendance", json=body, headers=s.facilitator.headers), 200)


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
    assert check_in["Subject"] == "Thinking of you" and "988" in body and "turn these check-ins off" in body
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
    assert [m for m in mail_for(smtp, s.participant) if m["Subject"] == "Thinking of you"] == []
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
    nudges = [m for m in mail_for(smtp, s.facilitator) if m["Subject"] == "Attendance to record"]
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
    reminder = [m for m in mail_for(smtp, s.participant) if m["Subject"].startswith("Reminder")]
    assert len(reminder) == 1
    # Running the same reminder again sends nothing more.
    await send_reminder(ctx, "session", first["id"], moved["sequence"], moved_start.isoformat())
    assert len([m for m in mail_for(smtp, s.participant) if m["Subject"].startswith("Reminder")]) == 1
