"""RSVPs, attendance and who sees where a session happens."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import UUID

from tests.moments import local_start, now
from tests.support import assert_problem, concurrently, expect
from tests.support.world import events_of, past_session, setup

UTC = timezone.utc


async def test_rsvp_is_for_active_members_and_respects_capacity(client, api, pool):
    s = await setup(client, api, capacity=1, join_policy="approval")
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=2")
    first, second = await s.sessions()
    url = f"/api/v1/sessions/{first['id']}/rsvp"
    # In a group that needs approval, the participant's join left them pending: no RSVP yet.
    assert_problem(await client.post(url, json={"response": "going"}, headers=s.participant.headers), 403)
    expect(await client.post(f"{s.base}/members/{s.participant.id}/approve", headers=s.admin.headers), 200)
    going = expect(await client.post(url, json={"response": "going"}, headers=s.participant.headers), 200)
    assert going == {"session_id": first["id"], "user_id": s.participant.id, "response": "going", "going_count": 1, "capacity": 1}
    # Saying it twice is fine; the session is now full for the next person.
    expect(await client.post(url, json={"response": "going"}, headers=s.participant.headers), 200)
    assert "full" in assert_problem(await client.post(url, json={"response": "going"}, headers=s.facilitator.headers), 409)["detail"]
    expect(await client.post(url, json={"response": "not_going"}, headers=s.participant.headers), 200)
    assert expect(await client.post(url, json={"response": "going"}, headers=s.facilitator.headers), 200)["going_count"] == 1
    # Org members outside the group, other organizations, bad bodies, cancelled sessions.
    assert_problem(await client.post(url, json={"response": "going"}, headers=s.bystander.headers), 403)
    outsider = await api.user()
    await api.org(outsider)
    assert_problem(await client.post(url, json={"response": "going"}, headers=outsider.headers), 404)
    assert_problem(await client.post(url, json={"response": "maybe"}, headers=s.participant.headers), 400)
    expect(await client.post(f"/api/v1/sessions/{second['id']}/cancel", headers=s.admin.headers), 200)
    assert_problem(await client.post(f"/api/v1/sessions/{second['id']}/rsvp", json={"response": "going"}, headers=s.participant.headers), 409)
    recorded = await events_of(pool, "session.rsvp_recorded")
    assert len(recorded) == 3 and set(recorded[0]) == {"kind", "session_id", "user_id"}


async def test_concurrent_rsvps_never_overbook(client, api):
    s = await setup(client, api, capacity=3)
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=1")
    (session,) = await s.sessions()
    people = [await api.user() for _ in range(10)]
    for person in people:
        await api.member(s.org, s.admin, person, "participant")
        expect(await client.post(f"{s.base}/join", headers=person.headers), 201)
    url = f"/api/v1/sessions/{session['id']}/rsvp"
    responses = concurrently(client, [("POST", url, p.headers, {"json": {"response": "going"}}) for p in people])
    assert sorted(r.status_code for r in responses) == [200] * 3 + [409] * 7
    assert (await s.sessions())[0]["going_count"] == 3


async def test_venue_details_only_for_people_confirmed(client, api):
    s = await setup(client, api)
    venue = expect(await client.post(f"/api/v1/orgs/{s.org['id']}/venues",
                                     json={"name": "Room 2", "kind": "in_person", "address": "12 Elm St"},
                                     headers=s.admin.headers), 201)
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=1", venue_id=venue["id"])
    (session,) = await s.sessions()
    url = f"/api/v1/sessions/{session['id']}"
    before = expect(await client.get(url, headers=s.participant.headers), 200)
    assert before["venue"] is None and before["my_rsvp"] is None and before["group_name"] == s.group["name"]
    expect(await client.post(f"{url}/rsvp", json={"response": "going"}, headers=s.participant.headers), 200)
    after = expect(await client.get(url, headers=s.participant.headers), 200)
    assert after["venue"]["address"] == "12 Elm St" and after["my_rsvp"] == "going" and after["going_count"] == 1
    assert expect(await client.get(url, headers=s.facilitator.headers), 200)["venue"]["id"] == venue["id"]


async def test_attendance_by_any_facilitator_of_the_group_and_staff_audited(client, api, pool):
    s = await setup(client, api)
    session = await past_session(s)  # assigned to s.facilitator only
    url = f"/api/v1/sessions/{session['id']}/attendance"
    sheet = {"records": [{"user_id": s.participant.id, "status": "present"}, {"user_id": s.co_facilitator.id, "status": "excused"}]}
    # Members who do not facilitate the group never record: its participants, nor a facilitator
    # of the organization who is not one of this group's.
    elsewhere = await api.user()
    await api.member(s.org, s.admin, elsewhere, "facilitator")
    for person in (s.participant, elsewhere):
        assert "facilitators" in assert_problem(await client.put(url, json=sheet, headers=person.headers), 403)["detail"]
        assert_problem(await client.get(url, headers=person.headers), 403)
    # The group's other facilitator ran it, though not assigned to it: they record it.
    recorded = expect(await client.put(url, json=sheet, headers=s.co_facilitator.headers), 200)
    assert recorded["status"] == "completed"
    assert sorted((r["user_id"], r["status"], r["recorded_by"]) for r in recorded["records"]) == sorted(
        [(s.participant.id, "present", s.co_facilitator.id), (s.co_facilitator.id, "excused", s.co_facilitator.id)]
    )
    # A coordinator corrects one record; the rest stays.
    fix = {"records": [{"user_id": s.participant.id, "status": "absent"}]}
    corrected = expect(await client.put(url, json=fix, headers=s.coordinator.headers), 200)
    assert {r["user_id"]: r["status"] for r in corrected["records"]}[s.participant.id] == "absent"
    assert {r["user_id"]: r["recorded_by"] for r in corrected["records"]}[s.participant.id] == s.coordinator.id
    read = expect(await client.get(url, headers=s.facilitator.headers), 200)
    assert len(read["records"]) == 2
    events = await events_of(pool, "session.attendance_recorded")
    assert events == [{"kind": "session.attendance_recorded", "session_id": session["id"]}] * 2  # no statuses
    async with pool.acquire() as conn:
        audited = [(r["action"], str(r["actor_id"])) for r in await conn.fetch(
            "SELECT action, actor_id FROM audit_log WHERE subject_id = $1 ORDER BY id", UUID(session["id"]))]
    assert audited == [("attendance.recorded", s.co_facilitator.id), ("attendance.recorded", s.coordinator.id),
                       ("attendance.read", s.facilitator.id)]
    listed = [i for i in await s.sessions() if i["id"] == session["id"]][0]
    assert listed["status"] == "completed"


async def test_attendance_input_is_checked(client, api):
    s = await setup(client, api)
    session = await past_session(s)
    url = f"/api/v1/sessions/{session['id']}/attendance"
    present = {"user_id": s.participant.id, "status": "present"}
    problem = assert_problem(await client.put(url, json={"records": [present, present]}, headers=s.admin.headers), 422)
    assert problem["errors"][0]["field"] == "records"
    stranger = {"user_id": s.bystander.id, "status": "present"}
    problem = assert_problem(await client.put(url, json={"records": [present, stranger]}, headers=s.admin.headers), 422)
    assert s.bystander.id in problem["detail"]
    assert_problem(await client.put(url, json={"records": [{**present, "status": "late"}]}, headers=s.admin.headers), 400)
    assert_problem(await client.put(url, json={"records": []}, headers=s.admin.headers), 400)
    # Nothing was written by the refused requests.
    assert expect(await client.get(url, headers=s.admin.headers), 200)["records"] == []
    future = [i for i in await s.sessions() if datetime.fromisoformat(i["starts_at"]) > now()][0]
    assert_problem(await client.put(f"/api/v1/sessions/{future['id']}/attendance", json={"records": [present]}, headers=s.admin.headers), 409)
    expect(await client.post(f"/api/v1/sessions/{future['id']}/cancel", headers=s.admin.headers), 200)
    assert_problem(await client.put(f"/api/v1/sessions/{future['id']}/attendance", json={"records": [present]}, headers=s.admin.headers), 409)
