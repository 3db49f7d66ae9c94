"""Who refers whom, who reads what (names only to the person and the referrer), a group's
referral as an invitation that becomes a membership with its schedule, the export and
erasure, and bad input answered as RFC 9457 problems."""

from __future__ import annotations

from datetime import timedelta

from tests.moments import NY, now
from tests.referrals.helpers import mail_to, mine, refer, set_status
from tests.support import API, assert_problem, expect, mail_text, run_jobs
from tests.support.world import make_group


async def test_only_the_persons_coordinators_and_group_facilitators_refer_them(client, api, world):
    s = world.s
    body = {"person_id": s.participant.id, "service_id": world.food}
    # A participant, or a facilitator of a group the person is not in, serves nobody here.
    assert_problem(await client.post(f"{API}/referrals", json=body, headers=s.bystander.headers), 403)
    other_group = await make_group(client, s.org, s.admin, name="Thursday")
    expect(await client.post(f"{API}/groups/{other_group['id']}/members",
                             json={"user_id": s.bystander.id, "role": "participant"}, headers=s.admin.headers), 201)
    assert_problem(await client.post(f"{API}/referrals", json={**body, "person_id": s.bystander.id},
                                     headers=s.facilitator.headers), 403)
    # Someone from another organization learns nothing about the person.
    stranger = await api.user("stranger")
    await api.org(stranger)
    assert_problem(await client.post(f"{API}/referrals", json=body, headers=stranger.headers), 404)
    # The group's facilitator and the organization's coordinator do.
    await refer(client, s.facilitator, s.participant, service_id=world.food)
    await refer(client, s.coordinator, s.bystander, service_id=world.housing)


async def test_names_reach_only_the_referrer_and_the_person(client, api, world):
    s = world.s
    made = await refer(client, s.facilitator, s.participant, service_id=world.food, note="See Ana")
    await refer(client, s.coordinator, s.bystander, group_id=s.group["id"])
    await set_status(client, s.participant, made["id"], "accepted")
    participant_name = (await mine(client, s.participant))[0]["person_name"]
    url = f"{API}/orgs/{s.org['id']}/referrals"

    # Another coordinator (the admin here): counts by category and outcome, no names, no notes.
    seen = expect(await client.get(url, headers=s.admin.headers), 200)
    assert seen["mine"] == [] and seen["suppression"]["shown_as"] == "1-10"
    # One referral in a cell could point at someone: it shows as "1-10", and so do the totals.
    cells = {(r["category"], o): v for r in seen["rows"] for o, v in r["by_outcome"].items()}
    assert {k for k, v in cells.items() if v != 0} == {("Food", "accepted"), ("support group", "requested")}
    assert {v for v in cells.values() if v != 0} == {"1-10"}
    assert [r["total"] for r in seen["rows"]] == ["1-10", "1-10"] and seen["total"] == "1-10"
    got = await client.get(url, headers=s.admin.headers)
    for secret in (participant_name, "See Ana", s.participant.id, s.bystander.id):
        assert secret not in got.text
    assert_problem(await client.get(f"{API}/referrals/{made['id']}", headers=s.admin.headers), 404)
    # A coordinator may still withdraw it, and hears only its id and status back.
    cancelled = await set_status(client, s.admin, made["id"], "entered-in-error")
    assert cancelled == {"id": made["id"], "status": "entered-in-error"}

    # The referrer reads their own with names; a facilitator counts only their own.
    theirs = expect(await client.get(url, headers=s.facilitator.headers), 200)
    assert theirs["mine"][0]["person_name"] == participant_name
    # Theirs was made by mistake, and one made by mistake is no referral to count.
    assert theirs["total"] == 0 and theirs["rows"] == []
    assert theirs["mine"][0]["note"] == "See Ana"
    # A participant counts nothing.
    assert_problem(await client.get(url, headers=s.participant.headers), 403)
    # Its history says who: the referrer, the person, then staff.
    [r] = await mine(client, s.participant)
    assert [h["by"] for h in r["history"]] == ["referrer", "person", "staff"]


