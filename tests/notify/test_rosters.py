"""Weekly facilitator rosters, coverage alerts, and admins resending failed mail."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from arq import Retry

from coord.notify.mailer import mailer_from_settings
from coord.notify.rosters import roster_due
from tests.support import expect, mail_text, run_jobs
from tests.moments import NY, now, quiet_hours_around_now, today
from tests.support.world import setup
from workers.schedule_jobs import alert_coverage_gaps, send_roster, send_rosters

UTC = timezone.utc


def tomorrow_noon() -> datetime:
    """Local noon tomorrow in New York: 12 to 36 hours ahead, whatever the hour, and never in a DST gap."""
    return datetime.combine(today(NY, days=1), time(12, 0))


def test_rosters_are_due_monday_eight_in_the_orgs_own_timezone():
    monday_8_ny = datetime(2026, 11, 30, 13, 5, tzinfo=UTC)  # 08:05 in New York
    assert roster_due(monday_8_ny, "America/New_York")
    assert not roster_due(monday_8_ny, "Europe/London")  # 13:05 there
    assert roster_due(monday_8_ny, "Europe/London", iso_weekday=1, hour=13)  # an org that chose 13:00
    assert not roster_due(monday_8_ny, "America/New_York", iso_weekday=5, hour=8)  # Fridays


async def test_weekly_roster_for_facilitators_and_the_org_view_for_coordinators(
    client, api, smtp, mail_settings, pool, redis
):
    s = await setup(client, api, facilitators_required=2)
    await s.series(tomorrow_noon(), "FREQ=DAILY;COUNT=5", facilitator_ids=[s.facilitator.id])
    first = (await s.sessions())[0]
    expect(await client.post(f"/api/v1/sessions/{first['id']}/rsvp", json={"response": "going"},
                             headers=s.participant.headers), 200)
    coming = await pool.fetchval("SELECT display_name FROM users WHERE id = $1::uuid", s.participant.id)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings), "redis": redis}
    assert await send_rosters(ctx, force=True) == 4  # a job each: two facilitators, coordinator, admin
    await run_jobs(mail_settings, pool, redis)
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE kind = 'roster' AND status = 'sent'") == 4
    [mine] = [m for m in smtp.messages if m["To"] == s.facilitator.email]
    body = mine.get_body(("plain",)).get_content()
    assert "Your next 14 days" in body and "needs 1 more facilitator" in body
    [attachment] = [p for p in mine.iter_attachments() if p.get_filename() == "roster.ics"]
    assert attachment.get_payload(decode=True).count(b"BEGIN:VEVENT") == 5
    assert f"1 going: {coming}" in body  # names in the reader's own group
    [org_view] = [m for m in smtp.messages if m["To"] == s.coordinator.email]
    assert "still short of facilitators" in org_view.get_body(("plain",)).get_content()
    assert f"1 going: {coming}" in mail_text(mine)  # the helper sees names where they are shown ...
    assert "1 going" in org_view.get_body(("plain",)).get_content() and coming not in mail_text(org_view)  # ... and not here
    # Once a week: running again sends nothing new.
    smtp.messages.clear()
    await send_rosters(ctx, force=True)
    await run_jobs(mail_settings, pool, redis)
    assert smtp.messages == []

    # The same roster on demand; participants have none.
    roster = expect(await client.get(f"/api/v1/orgs/{s.org['id']}/roster", headers=s.facilitator.headers), 200)
    assert len(roster["sessions"]) == 5 and roster["gaps"] == 5 and all(x["mine"] for x in roster["sessions"])
    assert roster["sessions"][0]["going_names"] == [coming]
    read = await pool.fetchrow("SELECT actor_id::text, detail FROM audit_log WHERE action = 'roster.names_read'")
    assert read["actor_id"] == s.facilitator.id and read["detail"] == {"group_ids": [s.group["id"]]}
    org_roster = expect(await client.get(f"/api/v1/orgs/{s.org['id']}/roster", headers=s.coordinator.headers), 200)
    assert org_roster["sessions"][0]["going"] == 1 and org_roster["sessions"][0]["going_names"] is None
    assert (await client.get(f"/api/v1/orgs/{s.org['id']}/roster", headers=s.participant.headers)).status_code == 403


async def test_a_roster_waits_out_its_readers_quiet_hours_alone(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api)
    await s.series(tomorrow_noon(), "FREQ=DAILY;COUNT=3", facilitator_ids=[s.facilitator.id])
    quiet = quiet_hours_around_now()  # now is surely inside
    await pool.execute("UPDATE users SET timezone = 'UTC' WHERE id = $1::uuid", s.facilitator.id)
    expect(await client.put("/api/v1/me/notifications", json=quiet, headers=s.facilitator.headers), 200)
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings), "redis": redis}
    scope = f"roster:{s.org['id']}:W"
    # Their own job is put off to the end of their quiet hours (arq runs it again then) ...
    with pytest.raises(Retry) as deferred:
        await send_roster(ctx, s.org["id"], s.facilitator.id, scope)
    assert deferred.value.defer_score > 60 * 60 * 1000
    # ... while the coordinator's goes now.
    assert await send_roster(ctx, s.org["id"], s.coordinator.id, scope) == "sent"
    assert await send_roster(ctx, s.org["id"], s.participant.id, scope) == "skipped"  # not staff: no roster


async def test_coordinators_are_alerted_72_hours_before_a_gap(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api, facilitators_required=1)
    await s.series(tomorrow_noon(), "FREQ=DAILY;COUNT=6")  # nobody assigned: gaps daily, from 12-36 h ahead
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings)}
    sessions = await s.sessions()
    horizon = now() + timedelta(hours=72)
    soon = {x["id"] for x in sessions if datetime.fromisoformat(x["starts_at"]) <= horizon}
    assert 2 <= len(soon) < len(sessions)  # gaps within 72 hours and beyond
    outcome = await alert_coverage_gaps(ctx)
    assert outcome == {"sent": 2 * len(soon)}  # coordinator and admin, per session within 72 hours
    keys = [r["key"] for r in await pool.fetch(
        "SELECT key FROM deliveries WHERE kind = 'coverage_alert' AND status = 'sent'")]
    assert {k.split(":")[1] for k in keys} == soon  # exactly the gaps within 72 hours, none beyond
    alerts = [m for m in smtp.messages if m["Subject"].endswith("needs a facilitator")]
    assert sorted(m["To"] for m in alerts) == sorted([s.coordinator.email, s.admin.email] * len(soon))
    assert set((await alert_coverage_gaps(ctx)).keys()) == {"already_sent"}


async def test_admin_resends_a_failed_delivery(client, api, smtp, mail_settings, pool, redis):
    admin, newcomer = await api.user(), await api.user()
    org = await api.org(admin)
    smtp.refuse_with = [f"550 5.1.1 <{newcomer.email}>: mailbox unavailable"]
    await api.member(org, admin, newcomer, "volunteer")
    await run_jobs(mail_settings, pool, redis)
    [failed] = expect(await client.get(f"/api/v1/orgs/{org['id']}/deliveries", headers=admin.headers), 200)["items"]
    assert failed["status"] == "failed" and smtp.messages == []
    # The server's reply is kept, without the address it quoted.
    assert failed["last_error"] == "550 5.1.1 <address>: mailbox unavailable"
    url = f"/api/v1/orgs/{org['id']}/deliveries/{failed['id']}/retry"
    assert expect(await client.post(url, headers=admin.headers), 200)["status"] == "pending"
    await run_jobs(mail_settings, pool, redis)
    assert [m["To"] for m in smtp.messages] == [newcomer.email]
    assert await pool.fetchval("SELECT status FROM deliveries WHERE id = $1::uuid", failed["id"]) == "sent"
    assert (await client.post(url, headers=admin.headers)).status_code == 409  # sent now, nothing to retry


async def test_rosters_and_alerts_never_name_a_discreet_group(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api, facilitators_required=2, discreet_title="Wednesday group")
    await s.series(tomorrow_noon(), "FREQ=DAILY;COUNT=4", facilitator_ids=[s.facilitator.id])
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings), "redis": redis}
    await send_rosters(ctx, force=True)
    await run_jobs(mail_settings, pool, redis)
    assert (await alert_coverage_gaps(ctx)).get("sent", 0) >= 1
    rosters = [m for m in smtp.messages if m["Subject"].startswith("Your roster")]
    alerts = [m for m in smtp.messages if m["Subject"].endswith("needs a facilitator")]
    assert rosters and alerts
    for message in rosters + alerts:
        assert s.group["name"] not in mail_text(message), message["Subject"]
        assert "Wednesday group" in message.get_body(("plain",)).get_content()
    [mine] = [m for m in rosters if m["To"] == s.facilitator.email]
    [ics] = [p for p in mine.iter_attachments() if p.get_filename() == "roster.ics"]
    assert b"SUMMARY:Facilitating: Wednesday group" in ics.get_payload(decode=True)
