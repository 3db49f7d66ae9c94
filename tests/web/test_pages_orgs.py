"""Organization and event pages: the public organization page, the coordinators'
overview with its forms, and registering for an event, through real HTTP."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from tests.pages import Visitor, text_of
from tests.support import expect
from tests.moments import now

API = "/api/v1"
NY = "America/New_York"
CRISIS = "Call the Harbor Warmline at 555-0100, any hour."


def at(hours: float) -> str:
    return (now() + timedelta(hours=hours)).isoformat()


async def make_group(client, org, admin, name, visibility, **extra) -> dict:
    body = {"name": name, "format": "peer_led", "visibility": visibility, "join_policy": "open", **extra}
    return expect(await client.post(f"{API}/orgs/{org['id']}/groups", json=body, headers=admin.headers), 201)


async def make_event(client, org, admin, title, visibility, **extra) -> dict:
    body = {"title": title, "kind": "workshop", "starts_at": at(72), "ends_at": at(74), "timezone": NY,
            "visibility": visibility, **extra}
    return expect(await client.post(f"{API}/orgs/{org['id']}/events", json=body, headers=admin.headers), 201)


async def staffed_org(api):
    admin, coordinator, volunteer = await api.user("Ada"), await api.user("Cora"), await api.user("Vic")
    org = await api.org(admin)
    await api.member(org, admin, coordinator, "coordinator")
    await api.member(org, admin, volunteer, "volunteer")
    return org, admin, coordinator, volunteer


async def browser_for(client, user) -> Visitor:
    browser = Visitor(client)
    await browser.login(user)
    return browser


def section(html: str, heading: str) -> str:
    """The text of the <section> whose h2 is `heading`."""
    found = re.search(r"<section[^>]*>\s*<h2[^>]*>" + re.escape(heading) + r"</h2>(.*?)</section>", html, re.S)
    assert found, f"no section {heading!r}"
    return text_of(found.group(1))


async def test_public_org_page_shows_public_groups_and_events_only(client, api):
    org, admin, coordinator, volunteer = await staffed_org(api)
    await make_group(client, org, admin, "Open Circle", "public")
    await make_group(client, org, admin, "Quiet Room", "private")
    public_event = await make_event(client, org, admin, "Awareness Walk", "public")
    await make_event(client, org, admin, "Staff Training", "private")
    await make_event(client, org, admin, "Link Only Social", "unlisted")
    expect(await client.patch(f"{API}/orgs/{org['id']}", json={"crisis_resources": CRISIS}, headers=admin.headers), 200)

    anonymous = Visitor(client)
    response = await anonymous.get(f"/orgs/{org['slug']}")
    assert response.status_code == 200
    text = text_of(response.text)
    assert org["name"] in text and org["contact_email"] in text
    assert "Open Circle" in text and "Awareness Walk" in text
    assert "Quiet Room" not in text and "Staff Training" not in text and "Link Only Social" not in text
    assert f'href="/events/{public_event["id"]}"' in response.text
    # The organization's own line replaces the default (its name, not "988" alone: an id or the
    # test's "Org org-<counter>" can hold those digits).
    assert CRISIS in text and "Crisis Lifeline" not in text and "988lifeline" not in text
    assert "Coordination" not in text and "Shift board" not in text
    assert NY in text  # a visitor reads the organization's times

    event_page = await anonymous.get(f"/events/{public_event['id']}")
    assert event_page.status_code == 200 and CRISIS in text_of(event_page.text)

    missing = await anonymous.get("/orgs/no-such-org")
    assert missing.status_code == 404
    assert "There is no organization at this address" in text_of(missing.text) and "988" in text_of(missing.text)

    # Members get the shift board; staff also the private things and the overview.
    as_volunteer = text_of((await (await browser_for(client, volunteer)).get(f"/orgs/{org['slug']}")).text)
    assert "Shift board" in as_volunteer and "Coordination" not in as_volunteer and "Quiet Room" not in as_volunteer
    staff_page = await (await browser_for(client, coordinator)).get(f"/orgs/{org['slug']}")
    assert f'href="/orgs/{org["slug"]}/coordination"' in staff_page.text
    assert "Quiet Room" in staff_page.text and "Staff Training" in staff_page.text


async def test_coordination_page_access_and_contents(client, api):
    org, admin, coordinator, volunteer = await staffed_org(api)
    group = await make_group(client, org, admin, "Tuesday Circle", "private", facilitators_required=1)
    start = (now().astimezone(ZoneInfo(NY)) + timedelta(days=2)).replace(hour=18, minute=30, second=0, microsecond=0)
    series = {"start": start.replace(tzinfo=None).isoformat(), "timezone": NY, "duration_minutes": 90,
              "rrule": "FREQ=DAILY;COUNT=2"}
    expect(await client.post(f"{API}/groups/{group['id']}/series", json=series, headers=admin.headers), 201)
    path = f"/orgs/{org['slug']}/coordination"

    anonymous = await Visitor(client).get(path, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == f"/login?next={path}"
    assert (await (await browser_for(client, volunteer)).get(path)).status_code == 403
    stranger = await api.user("Otto")
    await api.org(stranger)
    assert (await (await browser_for(client, stranger)).get(path)).status_code == 404

    response = await (await browser_for(client, coordinator)).get(path)
    assert response.status_code == 200
    html = response.text
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", html)
    assert headings[:2] == ["What needs you today", "Sessions needing facilitators"]
    gaps = section(html, "Sessions needing facilitators")
    assert "Tuesday Circle" in gaps and "0 of 1" in gaps
    assert len(re.findall(r'href="/sessions/[0-9a-f-]{36}"', html)) == 2
    members = section(html, "Members and roles")
    for name, role in (("Ada", "admin"), ("Cora", "coordinator"), ("Vic", "volunteer")):
        assert re.search(name + r"\d* " + role, members), members
    assert 'class="table-wrap"' in html and "style=" not in html


async def test_adding_a_member_from_the_form(client, api, pool):
    org, admin, coordinator, volunteer = await staffed_org(api)
    newcomer = await api.user("Nia")
    browser = await browser_for(client, coordinator)
    page = f"/orgs/{org['slug']}/coordination"
    action = f"/orgs/{org['slug']}/members"

    async def members() -> dict:
        rows = await pool.fetch("SELECT user_id::text, roles FROM org_members WHERE org_id = $1", org["id"])
        return {r["user_id"]: list(r["roles"]) for r in rows}

    before = await members()
    unknown = await browser.post(action, {"email": "nobody@example.org", "roles[]": "volunteer"}, form_page=page)
    assert unknown.status_code == 422
    assert "no coord account uses this email" in unknown.text and 'aria-invalid="true"' in unknown.text
    assert 'value="nobody@example.org"' in unknown.text
    no_roles = await browser.post(action, {"email": newcomer.email}, form_page=page)
    assert no_roles.status_code == 422 and "choose at least one role" in no_roles.text
    not_admin = await browser.post(action, {"email": newcomer.email, "roles[]": "admin"}, form_page=page)
    assert not_admin.status_code == 403 and "only an admin can make someone an admin" in not_admin.text
    assert await members() == before

    done = await browser.post(action, {"email": newcomer.email, "roles[]": ["volunteer", "facilitator"]}, form_page=page)
    assert done.status_code == 303 and done.headers["location"] == f"{page}?done=member#members"
    assert (await members())[newcomer.id] == ["facilitator", "volunteer"]
    after = await browser.get(done.headers["location"])
    assert "The member was added" in text_of(after.text)
    assert re.search(r"Nia\d* facilitator, volunteer", section(after.text, "Members and roles"))


async def test_failed_deliveries_are_listed_and_queued_to_send_again(client, api, pool):
    org, admin, coordinator, volunteer = await staffed_org(api)
    event_id = await pool.fetchval("SELECT event_id FROM outbox ORDER BY id LIMIT 1")
    insert = """INSERT INTO deliveries (key, event_id, user_id, org_id, kind, status, attempts, last_error)
                VALUES ($1, $2, $3, $4, $5, 'failed', 5, $6) RETURNING id"""
    retryable = await pool.fetchval(insert, "test:retryable", event_id, volunteer.id, org["id"], "booking",
                                     "550 mailbox unavailable")
    scheduled = await pool.fetchval(insert, "test:scheduled", None, volunteer.id, org["id"], "roster",
                                     "connection refused")
    page = f"/orgs/{org['slug']}/coordination"

    as_coordinator = await (await browser_for(client, coordinator)).get(page)
    listed = section(as_coordinator.text, "Failed deliveries")
    assert "550 mailbox unavailable" in listed and "booking" in listed
    assert len(re.findall(r'<td data-label="Attempts">5</td>', as_coordinator.text)) == 2  # each row's attempts
    assert "Send again" not in listed and "An admin can send them again" in listed

    admin_browser = await browser_for(client, admin)
    refused = await admin_browser.post(f"/orgs/{org['slug']}/deliveries/{scheduled}/retry", form_page=page)
    assert refused.status_code == 409 and "its schedule sends the next" in refused.text
    assert await pool.fetchval("SELECT status FROM deliveries WHERE id = $1", scheduled) == "failed"

    sent = await admin_browser.post(f"/orgs/{org['slug']}/deliveries/{retryable}/retry", form_page=page)
    assert sent.status_code == 303 and sent.headers["location"] == f"{page}?done=retry#deliveries"
    row = await pool.fetchrow("SELECT status, attempts, last_error FROM deliveries WHERE id = $1", retryable)
    assert tuple(row) == ("pending", 0, None)
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE kind = 'delivery.retry_requested'") == 1
    after = text_of((await admin_browser.get(sent.headers["location"])).text)
    assert "will be sent again" in after and "550 mailbox unavailable" not in after


async def test_register_waitlist_cancel_and_promotion(client, api, pool):
    org, admin, coordinator, volunteer = await staffed_org(api)
    outsider = await api.user("Pat")  # not a member: a public event is open to anyone signed in
    venue = expect(await client.post(f"{API}/orgs/{org['id']}/venues", headers=admin.headers,
                                      json={"name": "Zoom room", "kind": "virtual",
                                            "meeting_url": "https://meet.example.org/secret-room"}), 201)
    event = await make_event(client, org, admin, "Coping Skills Workshop", "public", capacity=1, venue_id=venue["id"])
    path = f"/events/{event['id']}"

    anonymous = await Visitor(client).get(path)
    assert anonymous.status_code == 200
    assert f'href="/login?next=/events/{event["id"]}"' in anonymous.text and "Log in to register" in anonymous.text
    assert "Online" in anonymous.text and "secret-room" not in anonymous.text

    first, second = await browser_for(client, volunteer), await browser_for(client, outsider)
    registered = await first.post(f"{path}/register", form_page=path)
    assert registered.status_code == 303 and registered.headers["location"] == f"{path}?done=registered#registration"
    mine = text_of((await first.get(path)).text)
    assert "You are registered" in mine and "Cancel my registration" in mine
    assert "secret-room" in (await first.get(path)).text  # a confirmed place gets the meeting link

    full = text_of((await second.get(path)).text)
    assert "All 1 places are taken" in full and "Join the waitlist" in full
    assert (await second.post(f"{path}/register", form_page=path)).status_code == 303
    waiting = text_of((await second.get(path)).text)
    assert "You are on the waitlist at position 1" in waiting and "Leave the waitlist" in waiting
    again = await second.post(f"{path}/register", form_page=path)
    assert again.status_code == 409 and "already registered" in again.text

    left = await first.post(f"{path}/unregister", form_page=path)
    assert left.status_code == 303
    assert "You are no longer registered" in text_of((await first.get(left.headers["location"])).text)
    assert "You are registered" in text_of((await second.get(path)).text)
    statuses = dict(await pool.fetch("SELECT user_id::text, status FROM registrations WHERE event_id = $1", event["id"]))
    assert statuses == {volunteer.id: "cancelled", outsider.id: "confirmed"}


async def test_event_visibility_and_cancelling(client, api, pool):
    org, admin, coordinator, volunteer = await staffed_org(api)
    private = await make_event(client, org, admin, "Board Retreat", "private")
    other_admin = await api.user("Olga")
    await api.org(other_admin)
    path = f"/events/{private['id']}"
    assert (await Visitor(client).get(path)).status_code == 404
    hidden = await (await browser_for(client, other_admin)).get(path)
    assert hidden.status_code == 404 and "Board Retreat" not in hidden.text
    member_view = await (await browser_for(client, volunteer)).get(path)
    assert member_view.status_code == 200 and "Cancel this event" not in member_view.text

    staff = await browser_for(client, coordinator)
    assert "Cancel this event" in (await staff.get(path)).text
    unconfirmed = await staff.post(f"{path}/cancel", form_page=path)
    assert unconfirmed.status_code == 422
    assert await pool.fetchval("SELECT status FROM events WHERE id = $1", private["id"]) == "scheduled"
    cancelled = await staff.post(f"{path}/cancel", {"confirm": "yes"}, form_page=path)
    assert cancelled.status_code == 303
    assert await pool.fetchval("SELECT status FROM events WHERE id = $1", private["id"]) == "cancelled"
    assert "registration is closed" in text_of((await staff.get(path)).text)


async def test_changing_an_event_from_its_page(client, api, pool):
    org, admin, coordinator, volunteer = await staffed_org(api)
    hall = await api.venue(org, admin, "Hall", address="1 Main St")
    event = await make_event(client, org, admin, "Open Evening", "private", capacity=1)
    path = f"/events/{event['id']}"
    assert "Change this event" not in (await (await browser_for(client, volunteer)).get(path)).text
    staff = await browser_for(client, coordinator)
    html = (await staff.get(path)).text
    start_local = datetime.fromisoformat(event["starts_at"]).astimezone(ZoneInfo(NY))
    assert f'value="{start_local:%Y-%m-%dT%H:%M}"' in html  # the form holds the current values

    # Noon the next local day: a wall time that exists once, whatever the season (no DST gap or repeat).
    later = datetime.combine(start_local.date() + timedelta(days=1), time(12, 0), tzinfo=ZoneInfo(NY))
    form = {"title": "Open Evening", "starts_at": f"{later:%Y-%m-%dT%H:%M}",
            "ends_at": f"{later + timedelta(hours=2):%Y-%m-%dT%H:%M}", "capacity": "", "venue_id": hall["id"]}
    changed = await staff.post(f"{path}/edit", form, form_page=path)
    assert changed.status_code == 303 and changed.headers["location"] == f"{path}?done=changed"
    row = await pool.fetchrow("SELECT starts_at, capacity, venue_id, sequence FROM events WHERE id = $1", event["id"])
    assert row["starts_at"] == later.astimezone(timezone.utc)  # read in the event's own timezone
    assert (row["capacity"], str(row["venue_id"]), row["sequence"]) == (None, hall["id"], 1)  # empty: no limit
    assert "Everyone with a place gets the new details" in text_of((await staff.get(f"{path}?done=changed")).text)

    # Ends before it starts: the page says why and nothing changes.
    refused = await staff.post(f"{path}/edit", form | {"ends_at": f"{later - timedelta(hours=1):%Y-%m-%dT%H:%M}"},
                               form_page=path)
    assert refused.status_code == 422 and "the end must be after the start" in text_of(refused.text)
    assert "ends_at" not in text_of(refused.text) and "starts_at" not in text_of(refused.text)
    assert await pool.fetchval("SELECT sequence FROM events WHERE id = $1", event["id"]) == 1


async def test_adding_and_changing_a_venue_from_the_overview(client, api, pool):
    org, admin, coordinator, volunteer = await staffed_org(api)
    staff = await browser_for(client, coordinator)
    page_url = f"/orgs/{org['slug']}/coordination"
    added = await staff.post(f"/orgs/{org['slug']}/venues", {"name": "Zoom room", "kind": "virtual",
                             "meeting_url": "https://meet.example.org/a"}, form_page=page_url)
    assert added.status_code == 303 and added.headers["location"].endswith("?done=venue#venues")
    venue_id = await pool.fetchval("SELECT id FROM venues WHERE org_id = $1::uuid", org["id"])
    html = (await staff.get(page_url)).text
    assert "Zoom room" in html and f'action="/orgs/{org["slug"]}/venues/{venue_id}"' in html

    changed = await staff.post(f"/orgs/{org['slug']}/venues/{venue_id}",
                               {"name": "Zoom room", "meeting_url": "https://meet.example.org/b"}, form_page=page_url)
    assert changed.status_code == 303 and changed.headers["location"].endswith("?done=venue_edit#venues")
    row = await pool.fetchrow("SELECT meeting_url, accessibility FROM venues WHERE id = $1", venue_id)
    assert (row["meeting_url"], row["accessibility"]) == ("https://meet.example.org/b", None)
    # An online venue without its link: the page says why, and nothing changes.
    refused = await staff.post(f"/orgs/{org['slug']}/venues/{venue_id}", {"name": "Zoom room"}, form_page=page_url)
    assert refused.status_code == 422 and "needs its meeting link" in text_of(refused.text)
    assert await pool.fetchval("SELECT meeting_url FROM venues WHERE id = $1", venue_id) == "https://meet.example.org/b"
    # Volunteers cannot.
    other = await (await browser_for(client, volunteer)).post(
        f"/orgs/{org['slug']}/venues/{venue_id}", {"name": "Mine", "meeting_url": "https://x.example.org"},
        form_page=f"/orgs/{org['slug']}")
    assert other.status_code == 403


async def test_creating_an_event_and_a_shift_from_the_overview(client, api, pool):
    org, admin, coordinator, volunteer = await staffed_org(api)
    browser = await browser_for(client, coordinator)
    page = f"/orgs/{org['slug']}/coordination"
    day = (now().astimezone(ZoneInfo(NY)) + timedelta(days=5)).date().isoformat()

    backwards = {"title": "Self-care Evening", "kind": "social", "starts_at": f"{day}T20:00",
                 "ends_at": f"{day}T18:00", "visibility": "public"}
    refused = await browser.post(f"/orgs/{org['slug']}/events", backwards, form_page=page)
    assert refused.status_code == 422 and "the end must be after the start" in refused.text
    assert f'value="{day}T20:00"' in refused.text  # what was typed stays in the form
    assert await pool.fetchval("SELECT count(*) FROM events") == 0

    fields = {"title": "Self-care Evening", "kind": "social", "starts_at": f"{day}T18:30",
              "ends_at": f"{day}T20:00", "capacity": "12", "visibility": "public"}
    created = await browser.post(f"/orgs/{org['slug']}/events", fields, form_page=page)
    assert created.status_code == 303 and created.headers["location"] == f"{page}?done=event#events"
    event = await pool.fetchrow("SELECT id, starts_at, timezone, capacity, visibility FROM events")
    assert event["starts_at"].astimezone(ZoneInfo(NY)).strftime("%Y-%m-%d %H:%M") == f"{day} 18:30"
    assert (event["timezone"], event["capacity"], event["visibility"]) == (NY, 12, "public")

    shift = {"role": "Greeter", "starts_at": f"{day}T18:00", "ends_at": f"{day}T19:00", "capacity": "2",
             "event_id": str(event["id"]), "required_training": "mhfa"}
    made = await browser.post(f"/orgs/{org['slug']}/shifts", shift, form_page=page)
    assert made.status_code == 303 and made.headers["location"] == f"{page}?done=shift#shifts"
    row = await pool.fetchrow("SELECT role, capacity, event_id, required_training, starts_at FROM shifts")
    assert (row["role"], row["capacity"], row["event_id"], row["required_training"]) == ("Greeter", 2, event["id"], "MHFA")
    assert row["starts_at"].astimezone(ZoneInfo(NY)).hour == 18
    overview = await browser.get(made.headers["location"])
    shifts = section(overview.text, "Upcoming shifts")
    assert "Greeter" in shifts and "0 of 2" in shifts and "Self-care Evening" in shifts
    assert "Self-care Evening" in section(overview.text, "Upcoming events")
