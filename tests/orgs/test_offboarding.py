"""Leaving an organization, being removed from one, and losing roles (issue 14.8): what the
person held ahead is given up with its consequences (waitlists promoted, calendars sent a
CANCEL, coverage gaps alerted, organization feeds stopped), attendance stays, it is all
audited, and the person gets one calm message; the last admin stays. Through real HTTP,
real workers and a real SMTP sink; then the same from the pages."""

from __future__ import annotations

from datetime import datetime, time

from coord.notify.mailer import mailer_from_settings
from tests.moments import NY, local_start, today
from tests.pages import Visitor, text_of
from tests.support import API, assert_problem, concurrently, expect, mail_text, run_jobs
from tests.support.world import events_of, make_event, make_shift, past_session, setup
from workers.schedule_jobs import alert_coverage_gaps


def tomorrow_noon() -> datetime:
    """Noon tomorrow in New York: 12 to 36 hours ahead, within the coverage alert's 72 hours."""
    return datetime.combine(today(NY, days=1), time(12, 0))


async def take_with_waitlist(client, path: str, holder, waiting) -> None:
    """`holder` takes the one place at `path` (a shift's signups or an event's registrations),
    `waiting` goes on the waitlist."""
    assert expect(await client.post(path, headers=holder.headers), 201)["status"] == "confirmed"
    assert expect(await client.post(path, headers=waiting.headers), 201)["status"] == "waitlisted"


def to(smtp, user) -> list:
    return [m for m in smtp.messages if m["To"] == user.email]


async def audit_rows(pool, action: str) -> list:
    return await pool.fetch(
        "SELECT actor_id::text, subject_id::text, detail FROM audit_log WHERE action = $1 ORDER BY id", action)


async def test_leaving_releases_places_ends_groups_stops_feeds_keeps_attendance_and_tells_once(
    client, api, pool, redis, smtp, mail_settings
):
    s = await setup(client, api)
    org, leaver, waiting = s.org, s.participant, s.bystander
    series = await s.series(local_start(1), "FREQ=WEEKLY;COUNT=4", facilitator_ids=[s.facilitator.id])
    upcoming = next(x for x in await s.sessions() if x["series_id"] == series["id"])
    expect(await client.post(f"{API}/sessions/{upcoming['id']}/rsvp", json={"response": "going"},
                             headers=leaver.headers), 200)
    past = await past_session(s)
    sheet = {"records": [{"user_id": leaver.id, "status": "present"}]}
    expect(await client.put(f"{API}/sessions/{past['id']}/attendance", json=sheet, headers=s.facilitator.headers), 200)
    shift = await make_shift(client, org, s.admin, capacity=1)
    await take_with_waitlist(client, f"{API}/shifts/{shift['id']}/signups", leaver, waiting)
    event = await make_event(client, org, s.admin, capacity=1)
    await take_with_waitlist(client, f"{API}/events/{event['id']}/registrations", leaver, waiting)
    org_feed = expect(await client.post(f"{API}/me/feeds", json={"scope": "org", "org_id": org["id"]},
                                        headers=leaver.headers), 201)
    mine_feed = expect(await client.post(f"{API}/me/feeds", json={"scope": "mine"}, headers=leaver.headers), 201)
    org_path, mine_path = ("/" + f["url"].split("/", 3)[3] for f in (org_feed, mine_feed))
    assert (await client.get(org_path)).status_code == 200  # rendered, and cached
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    assert (await client.delete(f"{API}/orgs/{org['id']}/members/me", headers=leaver.headers)).status_code == 204

    # In the same transaction: the organization's feed stops at once (its cached render too),
    # their own schedule's feed goes on; the waiting person has each place; groups are left.
    assert (await client.get(org_path)).status_code == 404
    assert (await client.get(mine_path)).status_code == 200
    assert expect(await client.get(f"{API}/shifts/{shift['id']}/signups/me", headers=waiting.headers), 200)["status"] == "confirmed"
    assert expect(await client.get(f"{API}/events/{event['id']}/registrations/me", headers=waiting.headers), 200)["status"] == "confirmed"
    assert await pool.fetchval("SELECT status FROM signups WHERE user_id = $1::uuid", leaver.id) == "cancelled"
    assert await pool.fetchval("SELECT count(*) FROM group_members WHERE user_id = $1::uuid", leaver.id) == 0
    assert await pool.fetchval("SELECT count(*) FROM rsvps WHERE user_id = $1::uuid", leaver.id) == 0  # not "going"
    assert expect(await client.get(f"{API}/me", headers=leaver.headers), 200)["memberships"] == []
    assert_problem(await client.get(f"{API}/orgs/{org['id']}", headers=leaver.headers), 404)
    # Attendance is history: it stays, as attendance (the retention rules remove it in time).
    rows = await pool.fetch("SELECT user_id::text, status FROM attendance WHERE session_id = $1::uuid", past["id"])
    assert [(r["user_id"], r["status"]) for r in rows] == [(leaver.id, "present")]
    # Audited, and the one event about it says how much went.
    [entry] = await audit_rows(pool, "org.member_left")
    assert entry["actor_id"] == entry["subject_id"] == leaver.id
    released = {"shift_places": 1, "event_places": 1, "groups": 1, "sessions": 0, "feeds": 1}
    assert entry["detail"] == {"roles": ["participant"], "released": released}
    [left] = await events_of(pool, "org.member_left")
    assert left == {"kind": "org.member_left", "org_id": org["id"], "user_id": leaver.id, "removed": False, **released}

    await run_jobs(mail_settings, pool, redis)
    theirs = to(smtp, leaver)
    [notice] = [m for m in theirs if m["Subject"] == f"You have left {org['name']}"]
    said = mail_text(notice)
    for words in ("no longer signed up for one upcoming shift", "no longer registered for one upcoming event",
                  "no longer in one group", f"calendar feed for {org['name']} has stopped",
                  "Your past attendance stays", "988"):
        assert words in said, words
    assert "facilitate" not in said  # only what happened is said
    # Each calendar is told on its own: the shift, the event and the group's schedule come off.
    cancels = [m for m in theirs if "METHOD:CANCEL" in mail_text(m)]
    assert {m["Subject"] for m in cancels} >= {f"{s.group['name']}: its sessions are off your calendar",
                                               f"Your place is cancelled: {event['title']}"}
    assert any(m["Subject"].startswith("Your place is cancelled: the Greeter shift") for m in cancels)
    assert len(theirs) == len(cancels) + 1  # CANCELs, and the one message saying what changed
    # The people promoted get their invitations.
    promoted = [m for m in to(smtp, waiting) if m["Subject"].startswith("A place opened up")]
    assert len(promoted) == 2 and all("METHOD:REQUEST" in mail_text(m) for m in promoted)


