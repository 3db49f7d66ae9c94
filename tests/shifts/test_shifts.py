"""Volunteer shifts, signups, the waitlist, trainings, check-in and hours: through HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.moments import at, today
from coord.kernel import clock
from tests.support import API, PASSWORD, assert_problem, expect
from tests.support.world import make_shift, org_with_volunteers, outbox


@pytest.fixture
async def org_setup(api):
    """An org with an admin and three volunteers."""
    return await org_with_volunteers(api)


async def test_create_read_and_list_shifts(client, pool, org_setup):
    org, admin, (vol, *_) = org_setup
    shift = await make_shift(client, org, admin, required_training="mhfa", description="Front desk")
    assert shift["required_training"] == "MHFA" and shift["status"] == "scheduled"
    assert (shift["confirmed_count"], shift["waitlist_count"]) == (0, 0)
    assert expect(await client.get(f"{API}/shifts/{shift['id']}", headers=vol.headers), 200)["id"] == shift["id"]
    assert ("shift.created", {"kind": "shift.created", "shift_id": shift["id"]}) in await outbox(pool)


async def test_shift_input_problems(client, api, org_setup):
    org, admin, (vol, *_) = org_setup
    url = f"{API}/orgs/{org['id']}/shifts"
    good = {"role": "Greeter", "starts_at": at(48), "ends_at": at(51), "capacity": 2}
    problem = assert_problem(await client.post(url, json=good | {"ends_at": at(47)}, headers=admin.headers), 422)
    assert problem["errors"][0]["field"] == "ends_at"
    assert_problem(await client.post(url, json=good | {"capacity": -1}, headers=admin.headers), 400)
    naive = good | {"starts_at": "2030-01-01T10:00:00", "ends_at": "2030-01-01T12:00:00"}
    assert_problem(await client.post(url, json=naive, headers=admin.headers), 400)
    problem = assert_problem(await client.post(url, json=good | {"priority": 1}, headers=admin.headers), 400)
    assert problem["errors"][0]["field"] == "priority"
    assert_problem(await client.post(url, json=good | {"capacity": "two"}, headers=admin.headers), 400)
    # A volunteer may not create shifts; an outsider learns nothing.
    assert_problem(await client.post(url, json=good, headers=vol.headers), 403)
    outsider = await api.user()
    other_org = await api.org(outsider)
    assert_problem(await client.post(url, json=good, headers=outsider.headers), 404)
    # Linking another organization's event is refused naming the field.
    event = expect(
        await client.post(
            f"{API}/orgs/{other_org['id']}/events",
            json={"title": "Theirs", "kind": "social", "starts_at": at(48), "ends_at": at(50),
                  "timezone": "UTC", "visibility": "public"},
            headers=outsider.headers,
        ),
        201,
    )  # fmt: skip
    problem = assert_problem(await client.post(url, json=good | {"event_id": event["id"]}, headers=admin.headers), 422)
    assert problem["errors"][0]["field"] == "event_id"
    shifts = expect(await client.get(url, headers=admin.headers), 200)
    assert shifts["items"] == []  # nothing was created by any refused request


async def test_other_org_shift_is_404(client, api, org_setup):
    org, admin, _ = org_setup
    shift = await make_shift(client, org, admin)
    outsider = await api.user()
    await api.org(outsider)
    assert_problem(await client.get(f"{API}/shifts/{shift['id']}", headers=outsider.headers), 404)
    assert_problem(await client.post(f"{API}/shifts/{shift['id']}/signups", headers=outsider.headers), 404)
    assert_problem(await client.post(f"{API}/shifts/{shift['id']}/cancel", headers=outsider.headers), 404)
    assert_problem(await client.get(f"{API}/orgs/{org['id']}/shifts", headers=outsider.headers), 404)


async def test_waitlist_positions_and_promotion_on_cancel(client, pool, org_setup):
    org, admin, (a, b, c) = org_setup
    shift = await make_shift(client, org, admin, capacity=1)
    signups = f"{API}/shifts/{shift['id']}/signups"
    first = expect(await client.post(signups, headers=a.headers), 201)
    assert (first["status"], first["position"]) == ("confirmed", None)
    second = expect(await client.post(signups, headers=b.headers), 201)
    third = expect(await client.post(signups, headers=c.headers), 201)
    assert [(s["status"], s["position"]) for s in (second, third)] == [("waitlisted", 1), ("waitlisted", 2)]
    assert "already signed up" in assert_problem(await client.post(signups, headers=b.headers), 409)["detail"]

    assert (await client.delete(f"{signups}/me", headers=a.headers)).status_code == 204
    mine = expect(await client.get(f"{signups}/me", headers=b.headers), 200)
    assert (mine["status"], mine["position"]) == ("confirmed", None)
    assert expect(await client.get(f"{signups}/me", headers=c.headers), 200)["position"] == 1
    counts = expect(await client.get(f"{API}/shifts/{shift['id']}", headers=a.headers), 200)
    assert (counts["confirmed_count"], counts["waitlist_count"]) == (1, 1)
    events = await outbox(pool)
    assert [p.get("status") for k, p in events if k == "booking.placed"].count("waitlisted") == 2
    assert ("booking.cancelled", {"kind": "booking.cancelled", "booking_id": first["id"], "bookable": "shift", "bookable_id": shift["id"], "user_id": a.id, "had_place": True}) in events
    promoted = [p for k, p in events if k == "booking.placed" and p["promoted"]]
    assert promoted == [{"kind": "booking.placed", "booking_id": second["id"], "bookable": "shift", "bookable_id": shift["id"], "user_id": b.id, "status": "confirmed", "promoted": True}]

    # Signing up again after cancelling goes to the back of the queue.
    again = expect(await client.post(signups, headers=a.headers), 201)
    assert (again["id"], again["status"], again["position"]) == (first["id"], "waitlisted", 2)
    # Leaving the waitlist promotes nobody and closes the gap.
    assert (await client.delete(f"{signups}/me", headers=c.headers)).status_code == 204
    assert expect(await client.get(f"{signups}/me", headers=a.headers), 200)["position"] == 1
    assert_problem(await client.delete(f"{signups}/me", headers=c.headers), 404)


async def test_required_training_is_named_and_checked_on_the_shift_date(client, pool, org_setup):
    org, admin, (vol, *_) = org_setup
    shift = await make_shift(client, org, admin, required_training="MHFA")
    signups = f"{API}/shifts/{shift['id']}/signups"
    problem = assert_problem(await client.post(signups, headers=vol.headers), 403)
    assert "MHFA" in problem["detail"] and problem["required_training"] == "MHFA"
    # Expired before the shift: still missing. Another training does not count either.
    day = today("UTC")
    for body in (
        {"code": "MHFA", "completed_on": str(day - timedelta(days=400)), "expires_on": str(day)},
        {"code": "QPR", "completed_on": str(day - timedelta(days=10))},
        {"code": "MHFA", "completed_on": str(day + timedelta(days=5))},  # completed after the shift
    ):
        expect(await client.post(f"{API}/me/trainings", json=body, headers=vol.headers), 201)
        assert_problem(await client.post(signups, headers=vol.headers), 403)
    body = {"code": "mhfa", "completed_on": str(day - timedelta(days=30)), "expires_on": str(day + timedelta(days=700))}
    expect(await client.post(f"{API}/me/trainings", json=body, headers=vol.headers), 201)
    assert expect(await client.post(signups, headers=vol.headers), 201)["status"] == "confirmed"
    assert [k for k, _ in await outbox(pool)].count("training.recorded") == 4


async def test_overlapping_confirmed_shift_is_409_naming_it(client, org_setup):
    org, admin, (vol, other, _) = org_setup
    morning = await make_shift(client, org, admin, starts_at=at(48), ends_at=at(51), capacity=1)
    midday = await make_shift(client, org, admin, starts_at=at(50), ends_at=at(53))
    later = await make_shift(client, org, admin, starts_at=at(51), ends_at=at(52))  # touches, does not overlap
    expect(await client.post(f"{API}/shifts/{morning['id']}/signups", headers=vol.headers), 201)
    problem = assert_problem(await client.post(f"{API}/shifts/{midday['id']}/signups", headers=vol.headers), 409)
    # Named for a program in `overlapping_shift_id`; the detail is words for a person, no ids.
    assert problem["overlapping_shift_id"] == morning["id"] and morning["id"] not in problem["detail"]
    expect(await client.post(f"{API}/shifts/{later['id']}/signups", headers=vol.headers), 201)
    # Only confirmed places block: a waitlisted one does not.
    expect(await client.post(f"{API}/shifts/{morning['id']}/signups", headers=other.headers), 201)
    assert expect(await client.post(f"{API}/shifts/{midday['id']}/signups", headers=other.headers), 201)["status"] == "confirmed"


async def test_late_cancel_is_allowed_but_flagged(client, org_setup):
    org, admin, (vol, *_) = org_setup
    soon = await make_shift(client, org, admin, starts_at=at(3), ends_at=at(5))  # cutoff defaults to 24 h
    later = await make_shift(client, org, admin, starts_at=at(72), ends_at=at(74))
    for shift, late in ((soon, True), (later, False)):
        url = f"{API}/shifts/{shift['id']}/signups"
        expect(await client.post(url, headers=vol.headers), 201)
        assert (await client.delete(f"{url}/me", headers=vol.headers)).status_code == 204
        mine = expect(await client.get(f"{url}/me", headers=vol.headers), 200)
        assert (mine["status"], mine["late_cancel"]) == ("cancelled", late)


async def test_started_or_cancelled_shift_takes_no_signups(client, pool, org_setup):
    org, admin, (a, b, c) = org_setup
    started = await make_shift(client, org, admin, starts_at=at(-0.5), ends_at=at(2))
    assert "started" in assert_problem(await client.post(f"{API}/shifts/{started['id']}/signups", headers=a.headers), 409)["detail"]
    shift = await make_shift(client, org, admin, capacity=1)
    expect(await client.post(f"{API}/shifts/{shift['id']}/signups", headers=a.headers), 201)
    expect(await client.post(f"{API}/shifts/{shift['id']}/signups", headers=b.headers), 201)
    assert_problem(await client.post(f"{API}/shifts/{shift['id']}/cancel", headers=a.headers), 403)
    cancelled = expect(await client.post(f"{API}/shifts/{shift['id']}/cancel", headers=admin.headers), 200)
    assert (cancelled["status"], cancelled["sequence"], cancelled["confirmed_count"], cancelled["waitlist_count"]) == (
        "cancelled", 1, 0, 0,
    )  # fmt: skip
    assert "cancelled" in assert_problem(await client.post(f"{API}/shifts/{shift['id']}/signups", headers=c.headers), 409)["detail"]
    kinds = [k for k, _ in await outbox(pool)]
    assert kinds.count("shift.cancelled") == 1 and kinds.count("booking.cancelled") == 2


async def test_capacity_change_promotes_in_order_and_never_bumps(client, pool, org_setup):
    org, admin, (a, b, c) = org_setup
    shift = await make_shift(client, org, admin, capacity=1)
    url = f"{API}/shifts/{shift['id']}"
    for v in (a, b, c):
        expect(await client.post(f"{url}/signups", headers=v.headers), 201)
    raised = expect(await client.patch(url, json={"capacity": 2}, headers=admin.headers), 200)
    assert (raised["confirmed_count"], raised["waitlist_count"]) == (2, 1)
    assert expect(await client.get(f"{url}/signups/me", headers=b.headers), 200)["status"] == "confirmed"
    assert expect(await client.get(f"{url}/signups/me", headers=c.headers), 200)["position"] == 1
    lowered = expect(await client.patch(url, json={"capacity": 0}, headers=admin.headers), 200)
    assert (lowered["capacity"], lowered["confirmed_count"], lowered["waitlist_count"]) == (0, 2, 1)
    # A freed place above the new capacity is not refilled.
    assert (await client.delete(f"{url}/signups/me", headers=a.headers)).status_code == 204
    assert expect(await client.get(f"{url}/signups/me", headers=c.headers), 200)["status"] == "waitlisted"
    moved = expect(await client.patch(url, json={"starts_at": at(49), "role": "Usher"}, headers=admin.headers), 200)
    assert (moved["role"], moved["sequence"]) == ("Usher", 1)
    problem = assert_problem(await client.patch(url, json={"ends_at": at(40)}, headers=admin.headers), 422)
    assert problem["errors"][0]["field"] == "ends_at"
    assert_problem(await client.patch(url, json={"capacity": -1}, headers=admin.headers), 400)
    assert_problem(await client.patch(url, json={"colour": "red"}, headers=admin.headers), 400)
    assert_problem(await client.patch(url, json={"capacity": 5}, headers=b.headers), 403)
    kinds = [k for k, _ in await outbox(pool)]
    assert kinds.count("shift.changed") == 3


async def test_check_in_window_and_hours(client, org_setup):
    org, admin, (vol, other, _) = org_setup
    shift = await make_shift(client, org, admin, starts_at=at(0.5), ends_at=at(3))
    url = f"{API}/shifts/{shift['id']}"
    signup = expect(await client.post(f"{url}/signups", headers=vol.headers), 201)
    assert_problem(await client.post(f"{url}/signups/me/check-in", headers=other.headers), 409)  # not signed up
    checked = expect(await client.post(f"{url}/signups/me/check-in", headers=vol.headers), 200)
    assert checked["checked_in_at"] is not None
    far = await make_shift(client, org, admin, starts_at=at(5), ends_at=at(6))
    expect(await client.post(f"{API}/shifts/{far['id']}/signups", headers=vol.headers), 201)
    assert "check-in opens an hour before" in assert_problem(await client.post(f"{API}/shifts/{far['id']}/signups/me/check-in", headers=vol.headers), 409)["detail"]
    # Half an hour before it, on coord's clock: the roster's time is that clock's, as the window was.
    with clock.shifted(timedelta(hours=4, minutes=30)):
        token = expect(await client.post(f"{API}/auth/token", json={"email": vol.email, "password": PASSWORD}), 200)
        late = expect(await client.post(f"{API}/shifts/{far['id']}/signups/me/check-in",
                                        headers={"Authorization": f"Bearer {token['access_token']}"}), 200)
        assert abs(datetime.fromisoformat(late["checked_in_at"]) - clock.now()) < timedelta(minutes=1), late

    hours = f"{url}/signups/{signup['id']}/hours"
    assert "started" in assert_problem(await client.put(hours, json={"hours": 2.5}, headers=admin.headers), 409)["detail"]
    expect(await client.patch(url, json={"starts_at": at(-0.2)}, headers=admin.headers), 200)
    assert expect(await client.put(hours, json={"hours": 2.5}, headers=admin.headers), 200)["hours"] == 2.5
    assert_problem(await client.put(hours, json={"hours": 25}, headers=admin.headers), 400)
    assert_problem(await client.put(hours, json={"hours": 2}, headers=vol.headers), 403)
    assert_problem(await client.put(f"{API}/shifts/{far['id']}/signups/{signup['id']}/hours", json={"hours": 2}, headers=admin.headers), 404)
    mine = expect(await client.get(f"{API}/me/signups", headers=vol.headers), 200)["items"]
    assert [(s["shift_id"], s["hours"]) for s in mine] == [(shift["id"], 2.5), (far["id"], None)]


async def test_list_open_shifts_windows_and_pages(client, org_setup):
    org, admin, (vol, *_) = org_setup
    full = await make_shift(client, org, admin, starts_at=at(24), ends_at=at(25), capacity=1)
    expect(await client.post(f"{API}/shifts/{full['id']}/signups", headers=vol.headers), 201)
    zero = await make_shift(client, org, admin, starts_at=at(26), ends_at=at(27), capacity=0)
    free = [await make_shift(client, org, admin, starts_at=at(30 + i), ends_at=at(31 + i)) for i in range(3)]
    cancelled = await make_shift(client, org, admin, starts_at=at(40), ends_at=at(41))
    expect(await client.post(f"{API}/shifts/{cancelled['id']}/cancel", headers=admin.headers), 200)
    url = f"{API}/orgs/{org['id']}/shifts"
    everything = expect(await client.get(url, headers=vol.headers), 200)["items"]
    assert [s["id"] for s in everything] == [full["id"], zero["id"], *(s["id"] for s in free), cancelled["id"]]
    assert everything[0]["confirmed_count"] == 1
    seen, cursor = [], None
    while True:
        params = {"open": "true", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = expect(await client.get(url, params=params, headers=vol.headers), 200)
        seen += [s["id"] for s in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [s["id"] for s in free]
    window = {"from": at(29), "to": at(31.5)}
    assert [s["id"] for s in expect(await client.get(url, params=window, headers=vol.headers), 200)["items"]] == [
        free[0]["id"], free[1]["id"],
    ]  # fmt: skip
    problem = assert_problem(await client.get(url, params={"from": "2030-01-01T00:00:00"}, headers=vol.headers), 400)
    assert problem["errors"][0]["field"] == "from"
    assert_problem(await client.get(url, params={"cursor": "garbage!"}, headers=vol.headers), 400)
    assert_problem(await client.get(url, params={"limit": 500}, headers=vol.headers), 400)


async def test_trainings_recorded_listed_and_verified(client, api, pool, org_setup):
    org, admin, (vol, peer, _) = org_setup
    coordinator = await api.user()
    await api.member(org, admin, coordinator, "coordinator")
    body = {"code": "MHFA", "completed_on": "2025-03-01", "expires_on": "2028-03-01"}
    training = expect(await client.post(f"{API}/me/trainings", json=body, headers=vol.headers), 201)
    assert (training["code"], training["verified"]) == ("MHFA", False)
    problem = assert_problem(
        await client.post(f"{API}/me/trainings", json=body | {"expires_on": "2024-01-01"}, headers=vol.headers), 422
    )
    assert problem["errors"][0]["field"] == "expires_on"
    assert_problem(await client.post(f"{API}/me/trainings", json=body | {"completed_on": "yesterday"}, headers=vol.headers), 400)
    assert_problem(await client.post(f"{API}/me/trainings", json=body | {"verified": True}, headers=vol.headers), 400)
    assert [t["id"] for t in expect(await client.get(f"{API}/me/trainings", headers=vol.headers), 200)["items"]] == [training["id"]]
    assert expect(await client.get(f"{API}/me/trainings", headers=peer.headers), 200)["items"] == []

    verify = f"{API}/trainings/{training['id']}/verify"
    stranger = await api.user()
    await api.org(stranger)  # admin of another organization
    assert_problem(await client.post(verify, headers=stranger.headers), 404)
    assert_problem(await client.post(verify, headers=peer.headers), 403)
    verified = expect(await client.post(verify, headers=coordinator.headers), 200)
    assert verified["verified"] is True and verified["verified_at"]
    assert [k for k, _ in await outbox(pool)].count("training.recorded") == 1
