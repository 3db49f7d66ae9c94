"""Messages to the people who run things (issue 15, point 8): a group's facilitators hear of a
request to join it, and coordinators get a daily digest of what needs them, once a day, only
when something does, unless they turned it off."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from arq import Retry

from coord.notify.mailer import mailer_from_settings
from coord.notify.staff_mail import digest_day, digests_due
from tests.moments import NY, quiet_hours_around_now, today
from tests.support import expect, mail_text, run_jobs
from tests.support.world import setup
from workers.staff_jobs import send_daily_digest, send_daily_digests


def mail_for(smtp, user) -> list:
    return [m for m in smtp.messages if m["To"] == user.email]


async def test_facilitators_hear_of_a_request_to_join_their_group(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api, join_policy="approval")
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    expect(await client.post(f"{s.base}/join", headers=s.bystander.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    subject = f"{s.group['name']}: a request to join"
    assert sorted(m["To"] for m in smtp.messages) == sorted([s.facilitator.email, s.co_facilitator.email])
    [note] = mail_for(smtp, s.facilitator)
    assert note["Subject"] == subject and note["From"].addresses[0].display_name == s.org["name"]
    text = mail_text(note)
    assert f"http://coord.test/groups/{s.group['id']}" in text and "approve or decline" in text
    assert s.bystander.email not in text  # who asked is for the group's page, not the mailbox

    # A request answered before its note goes sends none.
    smtp.messages.clear()
    newcomer = await api.user()
    await api.member(s.org, s.admin, newcomer, "participant")
    await run_jobs(mail_settings, pool, redis)
    expect(await client.post(f"{s.base}/join", headers=newcomer.headers), 201)
    expect(await client.post(f"{s.base}/members/{newcomer.id}/approve", headers=s.facilitator.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    assert [m for m in smtp.messages if m["Subject"] == subject] == []


def test_the_digest_is_due_at_its_hour_in_the_organizations_zone():
    eight_ny = datetime.combine(today(NY), time(8, 5), tzinfo=ZoneInfo(NY))
    assert digest_day(eight_ny, NY, 8) == today(NY).isoformat()
    assert digest_day(eight_ny, NY, 17) is None
    assert digest_day(eight_ny, "Asia/Tokyo", 8) is None
    assert digest_day(eight_ny, "Asia/Tokyo", 8, force=True) is not None


async def test_an_admin_moves_the_digest_to_another_hour(client, api, pool):
    s = await setup(client, api)
    url = f"/api/v1/orgs/{s.org['id']}"
    assert expect(await client.get(url, headers=s.admin.headers), 200)["digest_hour"] == 8
    other = await api.org(await api.user())  # keeps 08:00
    assert expect(await client.patch(url, json={"digest_hour": 17}, headers=s.admin.headers), 200)["digest_hour"] == 17

    async def due_at(hour: int) -> set[str]:
        moment = datetime.combine(today(NY), time(hour, 41), tzinfo=ZoneInfo(NY))
        async with pool.acquire() as conn:
            return {str(d.org_id) for d in await digests_due(conn, moment)}

    assert other["id"] in await due_at(8) and s.org["id"] not in await due_at(8)
    assert s.org["id"] in await due_at(17) and other["id"] not in await due_at(17)
    # Out of range, or asked by someone who is not an admin: refused, and the hour stays.
    problem = expect(await client.patch(url, json={"digest_hour": 24}, headers=s.admin.headers), 400)
    assert "digest_hour" in str(problem)
    expect(await client.patch(url, json={"digest_hour": 6}, headers=s.coordinator.headers), 403)
    assert expect(await client.get(url, headers=s.admin.headers), 200)["digest_hour"] == 17


async def test_coordinators_get_a_daily_digest_once_and_only_with_something_in_it(
    client, api, smtp, mail_settings, pool, redis
):
    s = await setup(client, api, join_policy="approval", facilitators_required=2)
    quiet_org_admin = await api.user()
    await api.org(quiet_org_admin)  # nothing needs anyone there
    await run_jobs(mail_settings, pool, redis)
    # A message given up on: a new member's welcome that the server refuses for good.
    unreachable = await api.user()
    smtp.refuse_with = [f"550 5.1.1 <{unreachable.email}>: mailbox unavailable"]
    await api.member(s.org, s.admin, unreachable, "participant")
    await run_jobs(mail_settings, pool, redis)
    # Requests to join waiting (the set-up's participant asked too), and sessions of the next days nobody facilitates.
    expect(await client.post(f"{s.base}/join", headers=s.bystander.headers), 201)
    await s.series(datetime.combine(today(NY, days=2), time(12, 0)), "FREQ=DAILY;COUNT=2")
    off = {"disabled_kinds": ["daily_digest"], "quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
    expect(await client.put("/api/v1/me/notifications", json=off, headers=s.coordinator.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings), "redis": redis}
    assert await send_daily_digests(ctx, force=True) == 3  # the two admins and the coordinator: a job each
    await run_jobs(mail_settings, pool, redis)
    [digest] = smtp.messages  # the admin's: the coordinator turned it off, the quiet organization has nothing
    assert digest["To"] == s.admin.email and digest["From"].addresses[0].display_name == s.org["name"]
    assert digest["Subject"] == ("What needs you today: 2 requests to join, 2 sessions short of facilitators, "
                                 "1 message not delivered")
    text = digest.get_body(("plain",)).get_content()
    assert f"{s.group['name']}: 2 waiting, http://coord.test/groups/{s.group['id']}" in text
    assert text.count("needs 2 more, http://coord.test/sessions/") == 2
    assert f"http://coord.test/orgs/{s.org['slug']}/coordination#deliveries" in text
    assert s.bystander.email not in mail_text(digest)
    statuses = dict(await pool.fetch("SELECT user_id::text, status FROM deliveries WHERE kind = 'daily_digest'"))
    assert statuses == {s.admin.id: "sent", s.coordinator.id: "skipped", quiet_org_admin.id: "skipped"}

    # Once a day: the next run that day sends nothing more.
    smtp.messages.clear()
    await send_daily_digests(ctx, force=True)
    await run_jobs(mail_settings, pool, redis)
    assert smtp.messages == []


async def test_a_digest_waits_out_its_readers_quiet_hours(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api, join_policy="approval")  # the participant's request waits
    await pool.execute("UPDATE users SET timezone = 'UTC' WHERE id = $1::uuid", s.admin.id)
    expect(await client.put("/api/v1/me/notifications", json=quiet_hours_around_now(), headers=s.admin.headers), 200)
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings)}
    day = today(NY).isoformat()
    with pytest.raises(Retry) as deferred:  # arq runs it again when they end
        await send_daily_digest(ctx, s.org["id"], s.admin.id, day)
    assert deferred.value.defer_score > 60 * 60 * 1000
    assert await send_daily_digest(ctx, s.org["id"], s.coordinator.id, day) == "sent"