async def test_a_removed_facilitator_leaves_coverage_gaps_that_coordinators_are_alerted_to(
    client, api, pool, redis, smtp, mail_settings
):
    s = await setup(client, api, facilitators_required=1)
    await s.series(tomorrow_noon(), "FREQ=DAILY;COUNT=5", facilitator_ids=[s.facilitator.id])
    gaps_url = f"{API}/orgs/{s.org['id']}/coverage-gaps"
    assert expect(await client.get(gaps_url, headers=s.coordinator.headers), 200)["items"] == []
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    removal = f"{API}/orgs/{s.org['id']}/members/{s.facilitator.id}"
    assert (await client.delete(removal, headers=s.coordinator.headers)).status_code == 204

    sessions = await s.sessions()
    assert [x["facilitator_ids"] for x in sessions] == [[]] * 5
    gaps = expect(await client.get(gaps_url, headers=s.coordinator.headers), 200)["items"]
    assert sorted(g["session_id"] for g in gaps) == sorted(x["id"] for x in sessions)
    assert {g["missing"] for g in gaps} == {1}
    # The co-facilitator stays in the group; the removed one is out of the organization.
    members = expect(await client.get(f"{s.base}/members", headers=s.coordinator.headers), 200)["items"]
    assert s.co_facilitator.id in {m["user_id"] for m in members} and s.facilitator.id not in {m["user_id"] for m in members}
    assert_problem(await client.get(f"{API}/orgs/{s.org['id']}", headers=s.facilitator.headers), 404)
    [entry] = await audit_rows(pool, "org.member_removed")
    assert (entry["actor_id"], entry["subject_id"]) == (s.coordinator.id, s.facilitator.id)
    assert entry["detail"]["released"]["sessions"] == 5 and entry["detail"]["released"]["groups"] == 1
    assert [r["detail"] for r in await audit_rows(pool, "group.member_removed")] == [{"user_id": s.facilitator.id}]

    await run_jobs(mail_settings, pool, redis)
    theirs = to(smtp, s.facilitator)
    [notice] = [m for m in theirs if m["Subject"] == f"Your membership of {s.org['name']} has ended"]
    said = mail_text(notice)
    assert "no longer down to facilitate 5 upcoming sessions" in said and "no longer in one group" in said
    assert any("METHOD:CANCEL" in mail_text(m) for m in theirs if m is not notice)
    # The coverage cron (hourly) tells the coordinator and the admin of each gap within 72 hours.
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings), "redis": redis}
    outcome = await alert_coverage_gaps(ctx)
    assert outcome.get("sent", 0) >= 2 and set(outcome) == {"sent"}
    alerts = [m for m in smtp.messages if m["Subject"].endswith("needs a facilitator")]
    assert {m["To"] for m in alerts} == {s.coordinator.email, s.admin.email}
    assert not [m for m in alerts if m["To"] == s.facilitator.email]


