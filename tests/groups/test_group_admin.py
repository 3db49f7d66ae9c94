"""Running a group through the API (issue 15): PATCH /groups/{id} (changes, archiving,
reopening), declining a request to join, and a private group's invitation link. Through
real HTTP, real workers and a real SMTP sink."""

from __future__ import annotations

from datetime import datetime

import icalendar

from tests.moments import local_start, now
from tests.support import API, assert_problem, expect, mail_text, run_jobs
from tests.support.calendars import calendar_parts
from tests.support.world import GROUP, events_of, make_group, past_session, setup


def to(smtp, user) -> list:
    return [m for m in smtp.messages if m["To"] == user.email]


async def test_staff_change_a_group_and_only_what_they_send_changes(client, api, pool):
    s = await setup(client, api)
    venue = await api.venue(s.org, s.admin, "Library", address="1 Main St")
    changes = {"name": "Thursday Circle", "description": None, "visibility": "unlisted", "join_policy": "approval",
               "capacity": 8, "facilitators_required": 2, "venue_id": venue["id"], "timezone": "America/Chicago",
               "languages": ["en", "es"], "discreet_title": "Thursday group", "format": "professional_led"}
    changed = expect(await client.patch(s.base, json=changes, headers=s.coordinator.headers), 200)
    assert {k: changed[k] for k in changes} == changes and changed["archived_at"] is None
    assert expect(await client.get(s.base, headers=s.admin.headers), 200)["name"] == "Thursday Circle"
    # Absent fields stay; null clears an optional one.
    again = expect(await client.patch(s.base, json={"capacity": None}, headers=s.admin.headers), 200)
    assert again["capacity"] is None and again["discreet_title"] == "Thursday group" and again["languages"] == ["en", "es"]
    assert await events_of(pool, "group.changed") == [{"kind": "group.changed", "group_id": s.group["id"]}] * 2
    rows = await pool.fetch("SELECT detail FROM audit_log WHERE action = 'group.updated' ORDER BY id")
    assert [r["detail"]["fields"] for r in rows][-1] == ["capacity"]
    # Nothing to change: nothing recorded.
    expect(await client.patch(s.base, json={"capacity": None}, headers=s.admin.headers), 200)
    assert len(await events_of(pool, "group.changed")) == 2


async def test_changing_a_group_is_for_its_organizations_staff_and_input_is_checked(client, api):
    s = await setup(client, api)
    other_admin = await api.user()
    other_org = await api.org(other_admin)
    for person in (s.facilitator, s.participant):
        assert_problem(await client.patch(s.base, json={"name": "Mine now"}, headers=person.headers), 403)
    assert_problem(await client.patch(s.base, json={"name": "Mine now"}, headers=other_admin.headers), 404)
    for bad, field in [({"colour": "blue"}, "colour"), ({"capacity": 0}, "capacity"), ({"format": "lecture"}, "format"),
                       ({"name": None}, "name"), ({"visibility": "secret"}, "visibility"), ({"archived": "yes"}, "archived")]:
        problem = assert_problem(await client.patch(s.base, json=bad, headers=s.admin.headers), 400)
        assert any(field in (e["field"] + e["message"]) for e in problem["errors"]), problem
    problem = assert_problem(await client.patch(s.base, json={"timezone": "Mars/Olympus"}, headers=s.admin.headers), 422)
    assert problem["errors"][0]["field"] == "timezone"
    venue = await api.venue(other_org, other_admin, "Their hall", address="2 Elm St")
    assert_problem(await client.patch(s.base, json={"venue_id": venue["id"]}, headers=s.admin.headers), 404)
    assert expect(await client.get(s.base, headers=s.admin.headers), 200)["name"] == s.group["name"]


