"""Staffing from the pages (issue 15, points 4 and 5): a coordinator assigns a facilitator
straight from the coverage-gap list; the schedule form chooses a series' facilitators and
may have no end, and the series' facilitators change later there; any facilitator of the
group takes attendance; a session is not moved to a time already past."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from tests.moments import NY, from_now, local_start
from tests.pages import Visitor, text_of
from tests.support import expect, run_jobs
from tests.support.world import past_session, setup


async def visitor(client, user) -> Visitor:
    browser = Visitor(client)
    await browser.login(user)
    return browser


async def name_of(client, user) -> str:
    return expect(await client.get("/api/v1/me", headers=user.headers), 200)["display_name"]


async def test_a_coordinator_assigns_a_facilitator_from_the_gap_list(client, api, pool):
    s = await setup(client, api)
    await s.series(local_start(0), "FREQ=DAILY;COUNT=3")  # no facilitators: three gaps in the next days
    first = (await s.sessions())[0]
    coordination = f"/orgs/{s.org['slug']}/coordination"
    coordinator = await visitor(client, s.coordinator)
    page = await coordinator.get(coordination)
    assert page.status_code == 200
    action = f'action="/orgs/{s.org["slug"]}/gaps/{first["id"]}"'
    assert action in page.text and page.text.count('name="user_id"') == 3
    for person in (s.facilitator, s.co_facilitator):  # the group's facilitators are offered, by name
        assert f'<option value="{person.id}">{await name_of(client, person)}</option>' in page.text

    # Someone who does not facilitate the group is refused in plain words; nothing changes.
    url = f"/orgs/{s.org['slug']}/gaps/{first['id']}"
    refused = await coordinator.post(url, {"user_id": s.participant.id}, form_page=coordination)
    assert refused.status_code == 422
    assert "Nobody was assigned. Choose one of the group&#39;s facilitators who is not on this session yet." in refused.text
    assert "application/json" not in refused.headers["content-type"]
    done = await coordinator.post(url, {"user_id": s.co_facilitator.id}, form_page=coordination)
    assert done.status_code == 303 and done.headers["location"] == f"{coordination}?done=assigned#gaps"
    after = await coordinator.get(done.headers["location"])
    assert "The facilitator was assigned" in text_of(after.text)
    assert action not in after.text and after.text.count('name="user_id"') == 2  # that gap is filled
    assert [i["facilitator_ids"] for i in await s.sessions()][0] == [s.co_facilitator.id]
    # Members who are not staff cannot assign (the same rule as the API).
    participant = await visitor(client, s.participant)
    second = (await s.sessions())[1]
    posted = await participant.post(f"/orgs/{s.org['slug']}/gaps/{second['id']}", {"user_id": s.facilitator.id},
                                    form_page=f"/sessions/{second['id']}")
    assert posted.status_code == 403
    assert (await s.sessions())[1]["facilitator_ids"] == []


async def test_the_schedule_form_chooses_facilitators_for_a_series_without_end_and_changes_them_later(
    client, api, pool
):
    s = await setup(client, api)
    farah = await visitor(client, s.facilitator)
    form = await farah.get(f"/groups/{s.group['id']}/schedule")
    for person in (s.facilitator, s.co_facilitator):  # the group's facilitators, none chosen until ticked
        assert f'name="facilitator_ids" value="{person.id}">' in form.text
    assert 'name="open_ended"' in form.text
    start = local_start(1)
    fields = {"start_date": start.date().isoformat(), "start_time": "18:30", "timezone": NY, "duration_minutes": "90",
              "freq": "weekly", "open_ended": "1", "facilitator_ids": [s.facilitator.id, s.co_facilitator.id]}
    both = await farah.get(f"/groups/{s.group['id']}/schedule", params={"preview": "1", **fields, "count": "4"})
    assert both.status_code == 422 and "Choose one: a number of sessions, a last date, or until further notice" in both.text
    preview = await farah.get(f"/groups/{s.group['id']}/schedule", params={"preview": "1", **fields})
    text = text_of(preview.text)
    assert "Every Tuesday at 18:30, until further notice, America/New_York" in text and "No end:" in text
    saved = await farah.post(f"/groups/{s.group['id']}/schedule", fields, form_page=str(preview.url))
    assert saved.status_code == 303
    rrule = await pool.fetchval("SELECT rrule FROM series WHERE group_id = $1::uuid", s.group["id"])
    assert rrule == "FREQ=WEEKLY;BYDAY=TU"
    sessions = await s.sessions(limit=200)
    assert len(sessions) >= 24 and all(i["facilitator_ids"] == sorted([s.facilitator.id, s.co_facilitator.id])
                                       for i in sessions)

    # Later, on the same page: the series, its facilitators, and a form to change them.
    series_id = sessions[0]["series_id"]
    page = await farah.get(f"/groups/{s.group['id']}/schedule")
    assert f'action="/groups/{s.group["id"]}/schedule/series/{series_id}/facilitators"' in page.text
    assert "Every Tuesday at 18:30, until further notice" in text_of(page.text)
    changed = await farah.post(f"/groups/{s.group['id']}/schedule/series/{series_id}/facilitators",
                               {"facilitator_ids": [s.co_facilitator.id]}, form_page=f"/groups/{s.group['id']}/schedule")
    assert changed.status_code == 303
    notice = text_of((await farah.get(changed.headers["location"])).text)
    assert f"{len(sessions)} sessions ahead changed" in notice
    assert all(i["facilitator_ids"] == [s.co_facilitator.id] for i in await s.sessions(limit=200))
    refused = await farah.post(f"/groups/{s.group['id']}/schedule/series/{series_id}/facilitators",
                               {"facilitator_ids": [s.participant.id]}, form_page=f"/groups/{s.group['id']}/schedule")
    assert refused.status_code == 422 and "no longer facilitates this group" in text_of(refused.text)
    assert s.participant.id not in refused.text.split('id="series"')[0]  # no ids in the words


async def test_any_facilitator_of_the_group_takes_attendance_and_nobody_moves_a_session_into_the_past(
    client, api, pool, redis, smtp, mail_settings
):
    s = await setup(client, api)
    session = await past_session(s)  # assigned to the facilitator, not the co-facilitator
    url = f"/sessions/{session['id']}"
    co = await visitor(client, s.co_facilitator)
    page = await co.get(url)
    assert f'name="status-{s.participant.id}"' in page.text
    saved = await co.post(f"{url}/attendance", {f"status-{s.participant.id}": "present"}, form_page=url)
    assert saved.status_code == 303 and saved.headers["location"] == f"{url}?attendance=1"
    recorded = await pool.fetchrow("SELECT status, recorded_by::text FROM attendance WHERE session_id = $1::uuid",
                                   session["id"])
    assert tuple(recorded) == ("present", s.co_facilitator.id)
    assert await pool.fetchval("SELECT actor_id::text FROM audit_log WHERE action = 'attendance.recorded'") == \
        s.co_facilitator.id
    participant = await visitor(client, s.participant)
    assert 'name="status-' not in (await participant.get(url)).text
    refused = await participant.post(f"{url}/attendance", {f"status-{s.participant.id}": "absent"}, form_page=url)
    assert refused.status_code == 403

    # Moving a session ahead to a time already past: refused in words, and nobody hears of it.
    upcoming = next(i for i in await s.sessions() if i["status"] == "scheduled" and i["id"] != session["id"]
                    and i["starts_at"] > session["starts_at"])
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    farah = await visitor(client, s.facilitator)
    yesterday = from_now(days=-1).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)  # the series' own zone
    moved = await farah.post(f"/sessions/{upcoming['id']}/move", {"starts_at": f"{yesterday:%Y-%m-%dT%H:%M}"},
                             form_page=f"/sessions/{upcoming['id']}")
    assert moved.status_code == 409 and moved.headers["content-type"].startswith("text/html")
    assert "this time has already passed" in text_of(moved.text)
    after = [i for i in await s.sessions() if i["id"] == upcoming["id"]][0]
    assert (after["starts_at"], after["sequence"]) == (upcoming["starts_at"], upcoming["sequence"])
    await run_jobs(mail_settings, pool, redis)
    assert smtp.messages == []
