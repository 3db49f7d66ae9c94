"""The three journeys of the issue, in Debian's Chromium against a real `coord serve`.

Data is set up through the JSON API (in-process, same database); everything the
person does happens in the browser. Screenshots of every page: test-output/screenshots/.
"""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

try:
    from playwright.async_api import expect as see
except ImportError:  # the `browser` fixture skips (or fails under COORD_REQUIRE_BROWSER) and says why
    see = None

from coord.demo import DEMO_PASSWORD, load_demo
from tests.e2e.conftest import DESKTOP, MOBILE, Shots, log_in
from tests.moments import THURSDAY, next_week, now, same_week, today
from tests.support import User, expect
from tests.support.demo import PAGES, demo_objects

ZONE = "America/New_York"


async def _shift_setup(api):
    """An organization and a one-place shift in about three hours, already taken."""
    admin = await api.user("admin", timezone=ZONE)
    org = await api.org(admin, timezone=ZONE)
    first, me = await api.user("first", timezone=ZONE), await api.user("vol", timezone=ZONE)
    for person in (first, me):
        await api.member(org, admin, person, "volunteer")
    # Three real hours ahead (added in UTC: a DST change tonight would make wall-clock +3 h two or four).
    starts = (now() + timedelta(hours=3)).astimezone(ZoneInfo(ZONE)).replace(minute=0, second=0, microsecond=0)
    body = {"role": "Greeter", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "capacity": 1, "description": "Welcome people at the door and show them to the room."}
    shift = expect(await api.client.post(f"/api/v1/orgs/{org['id']}/shifts", json=body, headers=admin.headers), 201)
    expect(await api.client.post(f"/api/v1/shifts/{shift['id']}/signups", headers=first.headers), 201)
    return org, shift, starts, first, me


async def test_volunteer_joins_a_full_shift_waitlist_and_is_promoted(new_page, api):
    """A volunteer signs up for a full shift and sees the waitlist position, then is
    promoted when someone cancels."""
    org, shift, starts, first, me = await _shift_setup(api)
    shots = Shots("volunteer")
    page = await new_page()

    await page.goto("/shifts")  # not signed in: the board sends you to log in first
    await see(page).to_have_url(re.compile(r"/login\?next=/shifts$"))
    await log_in(page, me, "/shifts")
    if not same_week(starts.date(), today(ZONE)):
        await page.get_by_role("link", name=re.compile("Next week")).click()
    card = page.locator(f"#shift-{shift['id']}")
    await see(card).to_contain_text(re.compile(r"Full \(1 place"))
    await shots(page, "board full shift")

    await card.get_by_role("button", name=re.compile("^Sign up")).click()
    await see(card).to_contain_text("waitlist at position 1")
    await see(page.get_by_role("status")).to_contain_text("waitlist at position 1")
    await shots(page, "on the waitlist")

    # The volunteer holding the place cancels (through the API): the first one waiting moves up.
    expect(await api.client.delete(f"/api/v1/shifts/{shift['id']}/signups/me", headers=first.headers), 204)
    await page.reload()
    await see(card).to_contain_text("You are confirmed")
    await see(card.get_by_role("button", name=re.compile("^Cancel my place"))).to_be_visible()
    await shots(page, "promoted")
    assert await page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]

    await page.set_viewport_size(DESKTOP)
    await shots(page, "board desktop")