async def test_a_referral_to_a_group_is_an_invitation_that_becomes_a_membership_with_its_schedule(
        client, world, smtp, mail_settings, pool, redis):
    s = world.s
    # A private group that needs approval: the coordinator's invitation stands in for both.
    group = await make_group(client, s.org, s.admin, name="Evening Circle", visibility="private",
                             join_policy="approval")
    start = (now() + timedelta(days=3)).replace(hour=18, minute=0, second=0, microsecond=0, tzinfo=None)
    body = {"start": start.isoformat(), "timezone": NY, "duration_minutes": 90, "rrule": "FREQ=WEEKLY;COUNT=4"}
    expect(await client.post(f"{API}/groups/{group['id']}/series", json=body, headers=s.admin.headers), 201)
    assert_problem(await client.get(f"{API}/groups/{group['id']}", headers=s.participant.headers), 404)

    made = await refer(client, s.coordinator, s.participant, group_id=group["id"], note="Wednesdays suit you")
    await run_jobs(mail_settings, pool, redis)
    [invitation] = mail_to(smtp, s.participant)
    assert "Evening Circle" in invitation["Subject"] and "invites you to join" in mail_text(invitation)
    assert await pool.fetchval("SELECT count(*) FROM group_members WHERE group_id = $1 AND user_id = $2",
                               group["id"], s.participant.id) == 0
    smtp.messages.clear()

    await set_status(client, s.participant, made["id"], "accepted")
    assert await pool.fetchval("SELECT status FROM group_members WHERE group_id = $1 AND user_id = $2",
                               group["id"], s.participant.id) == "active"
    await run_jobs(mail_settings, pool, redis)
    [calendar] = mail_to(smtp, s.participant)  # the group's schedule, as for any membership
    assert "BEGIN:VCALENDAR" in mail_text(calendar) and "RRULE:FREQ=WEEKLY" in mail_text(calendar)
    assert expect(await client.get(f"{API}/groups/{group['id']}", headers=s.participant.headers), 200)


async def test_a_referral_is_in_the_export_and_gone_with_erasure(client, world, pool):
    s = world.s
    made = await refer(client, s.facilitator, s.participant, service_id=world.food, note="Bring an ID")
    until = (now() + timedelta(days=10)).date().isoformat()
    consent = {"share_with": "Riverside", "fields": ["name"], "purpose": "an appointment", "until": until}
    expect(await client.post(f"{API}/referrals/{made['id']}/consent", json=consent, headers=s.participant.headers), 201)
    exported = expect(await client.get(f"{API}/me/export", headers=s.participant.headers), 200)
    [r] = exported["referrals"]
    assert (r["service_name"], r["note"], r["status"]) == ("Riverside Food Pantry", "Bring an ID", "requested")
    assert r["history"][0]["to"] == "requested" and r["consents"][0]["share_with"] == "Riverside"

    expect(await client.delete(f"{API}/me", headers=s.participant.headers), 204)
    for table in ("referrals", "referral_events", "referral_consents"):
        assert await pool.fetchval(f"SELECT count(*) FROM {table}") == 0, table


async def test_referrals_past_the_retention_period_expire(client, world, pool):
    from coord.privacy.service import expire_attendance

    s = world.s
    await refer(client, s.facilitator, s.participant, service_id=world.food)
    async with pool.acquire() as conn:
        await expire_attendance(conn, now() + timedelta(days=31 * 30))
    assert await pool.fetchval("SELECT count(*) FROM referrals") == 0
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'referral.retention'") == 1


async def test_bad_input_is_a_problem(client, world):
    s = world.s
    url = f"{API}/referrals"
    both = {"person_id": s.participant.id, "service_id": world.food, "group_id": s.group["id"]}
    assert_problem(await client.post(url, json=both, headers=s.coordinator.headers), 422)
    assert_problem(await client.post(url, json={"person_id": s.participant.id}, headers=s.coordinator.headers), 422)
    assert_problem(await client.post(url, json={"person_id": "nope", "service_id": world.food},
                                     headers=s.coordinator.headers), 400)
    assert_problem(await client.post(url, json={**both, "group_id": None, "extra": 1},
                                     headers=s.coordinator.headers), 400)
    missing = "00000000-0000-4000-8000-000000000000"
    assert_problem(await client.post(url, json={"person_id": s.participant.id, "service_id": missing},
                                     headers=s.coordinator.headers), 404)
    made = await refer(client, s.coordinator, s.participant, service_id=world.food)
    status = f"{API}/referrals/{made['id']}/status"
    assert_problem(await client.post(status, json={"status": "maybe"}, headers=s.participant.headers), 400)
    # The person cannot cancel (that is the referrer's), nor the referrer accept for them.
    assert_problem(await client.post(status, json={"status": "cancelled"}, headers=s.participant.headers), 403)
    assert_problem(await client.post(status, json={"status": "accepted"}, headers=s.coordinator.headers), 403)
    await set_status(client, s.participant, made["id"], "declined")
    conflict = assert_problem(await client.post(status, json={"status": "accepted"}, headers=s.participant.headers), 409)
    assert conflict["type"].endswith("referral-status")
    past = (now() - timedelta(days=2)).date().isoformat()
    consent = {"share_with": "Riverside", "fields": ["name"], "purpose": "x", "until": past}
    assert_problem(await client.post(f"{API}/referrals/{made['id']}/consent", json=consent,
                                     headers=s.participant.headers), 422)
    assert_problem(await client.post(f"{API}/referrals/{made['id']}/consent", json={**consent, "fields": ["ssn"]},
                                     headers=s.participant.headers), 400)