async def test_losing_a_role_undoes_only_what_that_role_allowed(client, api, pool, redis, smtp, mail_settings):
    s = await setup(client, api)
    await s.series(local_start(1), "FREQ=WEEKLY;COUNT=3", facilitator_ids=[s.facilitator.id])
    person = s.participant
    body = {"email": person.email, "roles": ["volunteer"]}
    assert expect(await client.post(f"{API}/orgs/{s.org['id']}/members", json=body, headers=s.admin.headers), 200)[
        "roles"] == ["participant", "volunteer"]
    shift = await make_shift(client, s.org, s.admin, capacity=1)
    await take_with_waitlist(client, f"{API}/shifts/{shift['id']}/signups", person, s.bystander)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    url = f"{API}/orgs/{s.org['id']}/members/{person.id}"
    member = expect(await client.put(url, json={"roles": ["participant"]}, headers=s.coordinator.headers), 200)
    assert member == {"org_id": s.org["id"], "user_id": person.id, "roles": ["participant"],
                      "display_name": member["display_name"]}
    # The shift place went (the volunteer role allowed it) and the next person has it ...
    assert expect(await client.get(f"{API}/shifts/{shift['id']}/signups/me", headers=s.bystander.headers), 200)["status"] == "confirmed"
    # ... the group stays (the participant role is kept).
    assert await pool.fetchval("SELECT status FROM group_members WHERE user_id = $1::uuid", person.id) == "active"
    [entry] = await audit_rows(pool, "org.roles_changed")
    assert entry["actor_id"] == s.coordinator.id and entry["detail"]["from"] == ["participant", "volunteer"]
    assert entry["detail"]["to"] == ["participant"] and entry["detail"]["released"]["shift_places"] == 1
    assert entry["detail"]["released"]["groups"] == 0
    # The same roles again change nothing and tell nobody.
    expect(await client.put(url, json={"roles": ["participant"]}, headers=s.coordinator.headers), 200)
    assert len(await events_of(pool, "org.member_roles_changed")) == 1

    await run_jobs(mail_settings, pool, redis)
    theirs = to(smtp, person)
    [notice] = [m for m in theirs if m["Subject"] == f"Your roles at {s.org['name']} have changed"]
    said = mail_text(notice)
    assert "are now: participant" in said and "no longer signed up for one upcoming shift" in said
    assert "group" not in said.split("What this changes for you:")[1].split("If this")[0]
    assert not [m for m in theirs if m["Subject"].endswith("its sessions are off your calendar")]

    # A facilitator who becomes only a volunteer stops facilitating: their facilitator
    # membership and their sessions ahead go (coverage gaps), nothing else does.
    url = f"{API}/orgs/{s.org['id']}/members/{s.facilitator.id}"
    expect(await client.put(url, json={"roles": ["volunteer"]}, headers=s.admin.headers), 200)
    assert await pool.fetchval("SELECT count(*) FROM group_members WHERE user_id = $1::uuid", s.facilitator.id) == 0
    ahead = [x for x in await s.sessions() if x["series_id"] and s.facilitator.id in x["facilitator_ids"]]
    assert ahead == []
    changed = (await events_of(pool, "org.member_roles_changed"))[-1]
    assert changed["groups"] == 1 and changed["sessions"] == 3 and changed["shift_places"] == 0