async def test_login_keyboard_focus_and_no_horizontal_scroll(new_page):
    """On /login the keyboard reaches the email field with a visible focus ring, and at
    375 px nothing scrolls sideways."""
    shots = Shots("keyboard")
    page = await new_page()
    await page.goto("/login")
    assert await page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]

    seen = []
    for _ in range(12):  # the skip link and the nav come first; the email field within a few tabs
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                       return {tag: e.tagName, id: e.id, text: e.textContent.trim(),
                               outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow}; }"""
        )
        seen.append(focused)
        assert focused["outline"] != "none" or focused["shadow"] != "none", f"focus not visible on {focused}"
        if focused["id"] == "f-email":
            break
    assert seen[0]["text"] == "Skip to content", seen[0]
    assert seen[-1]["id"] == "f-email", seen
    await shots(page, "login email focused")


async def _group_setup(api, *, join_policy: str, visibility: str):
    admin = await api.user("admin", timezone=ZONE)
    org = await api.org(admin, timezone=ZONE)
    body = {"name": "Thursday Evening Circle", "format": "peer_led", "visibility": visibility,
            "join_policy": join_policy, "description": "A peer support circle for adults."}
    group = expect(await api.client.post(f"/api/v1/orgs/{org['id']}/groups", json=body, headers=admin.headers), 201)
    return admin, org, group


async def test_facilitator_schedules_a_series_moves_one_and_records_attendance(new_page, api, pool):
    """A facilitator schedules a weekly series, moves one occurrence and records attendance."""
    admin, org, group = await _group_setup(api, join_policy="approval", visibility="private")
    facilitator = await api.user("Femi", timezone=ZONE)
    ana, bo = await api.user("Ana", timezone=ZONE), await api.user("Bo", timezone=ZONE)
    await api.member(org, admin, facilitator, "facilitator")
    for person, role in ((facilitator, "facilitator"), (ana, "participant"), (bo, "participant")):
        if role == "participant":
            await api.member(org, admin, person, "participant")
        body = {"user_id": person.id, "role": role}
        expect(await api.client.post(f"/api/v1/groups/{group['id']}/members", json=body, headers=admin.headers), 201)
    shots = Shots("facilitator")
    page = await new_page()

    await log_in(page, facilitator, f"/groups/{group['id']}")
    await shots(page, "group")
    await page.get_by_role("link", name="Schedule sessions").click()
    await see(page).to_have_url(re.compile(f"/groups/{group['id']}/schedule$"))
    thursday = next_week(THURSDAY, ZONE)
    await page.get_by_label("Date of the first session").fill(thursday.date().isoformat())
    await page.get_by_label("Start time").fill("18:30")
    await see(page.get_by_label("Timezone")).to_have_value(ZONE)
    await page.get_by_label("After this many sessions").fill("6")
    await shots(page, "series form")
    await page.get_by_role("button", name="Preview dates").click()
    await see(page.get_by_role("status")).to_contain_text("Every Thursday at 18:30")
    await shots(page, "series preview")
    assert await page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    await page.get_by_role("button", name="Save series").click()
    await see(page.get_by_role("status")).to_contain_text("6 sessions scheduled")
    await shots(page, "group with sessions")
    sessions = await pool.fetch("SELECT id, starts_at FROM sessions WHERE group_id = $1 ORDER BY starts_at", group["id"])
    assert len(sessions) == 6 and sessions[0]["starts_at"] == thursday.replace(hour=18, minute=30)

    # The first session has no facilitator yet: take it.
    await page.locator("section[aria-labelledby=upcoming-h] a").first.click()
    await see(page).to_have_url(re.compile(f"/sessions/{sessions[0]['id']}$"))
    await page.get_by_role("button", name="Facilitate this session").click()
    await see(page.get_by_role("status")).to_contain_text("You are now a facilitator of this session")
    await shots(page, "session facilitating")

    # The second one moves to the Friday at 19:00; only it moves.
    await page.goto(f"/sessions/{sessions[1]['id']}")
    friday = thursday + timedelta(days=8)
    await page.get_by_label(re.compile("^New start")).fill(friday.strftime("%Y-%m-%dT19:00"))
    await page.get_by_role("button", name="Move this session").click()
    await see(page.get_by_role("status")).to_contain_text("The session was moved")
    await see(page.get_by_text(re.compile("^Moved from"))).to_be_visible()
    await shots(page, "session moved")
    moved = await pool.fetchrow("SELECT starts_at, recurrence_id FROM sessions WHERE id = $1", sessions[1]["id"])
    assert moved["starts_at"] == friday.replace(hour=19) and moved["recurrence_id"] == sessions[1]["starts_at"]
    later = await pool.fetchval("SELECT starts_at FROM sessions WHERE id = $1", sessions[2]["id"])
    assert later == sessions[2]["starts_at"]

    # A week passes (the clock, not the facilitator, moves the first session under way).
    await pool.execute("UPDATE sessions SET starts_at = now() - interval '20 minutes', "
                       "ends_at = now() + interval '70 minutes' WHERE id = $1", sessions[0]["id"])
    await page.goto(f"/sessions/{sessions[0]['id']}")
    await shots(page, "attendance form")
    await page.get_by_role("group", name="Ana").get_by_label("Present").check()
    await page.get_by_role("group", name="Bo").get_by_label("Absent").check()
    await page.get_by_role("button", name="Save attendance").click()
    await see(page.get_by_role("status")).to_contain_text("Attendance saved for 2 people")
    await shots(page, "attendance saved")
    rows = await pool.fetch("SELECT user_id::text, status FROM attendance WHERE session_id = $1", sessions[0]["id"])
    assert {r["user_id"]: r["status"] for r in rows} == {ana.id: "present", bo.id: "absent"}
    assert await pool.fetchval("SELECT status FROM sessions WHERE id = $1", sessions[0]["id"]) == "completed"


async def test_participant_joins_a_group_and_copies_a_feed_that_serves_the_session(new_page, api):
    """A participant joins a group and copies a feed URL that then serves the session."""
    admin, org, group = await _group_setup(api, join_policy="open", visibility="public")
    start = next_week(THURSDAY, ZONE).replace(hour=18, minute=30)
    body = {"start": start.replace(tzinfo=None).isoformat(), "timezone": ZONE, "duration_minutes": 90,
            "rrule": "FREQ=WEEKLY;BYDAY=TH;COUNT=6"}
    series = expect(await api.client.post(f"/api/v1/groups/{group['id']}/series", json=body, headers=admin.headers), 201)
    pat = await api.user("Pat", timezone=ZONE)
    await api.member(org, admin, pat, "participant")
    shots = Shots("participant")
    page = await new_page(permissions=["clipboard-read", "clipboard-write"])

    await log_in(page, pat, f"/groups/{group['id']}")
    await shots(page, "group")
    await page.get_by_role("button", name="Join this group").click()
    await see(page.get_by_role("status")).to_contain_text("You have joined this group")
    await shots(page, "joined")

    await page.goto("/me/feeds")
    await shots(page, "feeds")
    await page.get_by_role("button", name="Create feed").click()
    address = page.locator("#feed-url")
    await see(address).to_be_visible()
    url = await address.input_value()
    assert url.startswith(page.url.split("/me/")[0] + "/"), url
    await page.get_by_role("button", name="Copy address").click()
    await see(page.locator("#feed-url-status")).to_have_text("Copied.")
    assert await page.evaluate("navigator.clipboard.readText()") == url
    await shots(page, "feed address copied")
    assert await page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]

    calendar = httpx.get(url, timeout=10)
    assert calendar.status_code == 200 and calendar.headers["content-type"].startswith("text/calendar")
    text = calendar.text.replace("\r\n ", "")  # unfold
    assert f"UID:series-{series['id']}@coord" in text
    assert "SUMMARY:Thursday Evening Circle" in text
    assert f"DTSTART;TZID={ZONE}:{start:%Y%m%dT%H%M%S}" in text


@pytest.mark.slow  # started first, so pytest-xdist's workers end together (tests/conftest.py)
async def test_every_demo_page_fits_a_phone(new_page, settings, pool):
    """Every page of the demo organization, as its volunteer, facilitator and coordinator,
    at 375 px: saved as a screenshot, and nothing scrolls sideways."""
    await load_demo(settings)
    objects = await demo_objects(pool)
    for persona in ("volunteer", "facilitator", "coordinator"):
        shots = Shots(f"demo-{persona}")
        page = await new_page()
        user = User("", f"{persona}@demo.coord.test", {})
        await log_in(page, user, "/me", password=DEMO_PASSWORD)
        for path in PAGES:
            if path in ("/login", "/register"):
                continue  # the signed-in person is sent on; the journeys above show these
            response = await page.goto(path.format(**objects))
            assert response is not None and response.status in (200, 403, 404), (persona, path, response)
            if response.status == 200:
                await shots(page, path.strip("/") or "start")
