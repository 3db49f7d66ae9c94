"""An event's shifts through the API: created together (all or none), duplicated, who signed
up (names for coordinators only, every read audited), staff check-in, and the community kind."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.moments import NY, at, today
from tests.support import API, assert_problem, expect
from tests.support.world import make_event, make_shift, org_with_volunteers


@pytest.fixture
async def org_setup(api):
    """An org with an admin and three volunteers."""
    return await org_with_volunteers(api)


def row(role: str, start: float, end: float, **extra) -> dict:
    return {"role": role, "starts_at": at(start), "ends_at": at(end), "capacity": 2, **extra}


async def test_event_shifts_are_created_together_or_not_at_all(client, api, pool, org_setup):
    org, admin, (vol, *_) = org_setup
    event = await make_event(client, org, admin, kind="community", title="Wellness fair")
    assert event["kind"] == "community"
    url = f"{API}/events/{event['id']}/shifts"

    rows = [row("Greeter", 70, 73, location="Front desk"), row("Set-up", 75, 74), row("Teardown", 80, 79)]
    problem = assert_problem(await client.post(url, json={"shifts": rows}, headers=admin.headers), 422)
    assert [e["field"] for e in problem["errors"]] == ["shifts[1].ends_at", "shifts[2].ends_at"]
    assert problem["errors"][0]["message"] == "the end must be after the start"
    assert "none was" in problem["detail"]
    assert await pool.fetchval("SELECT count(*) FROM shifts WHERE event_id = $1", event["id"]) == 0

    rows[1:] = [row("Set-up", 68, 70, description="Tables and chairs"), row("Teardown", 80, 81)]
    created = expect(await client.post(url, json={"shifts": rows}, headers=admin.headers), 201)
    assert [(s["role"], s["event_id"], s["org_id"]) for s in created] == [
        (r["role"], event["id"], org["id"]) for r in rows
    ]
    assert created[0]["location"] == "Front desk" and created[1]["description"] == "Tables and chairs"
    listed = expect(await client.get(url, headers=vol.headers), 200)["items"]
    assert [s["role"] for s in listed] == ["Set-up", "Greeter", "Teardown"]  # by start time

    assert_problem(await client.post(url, json={"shifts": rows}, headers=vol.headers), 403)
    assert_problem(await client.post(url, json={"shifts": []}, headers=admin.headers), 400)
    assert_problem(await client.get(url, headers=(await stranger(api)).headers), 404)


async def stranger(api):
    """The admin of another organization."""
    other = await api.user("Otto")
    await api.org(other)
    return other


async def test_duplicate_a_shift_next_day_or_at_a_chosen_start(client, org_setup):
    org, admin, (vol, *_) = org_setup
    event = await make_event(client, org, admin)
    original = await make_shift(client, org, admin, event_id=event["id"], location="Room 2",
                                description="Hand out name tags", required_training="mhfa")
    training = {"code": "MHFA", "completed_on": today(days=-30).isoformat()}
    expect(await client.post(f"{API}/me/trainings", json=training, headers=vol.headers), 201)
    expect(await client.post(f"{API}/shifts/{original['id']}/signups", headers=vol.headers), 201)
    url = f"{API}/shifts/{original['id']}/duplicate"

    copy = expect(await client.post(url, headers=admin.headers), 201)
    same = ("role", "capacity", "location", "description", "required_training", "event_id")
    assert {k: copy[k] for k in same} == {k: original[k] for k in same}
    assert copy["id"] != original["id"] and copy["confirmed_count"] == 0
    zone = ZoneInfo(event["timezone"])
    start, copy_start = (datetime.fromisoformat(s["starts_at"]).astimezone(zone) for s in (original, copy))
    assert copy_start.date() == start.date() + timedelta(days=1)
    assert (copy_start.hour, copy_start.minute) == (start.hour, start.minute)

    new_start = at(100)
    chosen = expect(await client.post(url, json={"starts_at": new_start}, headers=admin.headers), 201)
    assert datetime.fromisoformat(chosen["starts_at"]) == datetime.fromisoformat(new_start)
    length = datetime.fromisoformat(original["ends_at"]) - datetime.fromisoformat(original["starts_at"])
    assert datetime.fromisoformat(chosen["ends_at"]) - datetime.fromisoformat(chosen["starts_at"]) == length
    assert_problem(await client.post(url, headers=vol.headers), 403)


async def test_rosters_name_people_for_coordinators_only_and_are_audited(client, api, pool, org_setup):
    org, admin, (vol, other, _) = org_setup
    coordinator = await api.user("Cora")
    await api.member(org, admin, coordinator, "coordinator")
    event = await make_event(client, org, admin, capacity=1)
    shift = await make_shift(client, org, admin, event_id=event["id"], capacity=1)
    for person in (vol, other):
        expect(await client.post(f"{API}/shifts/{shift['id']}/signups", headers=person.headers), 201)
        expect(await client.post(f"{API}/events/{event['id']}/registrations", headers=person.headers), 201)
    names = {vol.id: await pool.fetchval("SELECT display_name FROM users WHERE id = $1", vol.id),
             other.id: await pool.fetchval("SELECT display_name FROM users WHERE id = $1", other.id)}

    signups = expect(await client.get(f"{API}/shifts/{shift['id']}/signups", headers=coordinator.headers), 200)
    assert [(s["display_name"], s["status"], s["position"]) for s in signups["items"]] == [
        (names[vol.id], "confirmed", None), (names[other.id], "waitlisted", 1)]
    registrations = expect(await client.get(f"{API}/events/{event['id']}/registrations", headers=coordinator.headers), 200)
    assert [(r["display_name"], r["status"]) for r in registrations["items"]] == [
        (names[vol.id], "confirmed"), (names[other.id], "waitlisted")]
    first = expect(await client.get(f"{API}/shifts/{shift['id']}/signups?limit=1", headers=admin.headers), 200)
    rest = expect(await client.get(f"{API}/shifts/{shift['id']}/signups?limit=1&cursor={first['next_cursor']}",
                                   headers=admin.headers), 200)
    assert [s["user_id"] for s in first["items"] + rest["items"]] == [vol.id, other.id] and not rest["next_cursor"]

    audit = await pool.fetch("SELECT actor_id::text, action, subject_type, subject_id::text FROM audit_log "
                             "WHERE action IN ('shift.roster_read', 'event.roster_read') ORDER BY id")
    assert [tuple(a) for a in audit][:2] == [(coordinator.id, "shift.roster_read", "shift", shift["id"]),
                                             (coordinator.id, "event.roster_read", "event", event["id"])]

    assert_problem(await client.get(f"{API}/shifts/{shift['id']}/signups", headers=vol.headers), 403)
    assert_problem(await client.get(f"{API}/events/{event['id']}/registrations", headers=vol.headers), 403)
    outsider = await stranger(api)
    assert_problem(await client.get(f"{API}/shifts/{shift['id']}/signups", headers=outsider.headers), 404)
    assert_problem(await client.get(f"{API}/events/{event['id']}/registrations", headers=outsider.headers), 404)


async def test_coordinators_check_volunteers_in(client, org_setup):
    org, admin, (vol, other, _) = org_setup
    shift = await make_shift(client, org, admin, starts_at=at(0.5), ends_at=at(3), capacity=1)
    url = f"{API}/shifts/{shift['id']}/signups"
    placed = expect(await client.post(url, headers=vol.headers), 201)
    waiting = expect(await client.post(url, headers=other.headers), 201)

    checked = expect(await client.post(f"{url}/{placed['id']}/check-in", headers=admin.headers), 200)
    assert checked["checked_in_at"] is not None and checked["user_id"] == vol.id
    again = expect(await client.post(f"{url}/{placed['id']}/check-in", headers=admin.headers), 200)
    assert again["checked_in_at"] == checked["checked_in_at"]  # the first time stays
    assert "confirmed place" in assert_problem(
        await client.post(f"{url}/{waiting['id']}/check-in", headers=admin.headers), 409)["detail"]
    assert_problem(await client.post(f"{url}/{placed['id']}/check-in", headers=vol.headers), 403)
    later = await make_shift(client, org, admin, starts_at=at(30), ends_at=at(31))
    early = expect(await client.post(f"{API}/shifts/{later['id']}/signups", headers=vol.headers), 201)
    assert "hour before" in assert_problem(
        await client.post(f"{API}/shifts/{later['id']}/signups/{early['id']}/check-in", headers=admin.headers),
        409)["detail"]
    assert_problem(await client.post(f"{API}/shifts/{later['id']}/signups/{placed['id']}/check-in",
                                     headers=admin.headers), 404)


async def test_shift_location_can_be_changed_and_cleared(client, org_setup):
    org, admin, _ = org_setup
    shift = await make_shift(client, org, admin, location="  Front   desk ")
    assert shift["location"] == "Front desk"
    url = f"{API}/shifts/{shift['id']}"
    moved = expect(await client.patch(url, json={"location": "Side door"}, headers=admin.headers), 200)
    assert (moved["location"], moved["sequence"]) == ("Side door", 1)
    cleared = expect(await client.patch(url, json={"location": None}, headers=admin.headers), 200)
    assert cleared["location"] is None
    kept = expect(await client.patch(url, json={"capacity": 3}, headers=admin.headers), 200)
    assert (kept["location"], kept["sequence"]) == (None, 2)


async def test_event_kinds_include_community(client, org_setup):
    org, admin, _ = org_setup
    fair = await make_event(client, org, admin, kind="community", timezone=NY)
    assert expect(await client.get(f"{API}/events/{fair['id']}", headers=admin.headers), 200)["kind"] == "community"
    schema = (await client.get("/schema/openapi.json")).json()
    kinds = schema["components"]["schemas"]["EventIn"]["properties"]["kind"]
    assert "community" in str(kinds)
