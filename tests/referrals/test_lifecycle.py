"""A referral's whole life through the API, real workers and real SMTP (issue 17.6-17.8):
told by mail, consent before anything is shared (and revoked), accepted, checked in on
after the organization's delay, the answer closing it; every change in its history."""

from __future__ import annotations

from datetime import timedelta, timezone

from coord.kernel import clock
from tests.moments import now
from tests.referrals.helpers import mail_to, mine, refer, set_status
from tests.support import API, assert_problem, expect, mail_text, run_jobs

CHECKIN_AFTER = timedelta(days=7, minutes=5)


async def test_a_referral_lives_from_requested_to_completed_with_consent_and_a_check_in(
        client, world, smtp, mail_settings, pool, redis):
    s = world.s
    made = await refer(client, s.facilitator, s.participant, service_id=world.food, note="They open Tuesdays at 9.")
    assert made["status"] == "requested"
    await run_jobs(mail_settings, pool, redis)
    [notice] = mail_to(smtp, s.participant)
    text = mail_text(notice)
    assert "Riverside Food Pantry" in notice["Subject"] and "They open Tuesdays at 9." in text
    assert "/me/referrals" in text

    [r] = await mine(client, s.participant)
    assert (r["status"], r["category"], r["service_name"]) == ("requested", "Food", "Riverside Food Pantry")
    assert [(h["from_status"], h["to_status"], h["by"]) for h in r["history"]] == [(None, "requested", "referrer")]

    # Consent first: nothing is shared until the person says so, to whom, what, why, until when.
    shared = f"{API}/referrals/{r['id']}/shared"
    assert assert_problem(await client.get(shared, headers=s.facilitator.headers), 409)["type"].endswith("no-consent")
    until = (now() + timedelta(days=30)).date().isoformat()
    consent = {"share_with": "Riverside Food Pantry", "fields": ["name", "email"], "purpose": "to book a visit",
               "until": until}
    # Only the person consents.
    assert_problem(await client.post(f"{API}/referrals/{r['id']}/consent", json=consent,
                                     headers=s.facilitator.headers), 403)
    given = expect(await client.post(f"{API}/referrals/{r['id']}/consent", json=consent,
                                     headers=s.participant.headers), 201)
    assert given["fields"] == ["email", "name"] and given["revoked_at"] is None
    facts = expect(await client.get(shared, headers=s.facilitator.headers), 200)
    assert set(facts["facts"]) == {"name", "email"} and facts["facts"]["email"] == s.participant.email
    assert "note" not in facts["facts"] and facts["share_with"] == "Riverside Food Pantry"
    audited = [a["action"] for a in await pool.fetch(
        "SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY id", r["id"])]
    assert audited == ["referral.made", "referral.consent_given", "referral.shared"]

    await set_status(client, s.participant, r["id"], "accepted", note="I will go on Tuesday")
    # Revoked: nothing more is shared, and the revocation is on record.
    expect(await client.delete(f"{API}/referrals/{r['id']}/consent", headers=s.participant.headers), 204)
    assert_problem(await client.get(shared, headers=s.facilitator.headers), 409)
    [after] = await mine(client, s.participant)
    assert after["consents"][0]["revoked_at"] is not None
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'referral.consent_revoked'") == 1

    # The check-in waits for the organization's delay (7 days), then goes once.
    smtp.messages.clear()
    await run_jobs(mail_settings, pool, redis)
    assert mail_to(smtp, s.participant) == []
    with clock.shifted(CHECKIN_AFTER):
        await run_jobs(mail_settings, pool, redis)
        [checkin] = mail_to(smtp, s.participant)
        body = mail_text(checkin)
        assert checkin["Subject"] == "Did you get connected?"
        assert f"/referrals/{r['id']}/checkin?answer=connected" in body and "/referrals/checkins/stop" in body
        assert "If you need support now" in body
    # The answer closes the loop: connected means completed, by the person, on record (signed
    # in afresh a week later: the link's page asks them to log in).
    answered = expect(await client.post(f"{API}/referrals/{r['id']}/checkin", json={"answer": "connected"},
                                        headers=s.participant.headers), 200)
    assert answered["status"] == "completed"
    with clock.shifted(CHECKIN_AFTER):
        await run_jobs(mail_settings, pool, redis)
    assert len(mail_to(smtp, s.participant)) == 1
    [done] = await mine(client, s.participant)
    assert done["checkin_answer"] == "connected"
    assert [(h["from_status"], h["to_status"], h["by"]) for h in done["history"]] == [
        (None, "requested", "referrer"), ("requested", "accepted", "person"), ("accepted", "completed", "person")]
    assert done["history"][1]["note"] == "I will go on Tuesday"
    assert all(h["at"] for h in done["history"])


async def test_a_check_in_is_not_sent_for_a_referral_settled_or_after_opting_out(
        client, world, smtp, mail_settings, pool, redis):
    s = world.s
    declined = await refer(client, s.facilitator, s.participant, service_id=world.food)
    await refer(client, s.coordinator, s.participant, service_id=world.housing)
    await set_status(client, s.participant, declined["id"], "declined")
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    with clock.shifted(CHECKIN_AFTER):
        await run_jobs(mail_settings, pool, redis)
    [checkin] = mail_to(smtp, s.participant)  # only the open one
    assert "Housing Help Desk" in mail_text(checkin)

    third = await refer(client, s.facilitator, s.participant, service_id=world.food)
    async with pool.acquire() as conn:
        from coord.notify.preferences import turn_off
        await turn_off(conn, s.participant.id, "referral_checkin")
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    with clock.shifted(CHECKIN_AFTER):
        await run_jobs(mail_settings, pool, redis)
    assert mail_to(smtp, s.participant) == []
    key = f"referral-checkin:{third['id']}:{s.participant.id}:referral_checkin"
    assert await pool.fetchval("SELECT status FROM deliveries WHERE key = $1", key) == "skipped"