async def test_the_last_admin_stays_and_only_staff_change_others(client, api, pool):
    admin, coordinator, volunteer, outsider = [await api.user() for _ in range(4)]
    org = await api.org(admin)
    await api.member(org, admin, coordinator, "coordinator")
    await api.member(org, admin, volunteer, "volunteer")
    members = f"{API}/orgs/{org['id']}/members"

    refused = assert_problem(await client.delete(f"{members}/me", headers=admin.headers), 409)
    assert "make someone else an admin first" in refused["detail"]
    assert_problem(await client.put(f"{members}/{admin.id}", json={"roles": ["coordinator"]}, headers=admin.headers), 409)
    assert_problem(await client.delete(f"{members}/{admin.id}", headers=coordinator.headers), 403)
    assert_problem(await client.put(f"{members}/{volunteer.id}", json={"roles": ["admin"]}, headers=coordinator.headers), 403)
    assert_problem(await client.put(f"{members}/{coordinator.id}", json={"roles": ["volunteer"]}, headers=volunteer.headers), 403)
    assert_problem(await client.put(f"{members}/{volunteer.id}", json={"roles": ["coordinator"]}, headers=volunteer.headers), 403)
    assert_problem(await client.delete(f"{members}/{coordinator.id}", headers=volunteer.headers), 403)
    assert_problem(await client.delete(f"{members}/me", headers=outsider.headers), 404)
    assert_problem(await client.put(f"{members}/{outsider.id}", json={"roles": ["volunteer"]}, headers=admin.headers), 404)
    assert_problem(await client.put(f"{members}/{volunteer.id}", json={"roles": []}, headers=admin.headers), 400)
    assert_problem(await client.put(f"{members}/{volunteer.id}", json={"roles": ["volunteer"], "x": 1},
                                    headers=admin.headers), 400)
    assert await pool.fetchval("SELECT count(*) FROM org_members WHERE org_id = $1::uuid", org["id"]) == 3
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE action LIKE 'org.member%' OR action = 'org.roles_changed'") == 0

    # Another admin first; then the first may go, and the new one is the last.
    expect(await client.put(f"{members}/{coordinator.id}", json={"roles": ["admin", "coordinator"]},
                            headers=admin.headers), 200)
    assert (await client.delete(f"{members}/me", headers=admin.headers)).status_code == 204
    assert_problem(await client.delete(f"{members}/{coordinator.id}", headers=coordinator.headers), 409)
    # A volunteer may leave; removing one's own id is leaving.
    assert (await client.delete(f"{members}/{volunteer.id}", headers=volunteer.headers)).status_code == 204
    assert [r["subject_id"] for r in await audit_rows(pool, "org.member_left")] == [admin.id, volunteer.id]