async def test_archiving_cancels_what_is_ahead_keeps_history_refuses_new_sessions_and_tells_members(
    client, api, pool, redis, smtp, mail_settings
):
    s = await setup(client, api)
    past = await past_session(s)
    series = await s.series(local_start(1), "FREQ=WEEKLY;COUNT=6", facilitator_ids=[s.facilitator.id])
    expect(await client.post(f"{API}/groups/{s.group['id']}/join", headers=s.bystander.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    archived = expect(await client.patch(s.base, json={"archived": True}, headers=s.coordinator.headers), 200)
    assert datetime.fromisoformat(archived["archived_at"]) <= now()

    sessions = await s.sessions()
    ahead = [x for x in sessions if x["series_id"] == series["id"]]
    assert len(ahead) == 6 and {x["status"] for x in ahead} == {"cancelled"}
    assert next(x for x in sessions if x["id"] == past["id"])["status"] != "cancelled"  # history stays
    assert await pool.fetchval("SELECT ended_at IS NOT NULL FROM series WHERE id = $1::uuid", series["id"])
    # No new series, members or joins; the refusal says why.
    problem = assert_problem(await client.post(f"{s.base}/series", headers=s.facilitator.headers, json={
        "start": local_start(2).isoformat(), "timezone": "America/New_York", "duration_minutes": 60,
        "rrule": "FREQ=WEEKLY;COUNT=2"}), 409)
    assert problem["type"].endswith("group-archived") and "archived" in problem["detail"]
    joiner = await api.user()
    await api.member(s.org, s.admin, joiner, "participant")
    assert_problem(await client.post(f"{s.base}/join", headers=joiner.headers), 409)
    # Hidden from listings but its staff's; members keep their membership (history).
    listed = f"{API}/orgs/{s.org['id']}/groups"
    assert expect(await client.get(listed, headers=s.participant.headers), 200)["items"] == []
    assert [g["id"] for g in expect(await client.get(listed, headers=s.admin.headers), 200)["items"]] == [s.group["id"]]
    assert s.group["id"] not in (await client.get("/")).text
    assert await pool.fetchval("SELECT count(*) FROM group_members WHERE group_id = $1::uuid", s.group["id"]) == 4
    assert await events_of(pool, "group.archived") == [{"kind": "group.archived", "group_id": s.group["id"]}]

    await run_jobs(mail_settings, pool, redis)
    for member in (s.participant, s.bystander, s.facilitator, s.co_facilitator):
        notice = next(m for m in to(smtp, member) if m["Subject"] == f"{s.group['name']}: the group has closed")
        text = mail_text(notice)
        assert "has closed" in text and "upcoming sessions are cancelled" in text
        assert notice["From"].startswith(s.org["name"]) and s.org["contact_email"] in notice["Reply-To"]
        assert f"http://coord.test/orgs/{s.org['slug']}" in text and "988" in text
    # Calendars hear as when a series ends: the one that had not begun is cancelled whole, the
    # one with sessions behind it stops (its RRULE gets an UNTIL), so those stay in calendars.
    methods = {}
    for message in to(smtp, s.participant):
        inline = calendar_parts(message)[0]
        if inline is not None:
            for vevent in icalendar.Calendar.from_ical(inline.get_payload(decode=True)).walk("VEVENT"):
                methods[str(vevent["UID"])] = (inline.get_param("method"), str(vevent.get("RRULE", "")))
    assert methods[f"series-{series['id']}@coord"][0] == "CANCEL"
    assert methods[f"series-{past['series_id']}@coord"][0] == "REQUEST" and "UNTIL" in methods[
        f"series-{past['series_id']}@coord"][1].upper()
    # Archiving twice changes nothing and tells nobody again; reopening lets it take members again.
    expect(await client.patch(s.base, json={"archived": True}, headers=s.admin.headers), 200)
    assert len(await events_of(pool, "group.archived")) == 1
    reopened = expect(await client.patch(s.base, json={"archived": False}, headers=s.admin.headers), 200)
    assert reopened["archived_at"] is None
    expect(await client.post(f"{s.base}/join", headers=joiner.headers), 201)


async def test_declining_a_request_tells_the_person_kindly(client, api, pool, redis, smtp, mail_settings):
    s = await setup(client, api, join_policy="approval")
    asking = s.participant  # setup's join is a request: the group needs approval
    base = s.base
    assert_problem(await client.post(f"{base}/members/{asking.id}/decline", headers=s.bystander.headers), 403)
    declined = expect(await client.post(f"{base}/members/{asking.id}/decline", headers=s.facilitator.headers), 200)
    assert declined == {"group_id": s.group["id"], "user_id": asking.id, "role": "participant", "status": "declined",
                        "display_name": None, "joined_at": None}
    assert await pool.fetchval("SELECT count(*) FROM group_members WHERE user_id = $1::uuid", asking.id) == 0
    assert_problem(await client.post(f"{base}/members/{asking.id}/decline", headers=s.facilitator.headers), 404)
    # Someone already in the group is removed, not declined.
    assert_problem(await client.post(f"{base}/members/{s.co_facilitator.id}/decline", headers=s.admin.headers), 409)
    await run_jobs(mail_settings, pool, redis)
    [notice] = [m for m in to(smtp, asking) if m["Subject"] == f"{s.group['name']}: your request to join"]
    text = mail_text(notice)
    assert "cannot offer you a place this time" in text and "says nothing about you" in text
    assert "ask again" in text and s.org["contact_email"] in text
    # They may ask again.
    assert expect(await client.post(f"{base}/join", headers=asking.headers), 201)["status"] == "pending"


async def test_a_private_groups_link_lets_a_person_ask_to_join_and_join_the_organization(client, api, pool):
    admin, facilitator, newcomer, member = await api.user(), await api.user(), await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, facilitator, "facilitator")
    await api.member(org, admin, member, "participant")
    group = await make_group(client, org, admin, name="Quiet Circle", visibility="private", join_policy="approval")
    base = f"{API}/groups/{group['id']}"
    body = {"user_id": facilitator.id, "role": "facilitator"}
    expect(await client.post(f"{base}/members", json=body, headers=admin.headers), 201)
    assert_problem(await client.post(f"{base}/invite-link", headers=facilitator.headers), 403)  # coordinators' own
    made = expect(await client.post(f"{base}/invite-link", headers=admin.headers), 201)
    assert made["url"].startswith("http://coord.test/groups/join/")
    assert expect(await client.post(f"{base}/invite-link", headers=admin.headers), 200)["url"] == made["url"]
    assert expect(await client.get(f"{base}/invite-link", headers=admin.headers), 200)["url"] == made["url"]
    token = made["url"].rsplit("/", 1)[1]
    stored = await pool.fetchrow("SELECT nonce, token_hash FROM group_links")
    assert token.encode() not in bytes(stored["token_hash"]) + bytes(stored["nonce"])  # only a hash is kept
    # The group is "not found" to the newcomer, but the link shows it to anyone.
    assert_problem(await client.get(base, headers=newcomer.headers), 404)
    seen = expect(await client.get(f"{API}/group-links/{token}"), 200)
    assert seen["group_name"] == "Quiet Circle" and seen["org_name"] == org["name"]
    asked = expect(await client.post(f"{API}/group-links/{token}/join", headers=newcomer.headers), 201)
    assert asked["status"] == "pending" and asked["org_joined"] is True
    assert expect(await client.get(f"{API}/me", headers=newcomer.headers), 200)["memberships"][0]["roles"] == ["participant"]
    assert expect(await client.get(base, headers=newcomer.headers), 200)["my_status"] == "pending"
    again = expect(await client.post(f"{API}/group-links/{token}/join", headers=newcomer.headers), 200)
    assert again["status"] == "pending" and again["org_joined"] is False
    asked = expect(await client.post(f"{API}/group-links/{token}/join", headers=member.headers), 201)
    assert asked["org_joined"] is False
    assert [e["user_id"] for e in await events_of(pool, "org.member_added") if e["user_id"] == newcomer.id]
    # Revoked: the link opens nothing, and a new one is another link.
    assert (await client.delete(f"{base}/invite-link", headers=admin.headers)).status_code == 204
    assert_problem(await client.get(f"{API}/group-links/{token}"), 400)
    late = await api.user()
    assert_problem(await client.post(f"{API}/group-links/{token}/join", headers=late.headers), 400)
    assert_problem(await client.get(f"{base}/invite-link", headers=admin.headers), 404)
    assert expect(await client.post(f"{base}/invite-link", headers=admin.headers), 201)["url"] != made["url"]
    # A public group needs none.
    public = await make_group(client, org, admin, **GROUP)
    assert_problem(await client.post(f"{API}/groups/{public['id']}/invite-link", headers=admin.headers), 409)
