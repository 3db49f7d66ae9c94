"""An event's shifts from its page: several created at once (all or none, each refused row
said in plain words), duplicated, who registered and signed up (names for staff only,
audited), check-in and hours; and the community kind from the coordination page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.moments import NY, at
from tests.pages import Visitor, text_of
from tests.support import API, expect
from tests.support.world import make_event, make_shift


async def world(client, api):
    """An organization (New York) with an admin, a coordinator and two volunteers, and an event."""
    people = [await api.user(name) for name in ("Ada", "Cora", "Vic", "Wren")]
    admin, coordinator, vol, other = people
    org = await api.org(admin, timezone=NY)
    await api.member(org, admin, coordinator, "coordinator")
    for person in (vol, other):
        await api.member(org, admin, person, "volunteer")
    event = await make_event(client, org, admin, title="Wellness fair", kind="community", timezone=NY, capacity=5)
    return org, event, admin, coordinator, vol, other


async def browser(client, user) -> Visitor:
    visitor = Visitor(client)
    await visitor.login(user)
    return visitor


def local(hours: float) -> str:
    """A datetime-local value `hours` from now, in New York."""
    return datetime.fromisoformat(at(hours)).astimezone(ZoneInfo(NY)).strftime("%Y-%m-%dT%H:%M")


async def test_several_shifts_are_created_together_or_none_with_plain_reasons(client, api, pool):
    _, event, _, coordinator, vol, _ = await world(client, api)
    staff = await browser(client, coordinator)
    path = f"/events/{event['id']}"
    html = (await staff.get(path)).text
    assert all(f'name="role-{i}"' in html for i in range(3)) and 'name="role-3"' not in html
    assert 'data-add-row' in html and 'src="/static/shift_rows.js?v=' in html and "shift-row-template" in html

    more = await staff.post(f"{path}/shifts", {"rows": "3", "role-0": "Greeter", "more": "yes"}, form_page=path)
    assert more.status_code == 200
    assert 'name="role-5"' in more.text and 'value="Greeter"' in more.text  # what was typed stays

    rows = {"role-0": "Greeter", "starts_at-0": local(70), "ends_at-0": local(73), "capacity-0": "2",
            "location-0": "Front desk",
            "role-1": "Set-up", "starts_at-1": local(68), "ends_at-1": local(67), "capacity-1": "3",
            "role-2": "Teardown", "starts_at-2": local(80), "ends_at-2": local(81), "capacity-2": "",
            "starts_at-3": local(70), "ends_at-3": local(72)}  # an empty row, times prefilled
    refused = await staff.post(f"{path}/shifts", rows, form_page=path)
    assert refused.status_code == 422
    text = text_of(refused.text)
    assert "No shift was created" in text
    assert "Shift 2: The end must be after the start." in text
    assert "Shift 3: Say how many people this shift needs." in text
    assert "Shift 1:" not in text and "ends_at" not in text and "capacity" not in text
    assert 'value="Front desk"' in refused.text and 'value="Teardown"' in refused.text
    assert await pool.fetchval("SELECT count(*) FROM shifts WHERE event_id = $1", event["id"]) == 0

    rows |= {"ends_at-1": local(69), "capacity-2": "4"}
    done = await staff.post(f"{path}/shifts", rows, form_page=path)
    assert done.status_code == 303 and done.headers["location"] == f"{path}?done=shifts#shifts"
    created = await pool.fetch("SELECT role, location, capacity, starts_at FROM shifts WHERE event_id = $1 "
                               "ORDER BY starts_at", event["id"])
    assert [(r["role"], r["location"], r["capacity"]) for r in created] == [
        ("Set-up", None, 3), ("Greeter", "Front desk", 2), ("Teardown", None, 4)]
    greeter_start = created[1]["starts_at"].astimezone(ZoneInfo(NY)).strftime("%Y-%m-%dT%H:%M")
    assert greeter_start == local(70)  # read in the event's timezone
    page = text_of((await staff.get(f"{path}?done=shifts")).text)
    assert "The shifts were created" in page and "Front desk" in page and "Teardown" in page

    volunteer_page = await (await browser(client, vol)).post(f"{path}/shifts", rows, form_page=path)
    assert volunteer_page.status_code == 403


async def test_a_shift_is_duplicated_from_the_page(client, api, pool):
    org, event, admin, coordinator, *_ = await world(client, api)
    shift = await make_shift(client, org, admin, event_id=event["id"], location="Room 2", description="Name tags",
                             starts_at=at(50), ends_at=at(52))
    staff = await browser(client, coordinator)
    path = f"/events/{event['id']}"
    html = (await staff.get(path)).text
    next_day = (datetime.fromisoformat(at(50)).astimezone(ZoneInfo(NY)) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{next_day}"' in html  # the copy's start is prefilled: same time, next day

    refused = await staff.post(f"{path}/shifts/{shift['id']}/duplicate", {}, form_page=path)
    assert refused.status_code == 422 and "Not duplicated. Give the start time." in text_of(refused.text)
    response = await staff.post(f"{path}/shifts/{shift['id']}/duplicate", {"starts_at": local(100)}, form_page=path)
    assert response.status_code == 303
    copy = await pool.fetchrow("SELECT id, role, location, description, capacity, starts_at, ends_at FROM shifts "
                               "WHERE event_id = $1 AND id <> $2", event["id"], shift["id"])
    assert (copy["role"], copy["location"], copy["description"], copy["capacity"]) == ("Greeter", "Room 2", "Name tags", 2)
    assert copy["starts_at"].astimezone(ZoneInfo(NY)).strftime("%Y-%m-%dT%H:%M") == local(100)
    length = datetime.fromisoformat(shift["ends_at"]) - datetime.fromisoformat(shift["starts_at"])
    assert copy["ends_at"] - copy["starts_at"] == length
    assert response.headers["location"] == f"{path}?done=duplicated#shift-{copy['id']}"


async def test_names_are_for_staff_and_each_read_is_audited(client, api, pool):
    org, event, admin, coordinator, vol, other = await world(client, api)
    shift = await make_shift(client, org, admin, event_id=event["id"], capacity=1)
    for person in (vol, other):
        expect(await client.post(f"{API}/shifts/{shift['id']}/signups", headers=person.headers), 201)
    expect(await client.post(f"{API}/events/{event['id']}/registrations", headers=other.headers), 201)
    names = {u.id: await pool.fetchval("SELECT display_name FROM users WHERE id = $1", u.id) for u in (vol, other)}
    path = f"/events/{event['id']}"

    before = await pool.fetchval("SELECT count(*) FROM audit_log WHERE actor_id = $1", coordinator.id)
    html = (await (await browser(client, coordinator)).get(path)).text
    registered = re.search(r'<section[^>]*id="registered".*?</section>', html, re.DOTALL).group(0)
    assert names[other.id] in text_of(registered) and names[vol.id] not in text_of(registered)
    shift_card = re.search(rf'<li class="card" id="shift-{shift["id"]}">.*?</li>\s*</ul>', html, re.DOTALL).group(0)
    assert f"{names[vol.id]} Confirmed" in text_of(shift_card) and f"{names[other.id]} Waitlist, number 1" in text_of(shift_card)
    audit = await pool.fetch("SELECT action, subject_type, subject_id::text FROM audit_log WHERE actor_id = $1 "
                             "ORDER BY id", coordinator.id)
    assert len(audit) == before + 2
    assert {tuple(a) for a in audit[before:]} == {("event.roster_read", "event", event["id"]),
                                                  ("shift.roster_read", "event", event["id"])}

    volunteer_html = (await (await browser(client, vol)).get(path)).text
    assert names[other.id] not in volunteer_html and 'id="registered"' not in volunteer_html
    assert "Volunteer shifts" in volunteer_html and "Sign up on the shift board" in volunteer_html
    assert "Add shifts" not in volunteer_html and "/duplicate" not in volunteer_html
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE actor_id = $1", vol.id) == 0


async def test_check_in_and_hours_from_the_page(client, api, pool):
    org, event, admin, coordinator, vol, other = await world(client, api)
    shift = await make_shift(client, org, admin, event_id=event["id"], starts_at=at(0.5), ends_at=at(3), capacity=1)
    placed = expect(await client.post(f"{API}/shifts/{shift['id']}/signups", headers=vol.headers), 201)
    waiting = expect(await client.post(f"{API}/shifts/{shift['id']}/signups", headers=other.headers), 201)
    staff = await browser(client, coordinator)
    path = f"/events/{event['id']}"
    base = f"{path}/shifts/{shift['id']}/signups"
    html = (await staff.get(path)).text
    assert f'action="{base}/{placed["id"]}/check-in"' in html and f"{base}/{waiting['id']}/check-in" not in html
    assert "Once the shift has started" in text_of(html)

    response = await staff.post(f"{base}/{placed['id']}/check-in", {}, form_page=path)
    assert response.status_code == 303 and response.headers["location"] == f"{path}?done=checked_in#shift-{shift['id']}"
    assert await pool.fetchval("SELECT checked_in_at FROM signups WHERE id = $1", placed["id"]) is not None
    refused = await staff.post(f"{base}/{waiting['id']}/check-in", {}, form_page=path)
    assert refused.status_code == 409 and "only someone with a confirmed place" in text_of(refused.text)

    too_soon = await staff.post(f"{base}/{placed['id']}/hours", {"hours": "2"}, form_page=path)
    assert too_soon.status_code == 409 and "once the shift has started" in text_of(too_soon.text)
    expect(await client.patch(f"{API}/shifts/{shift['id']}", json={"starts_at": at(-0.2)}, headers=admin.headers), 200)
    assert 'name="hours"' in (await staff.get(path)).text
    nonsense = await staff.post(f"{base}/{placed['id']}/hours", {"hours": "lots"}, form_page=path)
    assert nonsense.status_code == 422 and "Give the hours as a number from 0 to 24" in text_of(nonsense.text)
    saved = await staff.post(f"{base}/{placed['id']}/hours", {"hours": "2,5"}, form_page=path)
    assert saved.status_code == 303
    assert await pool.fetchval("SELECT hours::float8 FROM signups WHERE id = $1", placed["id"]) == 2.5
    assert 'value="2.5"' in (await staff.get(path)).text

    as_volunteer = await (await browser(client, vol)).post(f"{base}/{placed['id']}/hours", {"hours": "9"}, form_page=path)
    assert as_volunteer.status_code == 403
    other_event = await make_event(client, org, admin, title="Other")
    elsewhere = await staff.post(f"/events/{other_event['id']}/shifts/{shift['id']}/signups/{placed['id']}/check-in",
                                 {}, form_page=path)
    assert elsewhere.status_code == 404


async def test_community_kind_from_the_coordination_page(client, api, pool):
    org, event, _, coordinator, *_ = await world(client, api)
    staff = await browser(client, coordinator)
    page = f"/orgs/{org['slug']}/coordination"
    assert '<option value="community">Community: a fair, an open day, a celebration</option>' in (await staff.get(page)).text
    form = {"title": "Spring wellness fair", "kind": "community", "starts_at": local(200), "ends_at": local(205),
            "visibility": "public"}
    response = await staff.post(f"/orgs/{org['slug']}/events", form, form_page=page)
    assert response.status_code == 303, text_of(response.text)
    assert await pool.fetchval("SELECT kind FROM events WHERE title = 'Spring wellness fair'") == "community"
    assert event["kind"] == "community"  # and through the API (the world's event)