async def test_pages_confirm_first_then_remove_change_roles_and_leave(client, api, pool, redis, smtp, mail_settings):
    s = await setup(client, api)
    slug = s.org["slug"]
    shift = await make_shift(client, s.org, s.admin, capacity=1)
    await take_with_waitlist(client, f"{API}/shifts/{shift['id']}/signups", s.participant, s.bystander)
    coordinator = Visitor(client)
    await coordinator.login(s.coordinator)
    overview = await coordinator.get(f"/orgs/{slug}/coordination")
    remove_path = f"/orgs/{slug}/members/{s.participant.id}/remove"
    assert remove_path in overview.text and f"/orgs/{slug}/members/{s.participant.id}/roles" in overview.text

    # Removing: the page says what will happen; nothing changes until its button is pressed.
    confirm = await coordinator.get(remove_path)
    said = text_of(confirm.text)
    assert confirm.status_code == 200 and "What will happen" in said and "Nothing has changed yet" in said
    assert "one upcoming shift are given up" in said and "leave one group" in said
    unconfirmed = await coordinator.post(remove_path, {}, form_page=remove_path)
    assert unconfirmed.status_code == 422 and "Nothing has changed yet" in text_of(unconfirmed.text)
    assert await pool.fetchval("SELECT count(*) FROM org_members WHERE user_id = $1::uuid", s.participant.id) == 1
    done = await coordinator.post(remove_path, {"confirm": "yes"}, form_page=remove_path)
    assert done.status_code == 303 and done.headers["location"] == f"/orgs/{slug}/coordination?done=removed#members"
    assert await pool.fetchval("SELECT count(*) FROM org_members WHERE user_id = $1::uuid", s.participant.id) == 0
    assert expect(await client.get(f"{API}/shifts/{shift['id']}/signups/me", headers=s.bystander.headers), 200)["status"] == "confirmed"
    assert "The member was removed" in text_of((await coordinator.get(done.headers["location"])).text)

    # Changing roles: taking one away shows what that does first; adding goes at once.
    roles_path = f"/orgs/{slug}/members/{s.bystander.id}/roles"
    review = await coordinator.post(roles_path, {"roles[]": ["volunteer"]}, form_page=f"/orgs/{slug}/coordination")
    said = text_of(review.text)
    assert review.status_code == 200 and "roles will no longer include: participant" in said
    # The participant role allowed no shift place (any member may sign up), so theirs stays.
    assert "Nothing they signed up for changes" in said
    assert await pool.fetchval("SELECT roles FROM org_members WHERE user_id = $1::uuid", s.bystander.id) == ["participant"]
    changed = await coordinator.post(roles_path, {"roles[]": ["volunteer"], "confirm": "yes"}, form_page=f"/orgs/{slug}/coordination")
    assert changed.status_code == 303 and changed.headers["location"].endswith("?done=roles#members")
    assert await pool.fetchval("SELECT roles FROM org_members WHERE user_id = $1::uuid", s.bystander.id) == ["volunteer"]
    added = await coordinator.post(roles_path, {"roles[]": ["volunteer", "participant"]}, form_page=f"/orgs/{slug}/coordination")
    assert added.status_code == 303
    assert await pool.fetchval("SELECT roles FROM org_members WHERE user_id = $1::uuid", s.bystander.id) == ["participant", "volunteer"]

    # Leaving, from my own page.
    facilitator = Visitor(client)
    await facilitator.login(s.facilitator)
    assert f"/orgs/{slug}/leave" in (await facilitator.get("/me")).text
    leave = await facilitator.get(f"/orgs/{slug}/leave")
    assert leave.status_code == 200 and f"Leave {s.org['name']}" in text_of(leave.text)
    gone = await facilitator.post(f"/orgs/{slug}/leave", {"confirm": "yes"}, form_page=f"/orgs/{slug}/leave")
    assert gone.status_code == 303 and gone.headers["location"] == "/me?done=org_left"
    assert "You have left the organization" in text_of((await facilitator.get("/me?done=org_left")).text)
    assert await pool.fetchval("SELECT count(*) FROM org_members WHERE user_id = $1::uuid", s.facilitator.id) == 0

    # The only admin is told why they cannot leave yet, with no button to try.
    admin = Visitor(client)
    await admin.login(s.admin)
    last = await admin.get(f"/orgs/{slug}/leave")
    assert last.status_code == 409 and "make someone else an admin first" in text_of(last.text)
    assert f'action="/orgs/{slug}/leave"' not in last.text
    await run_jobs(mail_settings, pool, redis)
    assert [m["Subject"] for m in to(smtp, s.participant) if "membership" in m["Subject"]] == [
        f"Your membership of {s.org['name']} has ended"]


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(client, api, pool):
    first, second = await api.user(), await api.user()
    org = await api.org(first)
    members = f"{API}/orgs/{org['id']}/members"
    await api.member(org, first, second, "admin")
    answers = concurrently(client, [
        ("PUT", f"{members}/{second.id}", first.headers, {"json": {"roles": ["coordinator"]}}),
        ("PUT", f"{members}/{first.id}", second.headers, {"json": {"roles": ["coordinator"]}}),
    ])
    # They take turns: whoever goes second is no longer an admin, so may not demote one.
    assert sorted(r.status_code for r in answers) == [200, 403]
    admins = "SELECT count(*) FROM org_members WHERE org_id = $1::uuid AND 'admin' = ANY(roles)"
    assert await pool.fetchval(admins, org["id"]) == 1


async def test_erasure_gives_up_what_is_held_by_the_same_rule(client, api, pool):
    """Erasing an account releases, in every organization, what leaving one releases in one."""
    s = await setup(client, api, facilitators_required=1)
    await s.series(tomorrow_noon(), "FREQ=DAILY;COUNT=3", facilitator_ids=[s.facilitator.id])
    shift = await make_shift(client, s.org, s.admin, capacity=1)
    await take_with_waitlist(client, f"{API}/shifts/{shift['id']}/signups", s.facilitator, s.bystander)
    assert (await client.delete(f"{API}/me", headers=s.facilitator.headers)).status_code == 204
    assert [x["facilitator_ids"] for x in await s.sessions()] == [[]] * 3  # coverage gaps now
    removed = [e for e in await events_of(pool, "session.facilitators_changed") if e["removed"] == [s.facilitator.id]]
    assert len(removed) == 3  # calendars and feeds are told, as when leaving
    assert [e["user_id"] for e in await events_of(pool, "group.member_left")] == [s.facilitator.id]
    assert expect(await client.get(f"{API}/shifts/{shift['id']}/signups/me", headers=s.bystander.headers), 200)["status"] == "confirmed"
    gaps = expect(await client.get(f"{API}/orgs/{s.org['id']}/coverage-gaps", headers=s.coordinator.headers), 200)
    assert len(gaps["items"]) == 3