async def test_discreet_mode_mail_says_nothing_of_the_service_or_the_note(client, world, smtp, mail_settings, pool, redis):
    s = world.s
    prefs = {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00", "discreet": True}
    expect(await client.put(f"{API}/me/notifications", json=prefs, headers=s.participant.headers), 200)
    await refer(client, s.facilitator, s.participant, service_id=world.food, note="Ask for Maria at the door")
    await run_jobs(mail_settings, pool, redis)
    with clock.shifted(CHECKIN_AFTER):
        await run_jobs(mail_settings, pool, redis)
    sent = mail_to(smtp, s.participant)
    assert len(sent) == 2
    for message in sent:
        text = mail_text(message)
        for secret in ("Riverside", "Food", "Maria", "Pantry"):
            assert secret not in text, (secret, message["Subject"])
        assert "/me/referrals" in text or "/checkin" in text


async def test_the_check_in_waits_for_the_end_of_the_persons_quiet_hours(client, world, smtp, mail_settings, pool, redis):
    s = world.s
    await refer(client, s.facilitator, s.participant, service_id=world.food)
    await run_jobs(mail_settings, pool, redis)
    # Quiet all day but one minute, from now on: the check-in, when due, waits (its row stays pending).
    quiet = {"quiet_hours_start": "00:00", "quiet_hours_end": "23:59"}
    expect(await client.put(f"{API}/me/notifications", json=quiet, headers=s.participant.headers), 200)
    await pool.execute("UPDATE users SET timezone = 'UTC' WHERE id = $1", s.participant.id)
    smtp.messages.clear()
    # Past its day, at a moment inside the quiet hours (any minute but 23:59 UTC).
    shift = CHECKIN_AFTER
    if (now() + shift).astimezone(timezone.utc).strftime("%H:%M") == "23:59":
        shift += timedelta(minutes=2)
    with clock.shifted(shift):
        await run_jobs(mail_settings, pool, redis)
    assert mail_to(smtp, s.participant) == []
    assert await pool.fetchval("SELECT status FROM deliveries WHERE kind = 'referral_checkin'") == "pending"


async def test_an_organization_chooses_how_many_days_after_the_check_in_goes(client, world, smtp, mail_settings,
                                                                            pool, redis):
    s = world.s
    url = f"{API}/orgs/{s.org['id']}"
    assert expect(await client.get(url, headers=s.admin.headers), 200)["referral_checkin_days"] == 7
    assert_problem(await client.patch(url, json={"referral_checkin_days": 0}, headers=s.admin.headers), 400)
    assert expect(await client.patch(url, json={"referral_checkin_days": 3}, headers=s.admin.headers),
                  200)["referral_checkin_days"] == 3
    await refer(client, s.facilitator, s.participant, service_id=world.food)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    with clock.shifted(timedelta(days=2, hours=23)):
        await run_jobs(mail_settings, pool, redis)
    assert mail_to(smtp, s.participant) == []
    with clock.shifted(timedelta(days=3, minutes=5)):
        await run_jobs(mail_settings, pool, redis)
    assert [m["Subject"] for m in mail_to(smtp, s.participant)] == ["Did you get connected?"]


async def test_checkin_stops_made_before_0028_become_the_settings_switch(fresh_database, tmp_path):
    """Migration 0028: someone who used the check-in's stop link before it wrote the preference
    keeps check-ins off, now shown (and changeable) on their settings page; others are untouched."""
    import shutil

    import asyncpg

    from coord.kernel.db.migrate import migrate, migrations_dir

    before = tmp_path / "before"
    before.mkdir()
    for path in migrations_dir().glob("*.sql"):
        if path.name < "0028":
            shutil.copy(path, before / path.name)
    await migrate(fresh_database, before)
    conn = await asyncpg.connect(fresh_database)
    try:
        stopped, with_prefs, other = [await conn.fetchval(
            "INSERT INTO users (email, display_name) VALUES ($1, 'P') RETURNING id", f"p{i}@example.org")
            for i in range(3)]
        await conn.execute("INSERT INTO notification_prefs (user_id, disabled_kinds, discreet) VALUES ($1, '{roster}', true)",
                           with_prefs)
        await conn.executemany("INSERT INTO referral_checkin_optouts (user_id, created_at) VALUES ($1, now())",
                               [(stopped,), (with_prefs,)])
        through = tmp_path / "through"  # later migrations are not this test's
        through.mkdir()
        for path in migrations_dir().glob("*.sql"):
            if path.name < "0029":
                shutil.copy(path, through / path.name)
        assert await migrate(fresh_database, through) == ["0028_referral_checkins_in_preferences.sql"]
        prefs = {r["user_id"]: (list(r["disabled_kinds"]), r["discreet"])
                 for r in await conn.fetch("SELECT user_id, disabled_kinds, discreet FROM notification_prefs")}
        assert prefs == {stopped: (["referral_checkin"], False), with_prefs: (["roster", "referral_checkin"], True)}
        assert other not in prefs
        assert await conn.fetchval("SELECT to_regclass('referral_checkin_optouts')") is None
    finally:
        await conn.close()
