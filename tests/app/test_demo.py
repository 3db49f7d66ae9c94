"""`coord demo`: the demo organization loads through the services, twice leaves one,
and its volunteer's shift board shows the shifts."""

from __future__ import annotations

import time
from datetime import timedelta

from coord.demo import DEMO_PASSWORD, DEMO_SLUG, load_demo
from coord.demo_data import EVENTS, GROUPS, PEOPLE, SHIFTS
from tests.pages import Visitor, text_of
from tests.support import User


async def test_demo_loads_once_with_groups_series_events_and_shifts(settings, pool):
    started = time.monotonic()
    first = await load_demo(settings)
    took = time.monotonic() - started
    second = await load_demo(settings)
    assert "loaded demo organization" in first and "already loaded" in second
    assert took < 30, f"the demo took {took:.1f}s to load"

    org_id = await pool.fetchval("SELECT id FROM orgs WHERE slug = $1", DEMO_SLUG)
    assert await pool.fetchval("SELECT count(*) FROM orgs WHERE slug = $1", DEMO_SLUG) == 1
    assert await pool.fetchval("SELECT count(*) FROM org_members WHERE org_id = $1", org_id) == len(PEOPLE) + 1
    groups = await pool.fetch("SELECT * FROM groups WHERE org_id = $1", org_id)
    assert len(groups) == len(GROUPS) == 4
    kinds = {(g["visibility"], g["format"], g["join_policy"], g["discreet_title"] is not None) for g in groups}
    assert ("public", "peer_led", "open", False) in kinds
    assert ("public", "professional_led", "approval", False) in kinds
    assert any(v == "private" and not discreet for v, _, _, discreet in kinds)
    assert any(discreet for *_, discreet in kinds)

    # Series from next week in New York; biweekly among them; every session in the future.
    series = await pool.fetch("SELECT * FROM series WHERE org_id = $1", org_id)
    assert len(series) == 4 and {s["timezone"] for s in series} == {"America/New_York"}
    assert any("INTERVAL=2" in s["rrule"] for s in series)
    sessions = await pool.fetchval("SELECT count(*) FROM sessions WHERE org_id = $1 AND starts_at > now()", org_id)
    assert sessions == await pool.fetchval("SELECT count(*) FROM sessions WHERE org_id = $1", org_id) == 40
    # Facilitators on most sessions, a couple of coverage gaps.
    gaps = await pool.fetchval(
        """SELECT count(*) FROM sessions s JOIN groups g ON g.id = s.group_id
           WHERE s.org_id = $1 AND (SELECT count(*) FROM session_facilitators f WHERE f.session_id = s.id)
                 < g.facilitators_required""", org_id)
    assert gaps == 2
    assert await pool.fetchval("SELECT count(*) FROM group_members m JOIN groups g ON g.id = m.group_id "
                               "WHERE g.org_id = $1 AND m.role = 'participant' AND m.status = 'active'", org_id) >= 10
    assert await pool.fetchval("SELECT count(*) FROM group_members m JOIN groups g ON g.id = m.group_id "
                               "WHERE g.org_id = $1 AND m.status = 'pending'", org_id) == 1

    events = await pool.fetch("SELECT * FROM events WHERE org_id = $1 ORDER BY title", org_id)
    assert len(events) == len(EVENTS) == 2 and {e["kind"] for e in events} == {"workshop", "awareness"}
    workshop = next(e for e in events if e["kind"] == "workshop")
    assert workshop["capacity"] == 12
    assert await pool.fetchval("SELECT count(*) FROM registrations WHERE event_id = $1", workshop["id"]) == 7

    shifts = await pool.fetch("SELECT * FROM shifts WHERE org_id = $1", org_id)
    assert len(shifts) == len(SHIFTS) == 20
    assert {s["role"] for s in shifts} == {"Greeter", "Setup", "Peer support line"}
    assert all(s["starts_at"] > workshop["created_at"] for s in shifts)
    assert max(s["starts_at"] for s in shifts) - min(s["starts_at"] for s in shifts) < timedelta(days=14)
    assert {s["required_training"] for s in shifts} == {None, "MHFA"}
    counts = await pool.fetch("SELECT shift_id, status, count(*) AS n FROM signups GROUP BY shift_id, status")
    waiting = [c for c in counts if c["status"] == "waitlisted"]
    assert len(waiting) == 1 and waiting[0]["n"] == 2
    assert sum(c["n"] for c in counts if c["status"] == "confirmed") >= 20


async def test_the_demo_volunteer_sees_the_shift_board(settings, pool, client):
    await load_demo(settings)
    email = "volunteer@demo.coord.test"
    user_id = await pool.fetchval("SELECT id FROM users WHERE email = $1", email)
    volunteer = Visitor(client)
    await volunteer.login(User(str(user_id), email, {}), password=DEMO_PASSWORD)
    shown, pages = 0, []
    for week in (0, 1, 2):  # this week and the next two hold the next fortnight's shifts
        day = await pool.fetchval("SELECT ((now() AT TIME ZONE 'America/New_York')::date + $1 * 7)::text", week)
        response = await volunteer.get(f"/shifts?org={DEMO_SLUG}&week={day}")
        assert response.status_code == 200
        shown += response.text.count('class="card shift')
        pages.append(text_of(response.text))
    text = " ".join(pages)
    assert shown == len(SHIFTS)
    assert "Riverside Wellbeing Collective" in text
    assert "You are on the waitlist at position 2" in text
    assert "You are confirmed for this shift" in text
    assert "Needs the MHFA training" in text
    assert all(role in text for role in ("Peer support line", "Setup", "Greeter"))
