"""Series and sessions through the API: scheduling, listing, moving, cancelling, staffing, coverage."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID
from zoneinfo import ZoneInfo

from coord.kernel.db.pool import transaction
from coord.sessions.service import extend_horizons
from tests.moments import NY, local_start, now
from tests.support import assert_problem, expect
from tests.support.world import events_of, make_group, setup

UTC = timezone.utc


async def test_series_materializes_sessions_at_a_stable_local_time(client, api, pool):
    s = await setup(client, api)
    # Starting 30 weeks back, a year of Tuesdays always crosses both DST changes.
    series = await s.series(local_start(-30), "FREQ=WEEKLY;BYDAY=TU;COUNT=40")
    assert series["sessions_created"] == 40 and "every Tuesday at 18:30" in series["description"]
    items = await s.sessions(limit=200)
    assert len(items) == 40 and all(i["series_id"] == series["id"] and i["status"] == "scheduled" for i in items)
    starts = [datetime.fromisoformat(i["starts_at"]) for i in items]
    assert starts == sorted(starts)
    assert {d.astimezone(ZoneInfo(NY)).strftime("%a %H:%M") for d in starts} == {"Tue 18:30"}
    assert {d.astimezone(UTC).hour for d in starts} == {22, 23}  # the UTC time moves instead
    assert all(datetime.fromisoformat(i["ends_at"]) - d == timedelta(minutes=90) for i, d in zip(items, starts))
    assert all(i["recurrence_id"] == i["starts_at"] and i["sequence"] == 0 for i in items)
    assert await events_of(pool, "series.scheduled") == [
        {"kind": "series.scheduled", "series_id": series["id"], "group_id": s.group["id"]}
    ]


async def test_series_input_errors_name_the_field(client, api):
    s = await setup(client, api)
    url = f"{s.base}/series"
    good = {"start": local_start(1).isoformat(), "timezone": NY, "duration_minutes": 60, "rrule": "FREQ=WEEKLY;BYDAY=TU"}
    for bad, field in [
        ({"rrule": "FREQ=HOURLY"}, "rrule"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "rrule"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=WE"}, "start"),  # the start is a Tuesday
        ({"facilitator_ids": [s.participant.id]}, "facilitator_ids"),
    ]:
        problem = assert_problem(await client.post(url, json={**good, **bad}, headers=s.admin.headers), 422)
        assert problem["errors"][0]["field"] == field, problem
    for bad in ({"duration_minutes": 2}, {"start": "2030-01-01T10:00:00+00:00"}, {"every": "week"}):
        assert_problem(await client.post(url, json={**good, **bad}, headers=s.admin.headers), 400)
    # Members who do not run the group cannot schedule for it; other organizations see no group.
    assert_problem(await client.post(url, json=good, headers=s.participant.headers), 403)
    outsider = await api.user()
    await api.org(outsider)
    assert_problem(await client.post(url, json=good, headers=outsider.headers), 404)
    assert await s.sessions() == []


async def test_open_ended_series_stays_within_the_horizon_and_rolls_forward(client, api, pool):
    s = await setup(client, api)
    series = await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU", facilitator_ids=[s.facilitator.id])
    assert 24 <= series["sessions_created"] <= 26
    last = datetime.fromisoformat((await s.sessions(limit=200))[-1]["starts_at"])
    assert last < now() + timedelta(weeks=26)
    async with transaction(pool) as conn:
        created = await extend_horizons(conn, now=now() + timedelta(weeks=4))
    async with transaction(pool) as conn:
        again = await extend_horizons(conn, now=now() + timedelta(weeks=4))
    assert created == 4 and again == 0
    items = await s.sessions(limit=200)
    assert len(items) == series["sessions_created"] + 4
    assert len({i["recurrence_id"] for i in items}) == len(items)
    # The added weeks keep the series' facilitator (they are not coverage gaps).
    assert all(i["facilitator_ids"] == [s.facilitator.id] for i in items[-4:])
    assert await events_of(pool, "series.changed") == [
        {"kind": "series.changed", "series_id": series["id"], "group_id": s.group["id"], "extended": True}
    ]


async def test_session_list_windows_and_pages(client, api):
    s = await setup(client, api)
    start = local_start(1)
    await s.series(start, "FREQ=DAILY;COUNT=10")
    all_items = await s.sessions()
    assert len(all_items) == 10
    first_start = datetime.fromisoformat(all_items[0]["starts_at"])
    # The window from the sessions themselves: a DST change inside the series moves their UTC times.
    window = {"from": all_items[2]["starts_at"], "to": all_items[4]["ends_at"]}
    assert [i["id"] for i in await s.sessions(**window)] == [i["id"] for i in all_items[2:5]]
    # A session already under way at `from` overlaps the window.
    inside = {"from": (first_start + timedelta(minutes=30)).isoformat(), "to": (first_start + timedelta(hours=1)).isoformat()}
    assert [i["id"] for i in await s.sessions(**inside)] == [all_items[0]["id"]]
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = expect(await client.get(f"{s.base}/sessions", params=params, headers=s.participant.headers), 200)
        seen += [i["id"] for i in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [i["id"] for i in all_items]
    url = f"{s.base}/sessions"
    problem = assert_problem(await client.get(url, params={"from": "2030-01-01T10:00:00"}, headers=s.admin.headers), 400)
    assert problem["errors"]
    problem = assert_problem(
        await client.get(url, params={"from": "2030-01-02T00:00:00Z", "to": "2030-01-01T00:00:00Z"}, headers=s.admin.headers), 422
    )
    assert problem["errors"][0]["field"] == "to"
    assert_problem(await client.get(url, params={"limit": 201}, headers=s.admin.headers), 400)
    assert_problem(await client.get(url, params={"cursor": "WyJ4IiwieSJd"}, headers=s.admin.headers), 400)


async def test_moving_one_occurrence(client, api, pool):
    s = await setup(client, api)
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=3")
    session = (await s.sessions())[1]
    url = f"/api/v1/sessions/{session['id']}"
    new_start = datetime.fromisoformat(session["starts_at"]) + timedelta(days=1, hours=1)
    moved = expect(await client.patch(url, json={"starts_at": new_start.isoformat()}, headers=s.facilitator.headers), 200)
    assert datetime.fromisoformat(moved["starts_at"]) == new_start
    assert datetime.fromisoformat(moved["ends_at"]) == new_start + timedelta(minutes=90)  # duration kept
    assert moved["recurrence_id"] == session["recurrence_id"] and moved["sequence"] == 1
    # An unchanged value is no change: no new sequence, no new event.
    same = expect(await client.patch(url, json={"starts_at": new_start.isoformat()}, headers=s.admin.headers), 200)
    assert same["sequence"] == 1
    [event] = await events_of(pool, "session.rescheduled")
    # Ids, and when and where it was (no personal data): its message says from what to what.
    assert {k: event[k] for k in ("kind", "session_id", "group_id", "was_venue_id")} == {
        "kind": "session.rescheduled", "session_id": session["id"], "group_id": s.group["id"], "was_venue_id": None}
    assert [datetime.fromisoformat(event[k]) for k in ("was_starts_at", "was_ends_at")] == [
        datetime.fromisoformat(session[k]) for k in ("starts_at", "ends_at")]
    ends_before = {"ends_at": (new_start - timedelta(minutes=1)).isoformat()}
    problem = assert_problem(await client.patch(url, json=ends_before, headers=s.admin.headers), 422)
    assert problem["errors"][0]["field"] == "ends_at"
    assert_problem(await client.patch(url, json={"starts_at": "2030-01-01T10:00:00"}, headers=s.admin.headers), 400)
    assert_problem(await client.patch(url, json={"starts_at": "soon"}, headers=s.admin.headers), 400)
    assert_problem(await client.patch(url, json={"room": "B"}, headers=s.admin.headers), 400)
    assert_problem(await client.patch(url, json={"starts_at": new_start.isoformat()}, headers=s.participant.headers), 403)
    # Venues: own organization only; null removes it.
    other_admin = await api.user()
    other_org = await api.org(other_admin)
    foreign = expect(await client.post(f"/api/v1/orgs/{other_org['id']}/venues",
                                       json={"name": "Far", "kind": "virtual", "meeting_url": "https://m.example/x"},
                                       headers=other_admin.headers), 201)
    assert_problem(await client.patch(url, json={"venue_id": foreign["id"]}, headers=s.admin.headers), 404)
    assert_problem(await client.patch(url, json={"venue_id": None}, headers=other_admin.headers), 404)
    after = expect(await client.get(url, headers=s.admin.headers), 200)
    assert after["sequence"] == 1 and datetime.fromisoformat(after["starts_at"]) == new_start


async def test_cancelling_one_occurrence(client, api, pool):
    s = await setup(client, api)
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=3")
    first, second, _ = await s.sessions()
    url = f"/api/v1/sessions/{first['id']}"
    assert_problem(await client.post(f"{url}/cancel", json={}, headers=s.participant.headers), 403)
    cancelled = expect(await client.post(f"{url}/cancel", json={"reason": "Venue closed"}, headers=s.facilitator.headers), 200)
    assert cancelled["status"] == "cancelled" and cancelled["sequence"] == 1
    again = expect(await client.post(f"{url}/cancel", headers=s.admin.headers), 200)
    assert again["sequence"] == 1
    # No body at all is fine too.
    assert expect(await client.post(f"/api/v1/sessions/{second['id']}/cancel", headers=s.admin.headers), 200)["status"] == "cancelled"
    assert [e["session_id"] for e in await events_of(pool, "session.cancelled")] == [first["id"], second["id"]]
    detail = expect(await client.get(url, headers=s.participant.headers), 200)
    assert detail["cancel_reason"] == "Venue closed"
    # A cancelled session is listed, but cannot be moved or staffed.
    assert [i["status"] for i in await s.sessions()] == ["cancelled", "cancelled", "scheduled"]
    assert_problem(await client.patch(url, json={"venue_id": None}, headers=s.admin.headers), 409)
    assert_problem(await client.put(f"{url}/facilitators", json={"user_ids": []}, headers=s.admin.headers), 409)
    assert_problem(await client.post(f"{url}/cancel", json={"reason": "x" * 501}, headers=s.admin.headers), 400)


async def test_assigning_facilitators(client, api, pool):
    s = await setup(client, api)
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=2", facilitator_ids=[s.facilitator.id])
    session = (await s.sessions())[0]
    assert session["facilitator_ids"] == [s.facilitator.id]
    url = f"/api/v1/sessions/{session['id']}/facilitators"
    swapped = expect(await client.put(url, json={"user_ids": [s.co_facilitator.id]}, headers=s.coordinator.headers), 200)
    assert swapped["facilitator_ids"] == [s.co_facilitator.id] and swapped["sequence"] == 1
    both = sorted([s.facilitator.id, s.co_facilitator.id])
    assert expect(await client.put(url, json={"user_ids": both + both}, headers=s.admin.headers), 200)["facilitator_ids"] == both
    assert expect(await client.put(url, json={"user_ids": both}, headers=s.admin.headers), 200)["sequence"] == 2
    problem = assert_problem(await client.put(url, json={"user_ids": [s.participant.id]}, headers=s.admin.headers), 422)
    assert problem["errors"][0]["field"] == "user_ids"
    assert_problem(await client.put(url, json={"user_ids": ["not-a-uuid"]}, headers=s.admin.headers), 400)
    assert_problem(await client.put(url, json={"user_ids": []}, headers=s.participant.headers), 403)
    changes = await events_of(pool, "session.facilitators_changed")
    assert changes == [
        {"kind": "session.facilitators_changed", "session_id": session["id"], "added": [s.co_facilitator.id], "removed": [s.facilitator.id]},
        {"kind": "session.facilitators_changed", "session_id": session["id"], "added": [s.facilitator.id], "removed": []},
    ]
    # Leaving the group drops future assignments.
    expect(await client.delete(f"{s.base}/members/{s.co_facilitator.id}", headers=s.co_facilitator.headers), 204)
    assert (await s.sessions())[0]["facilitator_ids"] == [s.facilitator.id]


async def test_coverage_gaps(client, api, pool):
    s = await setup(client, api, facilitators_required=2)
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=4", facilitator_ids=[s.facilitator.id])
    one, two, three, four = await s.sessions()
    pair = {"user_ids": [s.facilitator.id, s.co_facilitator.id]}
    expect(await client.put(f"/api/v1/sessions/{two['id']}/facilitators", json=pair, headers=s.admin.headers), 200)
    expect(await client.put(f"/api/v1/sessions/{three['id']}/facilitators", json={"user_ids": []}, headers=s.admin.headers), 200)
    expect(await client.post(f"/api/v1/sessions/{four['id']}/cancel", headers=s.admin.headers), 200)
    gaps = expect(await client.get(f"{s.base}/coverage-gaps", headers=s.facilitator.headers), 200)["items"]
    assert [(g["session_id"], g["assigned"], g["missing"]) for g in gaps] == [(one["id"], 1, 1), (three["id"], 0, 2)]
    assert gaps[0]["required"] == 2 and {g["group_name"] for g in gaps} == {s.group["name"]}
    # Every reader counts from one definition, the session_coverage view: a cancelled session is short of nobody.
    short = await pool.fetch("SELECT session_id, short_by FROM session_coverage WHERE group_id = $1::uuid", s.group["id"])
    assert {str(r["session_id"]): r["short_by"] for r in short} == {one["id"]: 1, two["id"]: 0, three["id"]: 2, four["id"]: 0}
    org_url = f"/api/v1/orgs/{s.org['id']}/coverage-gaps"
    paged = expect(await client.get(org_url, params={"limit": 1}, headers=s.coordinator.headers), 200)
    rest = expect(await client.get(org_url, params={"cursor": paged["next_cursor"]}, headers=s.coordinator.headers), 200)
    assert [g["session_id"] for g in paged["items"] + rest["items"]] == [one["id"], three["id"]]
    window = {"from": three["starts_at"]}
    assert [g["session_id"] for g in expect(await client.get(org_url, params=window, headers=s.admin.headers), 200)["items"]] == [three["id"]]
    # Another group's facilitator sees no gaps of groups they do not run; participants see none at all.
    other = await make_group(client, s.org, s.admin, name="Other")
    outsider_facilitator = await api.user()
    await api.member(s.org, s.admin, outsider_facilitator, "facilitator")
    expect(await client.post(f"/api/v1/groups/{other['id']}/members",
                             json={"user_id": outsider_facilitator.id, "role": "facilitator"}, headers=s.admin.headers), 201)
    assert expect(await client.get(org_url, headers=outsider_facilitator.headers), 200)["items"] == []
    assert len(expect(await client.get(org_url, headers=s.facilitator.headers), 200)["items"]) == 2
    assert_problem(await client.get(org_url, headers=s.participant.headers), 403)
    assert_problem(await client.get(f"{s.base}/coverage-gaps", headers=s.participant.headers), 403)


async def test_this_and_following_splits_the_series(client, api, pool):
    s = await setup(client, api)
    original = await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=6", facilitator_ids=[s.facilitator.id])
    sessions = await s.sessions()
    third = sessions[2]
    url = f"/api/v1/sessions/{third['id']}/this-and-following"
    # The third session's own day, at 19:00 instead of 18:30.
    later = datetime.fromisoformat(third["starts_at"]).astimezone(ZoneInfo(NY)).replace(hour=19, minute=0, tzinfo=None)
    assert_problem(await client.post(url, json={"start": later.isoformat()}, headers=s.participant.headers), 403)
    problem = assert_problem(await client.post(url, json={"rrule": "FREQ=WEEKLY;BYDAY=WE"}, headers=s.admin.headers), 422)
    assert problem["errors"][0]["field"] == "start"
    new = expect(await client.post(url, json={"start": later.isoformat(), "duration_minutes": 60}, headers=s.facilitator.headers), 201)
    assert new["sessions_created"] == 4 and new["id"] != original["id"]
    items = await s.sessions()
    old = [i for i in items if i["series_id"] == original["id"]]
    assert [i["status"] for i in old] == ["scheduled"] * 2 + ["cancelled"] * 4
    fresh = [i for i in items if i["series_id"] == new["id"]]
    assert len(fresh) == 4 and all(i["facilitator_ids"] == [s.facilitator.id] for i in fresh)
    starts = [datetime.fromisoformat(i["starts_at"]).astimezone(ZoneInfo(NY)) for i in fresh]
    assert {d.strftime("%a %H:%M") for d in starts} == {"Tue 19:00"}
    assert starts[0].date() == later.date()
    assert all(datetime.fromisoformat(i["ends_at"]) - datetime.fromisoformat(i["starts_at"]) == timedelta(hours=1) for i in fresh)
    assert await events_of(pool, "session.cancelled") == []  # the two series' invites say it (no email each)
    assert [e["series_id"] for e in await events_of(pool, "series.changed")] == [original["id"]]
    async with pool.acquire() as conn:
        rrule, split_from = await conn.fetchrow(
            "SELECT o.rrule, n.split_from::text FROM series o, series n WHERE o.id = $1 AND n.id = $2",
            UUID(original["id"]), UUID(new["id"]),
        )
    assert "UNTIL=" in rrule and "COUNT" not in rrule and split_from == original["id"]
    # The old series is over from the split on: its cancelled sessions cannot start another split.
    assert_problem(await client.post(f"/api/v1/sessions/{old[3]['id']}/this-and-following", json={}, headers=s.admin.headers), 422)


async def test_ending_a_series_cancels_what_follows_and_bounds_the_rule(client, api, pool):
    s = await setup(client, api)
    series = await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU")  # open-ended
    sessions = await s.sessions(limit=200)
    assert len(sessions) == series["sessions_created"] >= 20
    cut = datetime.fromisoformat(sessions[3]["starts_at"]) + timedelta(hours=1)
    url = f"/api/v1/series/{series['id']}/end"
    assert_problem(await client.post(url, json={"after": cut.isoformat()}, headers=s.participant.headers), 403)
    outsider = await api.user()
    await api.org(outsider)
    assert_problem(await client.post(url, json={"after": cut.isoformat()}, headers=outsider.headers), 404)
    assert_problem(await client.post(url, json={"after": "2026-01-01T10:00:00"}, headers=s.admin.headers), 400)

    ended = expect(await client.post(url, json={"after": cut.isoformat()}, headers=s.facilitator.headers), 200)
    assert ended["sessions_cancelled"] == len(sessions) - 4
    assert "UNTIL=" in ended["rrule"] and "COUNT" not in ended["rrule"]
    statuses = [x["status"] for x in await s.sessions(limit=200)]
    assert statuses[:4] == ["scheduled"] * 4 and set(statuses[4:]) == {"cancelled"}
    # Ended series are not extended any further, and cannot be ended twice.
    async with transaction(pool) as conn:
        assert await extend_horizons(conn, now=now() + timedelta(weeks=30)) == 0
    assert_problem(await client.post(url, headers=s.admin.headers), 409)
    assert {"series_id": series["id"], "group_id": s.group["id"], "kind": "series.changed", "extended": False} in await events_of(
        pool, "series.changed"
    )


async def test_the_worker_cron_extends_open_series(client, api, pool, redis, settings, smtp, mail_settings):
    from tests.support import run_jobs
    from workers.cron import extend_session_horizons

    s = await setup(client, api)
    series = await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU")
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    # As if the series was created long ago: its horizon lies in the past.
    await pool.execute(
        "UPDATE series SET materialized_until = now() - interval '2 days' WHERE id = $1::uuid", series["id"]
    )
    await pool.execute(
        "DELETE FROM sessions WHERE series_id = $1::uuid AND starts_at > now() + interval '10 weeks'", series["id"]
    )
    before = await pool.fetchval("SELECT count(*) FROM sessions WHERE series_id = $1::uuid", series["id"])
    assert await extend_session_horizons({"pool": pool}) == series["sessions_created"] - before
    assert await pool.fetchval("SELECT count(*) FROM sessions WHERE series_id = $1::uuid", series["id"]) == series["sessions_created"]
    assert await extend_session_horizons({"pool": pool}) == 0
    # The invite's RRULE already holds those sessions: nobody is emailed about them.
    await run_jobs(mail_settings, pool, redis)
    assert smtp.messages == []
