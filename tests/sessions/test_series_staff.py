"""A series' own facilitators, open-ended series across the rolling horizon, and moves
refused when the time has passed (issue 15, points 4 and 5)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from coord.kernel import clock
from tests.moments import NY, local_start, now
from tests.support import assert_problem, expect, mail_text, run_jobs
from tests.support.world import events_of, setup
from workers.cron import extend_session_horizons


async def test_a_series_keeps_its_facilitators_on_sessions_the_horizon_adds_unless_one_was_changed(
    client, api, pool, redis, smtp, mail_settings
):
    s = await setup(client, api)
    series = await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU", facilitator_ids=[s.facilitator.id])  # open-ended
    first_batch = await s.sessions(limit=200)
    assert {tuple(i["facilitator_ids"]) for i in first_batch} == {(s.facilitator.id,)}
    # The latest session is changed for this one occurrence: the weeks added later do not copy it.
    latest = first_batch[-1]
    both = sorted([s.facilitator.id, s.co_facilitator.id])
    expect(await client.put(f"/api/v1/sessions/{latest['id']}/facilitators", json={"user_ids": both},
                            headers=s.coordinator.headers), 200)
    with clock.shifted(timedelta(weeks=3)):
        assert await extend_session_horizons({"pool": pool}) >= 3
    items = await s.sessions(limit=200)
    added = items[len(first_batch):]
    assert len(added) >= 3 and all(i["facilitator_ids"] == [s.facilitator.id] for i in added)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    # Changing the series' facilitators reaches every session not over yet, but the one changed alone.
    url = f"/api/v1/series/{series['id']}/facilitators"
    assert_problem(await client.put(url, json={"user_ids": [s.co_facilitator.id]}, headers=s.participant.headers), 403)
    problem = assert_problem(await client.put(url, json={"user_ids": [s.participant.id]}, headers=s.admin.headers), 422)
    assert problem["errors"][0]["field"] == "user_ids"
    outsider = await api.user()
    await api.org(outsider)
    assert_problem(await client.put(url, json={"user_ids": []}, headers=outsider.headers), 404)
    changed = expect(await client.put(url, json={"user_ids": [s.co_facilitator.id]}, headers=s.facilitator.headers), 200)
    assert changed["user_ids"] == [s.co_facilitator.id]
    assert (changed["sessions_changed"], changed["sessions_kept"]) == (len(items) - 1, 1)
    after = {i["id"]: i for i in await s.sessions(limit=200)}
    assert after[latest["id"]]["facilitator_ids"] == both
    others = [i for i in after.values() if i["id"] != latest["id"]]
    assert all(i["facilitator_ids"] == [s.co_facilitator.id] and i["sequence"] == 1 for i in others)
    # One event for the whole series: the facilitator added hears once, not once per session.
    assert await events_of(pool, "series.facilitators_changed") == [{
        "kind": "series.facilitators_changed", "series_id": series["id"], "group_id": s.group["id"],
        "added": [s.co_facilitator.id], "removed": [s.facilitator.id],
    }]
    await run_jobs(mail_settings, pool, redis)
    [told] = [m for m in smtp.messages if m["To"] == s.co_facilitator.email]
    assert "You are facilitating sessions of" in mail_text(told)
    # ... and the horizon carries the new facilitators on.
    with clock.shifted(timedelta(weeks=5)):
        assert await extend_session_horizons({"pool": pool}) >= 2
    assert (await s.sessions(limit=200))[-1]["facilitator_ids"] == [s.co_facilitator.id]


async def test_an_open_ended_weekly_series_is_kept_materialized_as_time_goes_by(
    client, api, pool, redis, smtp, mail_settings
):
    s = await setup(client, api)
    series = await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU")  # until further notice: no COUNT, no UNTIL
    assert "COUNT" not in series["description"] and 24 <= series["sessions_created"] <= 26
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    # Ten weeks on, the hourly job has rolled the horizon forward: 26 weeks ahead of that day.
    with clock.shifted(timedelta(weeks=10)):
        later = now()
        assert await extend_session_horizons({"pool": pool}) == 10
        assert await extend_session_horizons({"pool": pool}) == 0  # once
    starts = [datetime.fromisoformat(i["starts_at"]) for i in await s.sessions(limit=200)]
    assert len(starts) == series["sessions_created"] + 10
    assert later + timedelta(weeks=25) < starts[-1] < later + timedelta(weeks=26)
    local = [d.astimezone(ZoneInfo(NY)) for d in starts]
    assert {d.strftime("%a %H:%M") for d in local} == {"Tue 18:30"}  # the local time holds across DST
    assert all((b.date() - a.date()).days == 7 for a, b in zip(local, local[1:]))  # every week, none missed
    await run_jobs(mail_settings, pool, redis)
    assert smtp.messages == []  # the invite's RRULE already holds them: nobody is emailed


async def test_moving_a_session_to_a_time_already_past_is_refused_and_nobody_is_told(
    client, api, pool, redis, smtp, mail_settings
):
    s = await setup(client, api)
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=2")
    session = (await s.sessions())[0]
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    url = f"/api/v1/sessions/{session['id']}"
    for past in (now() - timedelta(hours=2), now() - timedelta(days=30)):
        problem = assert_problem(await client.patch(url, json={"starts_at": past.isoformat()},
                                                    headers=s.facilitator.headers), 409)
        assert problem["detail"] == "this time has already passed: a session can only be moved to a time still to come"
    unchanged = expect(await client.get(url, headers=s.admin.headers), 200)
    assert (unchanged["starts_at"], unchanged["sequence"]) == (session["starts_at"], 0)
    assert await events_of(pool, "session.rescheduled") == []
    await run_jobs(mail_settings, pool, redis)
    assert smtp.messages == []
    # A time still to come is fine.
    later = datetime.fromisoformat(session["starts_at"]) + timedelta(hours=1)
    assert expect(await client.patch(url, json={"starts_at": later.isoformat()}, headers=s.facilitator.headers),
                  200)["sequence"] == 1