async def test_an_invitation_from_someone_who_cannot_approve_is_a_request_to_join(client, world, pool):
    s = world.s
    # The facilitator of the participant's group refers them to another group that needs approval:
    # they may not approve members there, so accepting asks to join, as anyone would.
    other = await make_group(client, s.org, s.admin, name="Friday Circle", join_policy="approval")
    made = await refer(client, s.facilitator, s.participant, group_id=other["id"])
    await set_status(client, s.participant, made["id"], "accepted")
    assert await pool.fetchval("SELECT status FROM group_members WHERE group_id = $1 AND user_id = $2",
                               other["id"], s.participant.id) == "pending"


async def test_a_withdrawn_referral_sends_no_check_in(client, world, smtp, mail_settings, pool, redis):
    from coord.kernel import clock

    s = world.s
    made = await refer(client, s.facilitator, s.participant, service_id=world.food)
    await set_status(client, s.facilitator, made["id"], "cancelled", note="sent to the wrong person")
    [r] = await mine(client, s.participant)
    assert r["status"] == "cancelled" and r["history"][-1]["note"] == "sent to the wrong person"
    await run_jobs(mail_settings, pool, redis)
    with clock.shifted(timedelta(days=8)):
        await run_jobs(mail_settings, pool, redis)
    assert mail_to(smtp, s.participant) == []  # neither the notice (withdrawn first) nor the check-in


async def test_a_consent_ends_on_a_day_of_the_persons_calendar(client, world):
    """At 8 pm in Los Angeles it is already the next day in UTC: a consent "until today" is
    still accepted, and still in force for the referrer, until midnight where she lives."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from coord.kernel import clock
    from tests.support import PASSWORD

    s = world.s
    expect(await client.patch(f"{API}/me", json={"timezone": "America/Los_Angeles"},
                              headers=s.participant.headers), 200)
    made = await refer(client, s.facilitator, s.participant, service_id=world.food)
    la = ZoneInfo("America/Los_Angeles")
    evening = datetime.combine(now().astimezone(la).date() + timedelta(days=1), time(20, 0), la)
    assert evening.astimezone(ZoneInfo("UTC")).date() > evening.date()

    async def bearer(user) -> dict[str, str]:
        token = expect(await client.post(f"{API}/auth/token", json={"email": user.email, "password": PASSWORD}), 200)
        return {"Authorization": f"Bearer {token['access_token']}"}

    consent = {"share_with": "Riverside", "fields": ["name"], "purpose": "an appointment",
               "until": evening.date().isoformat()}
    with clock.shifted(evening - clock.now()):
        expect(await client.post(f"{API}/referrals/{made['id']}/consent", json=consent,
                                 headers=await bearer(s.participant)), 201)
        shared = expect(await client.get(f"{API}/referrals/{made['id']}/shared", headers=await bearer(s.facilitator)), 200)
        assert set(shared["facts"]) == {"name"}
        yesterday = {**consent, "until": (evening.date() - timedelta(days=1)).isoformat()}
        late = assert_problem(await client.post(f"{API}/referrals/{made['id']}/consent", json=yesterday,
                                                headers=await bearer(s.participant)), 422)
        assert late["errors"][0]["field"] == "until"
    with clock.shifted(evening + timedelta(hours=4, minutes=1) - clock.now()):  # past midnight in Los Angeles
        assert_problem(await client.get(f"{API}/referrals/{made['id']}/shared", headers=await bearer(s.facilitator)),
                       409)
