"""Community events and registrations: through HTTP."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.moments import at
from tests.support import API, assert_problem, expect
from tests.support.world import make_event, outbox


@pytest.fixture
async def org_setup(api):
    """An org with an admin and three participants."""
    admin = await api.user("admin")
    org = await api.org(admin)
    people = [await api.user("member") for _ in range(3)]
    for p in people:
        await api.member(org, admin, p, "participant")
    return org, admin, people


async def test_create_get_and_list_events(client, api, pool, org_setup):
    org, admin, (member, *_) = org_setup
    venue = expect(
        await client.post(
            f"{API}/orgs/{org['id']}/venues",
            json={"name": "Hall", "kind": "in_person", "address": "1 Main St"},
            headers=admin.headers,
        ),
        201,
    )
    event = await make_event(client, org, admin, venue_id=venue["id"], description="Bring a pen")
    assert (event["status"], event["sequence"], event["confirmed_count"], event["waitlist_count"]) == ("scheduled", 0, 0, 0)
    assert expect(await client.get(f"{API}/events/{event['id']}", headers=member.headers), 200)["venue_id"] == venue["id"]
    listed = expect(await client.get(f"{API}/orgs/{org['id']}/events", headers=member.headers), 200)
    assert [e["id"] for e in listed["items"]] == [event["id"]] and listed["next_cursor"] is None
    assert ("event.scheduled", {"kind": "event.scheduled", "event_id": event["id"]}) in await outbox(pool)


async def test_event_input_problems(client, api, org_setup):
    org, admin, (member, *_) = org_setup
    url = f"{API}/orgs/{org['id']}/events"
    good = {"title": "Walk", "kind": "awareness", "starts_at": at(48), "ends_at": at(50), "timezone": "UTC", "visibility": "public"}
    cases = [
        (good | {"ends_at": at(47)}, 422, "ends_at"),
        (good | {"timezone": "Mars/Olympus"}, 422, "timezone"),
        (good | {"registration_opens_at": at(10), "registration_closes_at": at(5)}, 422, "registration_closes_at"),
        (good | {"capacity": -1}, 400, None),
        (good | {"starts_at": "2030-05-01T10:00:00", "ends_at": "2030-05-01T12:00:00"}, 400, None),
        (good | {"kind": "party"}, 400, None),
        (good | {"visibility": "secret"}, 400, None),
        (good | {"organiser": "me"}, 400, "organiser"),
        ({k: v for k, v in good.items() if k != "title"}, 400, None),
    ]
    for body, status, field in cases:
        problem = assert_problem(await client.post(url, json=body, headers=admin.headers), status)
        if field:
            assert problem["errors"][0]["field"] == field, problem
    outsider = await api.user()
    other = await api.org(outsider)
    their_venue = expect(
        await client.post(
            f"{API}/orgs/{other['id']}/venues",
            json={"name": "Theirs", "kind": "virtual", "meeting_url": "https://meet.example.org/x"},
            headers=outsider.headers,
        ),
        201,
    )
    problem = assert_problem(await client.post(url, json=good | {"venue_id": their_venue["id"]}, headers=admin.headers), 422)
    assert problem["errors"][0]["field"] == "venue_id"
    assert_problem(await client.post(url, json=good, headers=member.headers), 403)
    assert_problem(await client.post(url, json=good, headers=outsider.headers), 404)
    assert expect(await client.get(url, headers=admin.headers), 200)["items"] == []


async def test_registration_waitlist_and_promotion(client, pool, org_setup):
    org, admin, (a, b, c) = org_setup
    event = await make_event(client, org, admin, capacity=1)
    url = f"{API}/events/{event['id']}/registrations"
    first = expect(await client.post(url, headers=a.headers), 201)
    second = expect(await client.post(url, headers=b.headers), 201)
    third = expect(await client.post(url, headers=c.headers), 201)
    assert [(r["status"], r["position"]) for r in (first, second, third)] == [
        ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2),
    ]  # fmt: skip
    assert "already registered" in assert_problem(await client.post(url, headers=c.headers), 409)["detail"]
    assert (await client.delete(f"{url}/me", headers=a.headers)).status_code == 204
    assert expect(await client.get(f"{url}/me", headers=b.headers), 200)["status"] == "confirmed"
    assert expect(await client.get(f"{url}/me", headers=c.headers), 200)["position"] == 1
    events = await outbox(pool)
    assert ("booking.cancelled", {"kind": "booking.cancelled", "booking_id": first["id"], "bookable": "event",
            "bookable_id": event["id"], "user_id": a.id, "had_place": True}) in events  # fmt: skip
    promoted = [p for k, p in events if k == "booking.placed" and p["promoted"]]
    assert [p["booking_id"] for p in promoted] == [second["id"]]
    assert [p.get("status") for k, p in events if k == "booking.placed"].count("waitlisted") == 2
    again = expect(await client.post(url, headers=a.headers), 201)  # a cancelled registration may come back...
    assert (again["status"], again["position"]) == ("waitlisted", 2)  # ...at the back of the queue
    counts = expect(await client.get(f"{API}/events/{event['id']}", headers=a.headers), 200)
    assert (counts["confirmed_count"], counts["waitlist_count"]) == (1, 2)
    assert_problem(await client.delete(f"{url}/me", headers=admin.headers), 404)


async def test_unlimited_capacity_confirms_everyone(client, org_setup):
    org, admin, people = org_setup
    event = await make_event(client, org, admin, capacity=None)
    for p in people:
        assert expect(await client.post(f"{API}/events/{event['id']}/registrations", headers=p.headers), 201)["status"] == "confirmed"


async def test_zero_capacity_waitlists_everyone(client, org_setup):
    org, admin, (a, b, _) = org_setup
    event = await make_event(client, org, admin, capacity=0)
    url = f"{API}/events/{event['id']}/registrations"
    assert expect(await client.post(url, headers=a.headers), 201)["position"] == 1
    assert expect(await client.post(url, headers=b.headers), 201)["position"] == 2


async def test_registration_window_says_when(client, org_setup):
    org, admin, (member, *_) = org_setup
    not_yet = await make_event(client, org, admin, registration_opens_at=at(24))
    problem = assert_problem(await client.post(f"{API}/events/{not_yet['id']}/registrations", headers=member.headers), 409)
    assert "opens at" in problem["detail"]
    assert datetime.fromisoformat(problem["registration_opens_at"]) == datetime.fromisoformat(not_yet["registration_opens_at"])
    closed = await make_event(client, org, admin, registration_opens_at=at(-48), registration_closes_at=at(-1))
    problem = assert_problem(await client.post(f"{API}/events/{closed['id']}/registrations", headers=member.headers), 409)
    assert "closed at" in problem["detail"]
    assert "registration_closes_at" in problem, problem  # says when, like "opens at" does
    assert datetime.fromisoformat(problem["registration_closes_at"]) == datetime.fromisoformat(closed["registration_closes_at"])
    started = await make_event(client, org, admin, starts_at=at(-1), ends_at=at(2))  # closes at the start by default
    assert_problem(await client.post(f"{API}/events/{started['id']}/registrations", headers=member.headers), 409)
    open_now = await make_event(client, org, admin, registration_opens_at=at(-1), registration_closes_at=at(10))
    expect(await client.post(f"{API}/events/{open_now['id']}/registrations", headers=member.headers), 201)


async def test_public_events_are_open_to_outsiders_private_ones_are_404(client, api, org_setup):
    org, admin, _ = org_setup
    public = await make_event(client, org, admin, visibility="public")
    unlisted = await make_event(client, org, admin, visibility="unlisted")
    private = await make_event(client, org, admin, visibility="private")
    outsider = await api.user()
    assert expect(await client.get(f"{API}/events/{public['id']}", headers=outsider.headers), 200)["id"] == public["id"]
    reg = expect(await client.post(f"{API}/events/{public['id']}/registrations", headers=outsider.headers), 201)
    assert reg["status"] == "confirmed"
    assert (await client.delete(f"{API}/events/{public['id']}/registrations/me", headers=outsider.headers)).status_code == 204
    for hidden in (unlisted, private):
        assert_problem(await client.get(f"{API}/events/{hidden['id']}", headers=outsider.headers), 404)
        assert_problem(await client.post(f"{API}/events/{hidden['id']}/registrations", headers=outsider.headers), 404)
    assert_problem(await client.get(f"{API}/orgs/{org['id']}/events", headers=outsider.headers), 404)
    assert_problem(await client.post(f"{API}/events/{public['id']}/cancel", headers=outsider.headers), 403)


async def test_update_event_moves_it_and_promotes_on_more_room(client, pool, org_setup):
    org, admin, (a, b, c) = org_setup
    event = await make_event(client, org, admin, capacity=1)
    url = f"{API}/events/{event['id']}"
    for person in (a, b, c):
        expect(await client.post(f"{url}/registrations", headers=person.headers), 201)
    # Room for one more: the first waitlisted (b) is promoted; nothing a calendar shows changed.
    roomier = expect(await client.patch(url, json={"capacity": 2, "description": "Bring water"}, headers=admin.headers), 200)
    assert (roomier["sequence"], roomier["confirmed_count"], roomier["waitlist_count"]) == (0, 2, 1)
    assert expect(await client.get(f"{url}/registrations/me", headers=b.headers), 200)["status"] == "confirmed"
    # Less room never removes anyone confirmed.
    tighter = expect(await client.patch(url, json={"capacity": 0}, headers=admin.headers), 200)
    assert (tighter["confirmed_count"], tighter["waitlist_count"]) == (2, 1)
    new_start, new_end = at(96), at(98)
    moved = expect(await client.patch(url, json={"starts_at": new_start, "ends_at": new_end}, headers=admin.headers), 200)
    assert moved["sequence"] == 1
    assert datetime.fromisoformat(moved["starts_at"]) == datetime.fromisoformat(new_start)
    changes = [p for k, p in await outbox(pool) if k == "event.changed"]
    assert [p["invite_changed"] for p in changes] == [False, False, True]
    # Unlimited: everyone waiting gets in.
    assert expect(await client.patch(url, json={"capacity": None}, headers=admin.headers), 200)["waitlist_count"] == 0


async def test_update_event_problems(client, api, org_setup):
    org, admin, (member, *_) = org_setup
    event = await make_event(client, org, admin)
    url = f"{API}/events/{event['id']}"
    for body, status, field in [
        ({"ends_at": at(71)}, 422, "ends_at"),  # before its start
        ({"timezone": "Mars/Olympus"}, 422, "timezone"),
        ({"venue_id": "00000000-0000-0000-0000-000000000000"}, 422, "venue_id"),
        ({"capacity": -1}, 400, "capacity"),
        ({"colour": "red"}, 400, None),
    ]:
        problem = assert_problem(await client.patch(url, json=body, headers=admin.headers), status)
        if field:
            assert any(field in str(e) for e in problem["errors"]), problem
    assert_problem(await client.patch(url, json={"capacity": 5}, headers=member.headers), 403)
    # Nothing half done: the event is as it was.
    assert expect(await client.get(url, headers=admin.headers), 200) == event
    expect(await client.post(f"{url}/cancel", headers=admin.headers), 200)
    assert_problem(await client.patch(url, json={"capacity": 5}, headers=admin.headers), 409)


async def test_cancel_event_cancels_every_registration(client, pool, org_setup):
    org, admin, (a, b, c) = org_setup
    event = await make_event(client, org, admin, capacity=1)
    regs = [expect(await client.post(f"{API}/events/{event['id']}/registrations", headers=p.headers), 201) for p in (a, b)]
    assert_problem(await client.post(f"{API}/events/{event['id']}/cancel", headers=a.headers), 403)
    cancelled = expect(await client.post(f"{API}/events/{event['id']}/cancel", headers=admin.headers), 200)
    assert (cancelled["status"], cancelled["sequence"], cancelled["confirmed_count"], cancelled["waitlist_count"]) == (
        "cancelled", 1, 0, 0,
    )  # fmt: skip
    assert expect(await client.get(f"{API}/events/{event['id']}/registrations/me", headers=a.headers), 200)["status"] == "cancelled"
    assert_problem(await client.post(f"{API}/events/{event['id']}/registrations", headers=c.headers), 409)
    assert_problem(await client.post(f"{API}/events/{event['id']}/cancel", headers=admin.headers), 409)
    assert expect(await client.get(f"{API}/orgs/{org['id']}/events", headers=a.headers), 200)["items"] == []
    events = await outbox(pool)
    assert [k for k, _ in events].count("event.cancelled") == 1
    assert {p["booking_id"] for k, p in events if k == "booking.cancelled"} == {r["id"] for r in regs}


async def test_list_events_window_and_pages(client, org_setup):
    org, admin, (member, *_) = org_setup
    made = [await make_event(client, org, admin, starts_at=at(24 * (i + 1)), ends_at=at(24 * (i + 1) + 2)) for i in range(5)]
    url = f"{API}/orgs/{org['id']}/events"
    seen, cursor = [], None
    while True:
        page = expect(await client.get(url, params={"limit": 2} | ({"cursor": cursor} if cursor else {}), headers=member.headers), 200)
        seen += [e["id"] for e in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [e["id"] for e in made]
    window = expect(await client.get(url, params={"from": at(30), "to": at(80)}, headers=member.headers), 200)
    assert [e["id"] for e in window["items"]] == [made[1]["id"], made[2]["id"]]
    assert_problem(await client.get(url, params={"to": "2030-01-01T00:00:00"}, headers=member.headers), 400)
