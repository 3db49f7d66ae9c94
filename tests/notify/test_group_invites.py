"""A group's schedule as one invite that real calendars expand to what the database holds."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from coord.kernel import clock
from tests.moments import NY, before_a_dst_change, local_start, now
from tests.support import expect, run_jobs
from tests.support.calendars import calendar_parts, expand
from tests.support.world import setup

UTC = timezone.utc
PARSERS = ["ical.js", "libical", "recurring-ical-events+vtimezone"]


def iso(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def only(smtp, user, what: str):
    """The one message to `user` whose subject says `what` (after the group's name)."""
    found = [m for m in smtp.messages if m["To"] == user.email and what in m["Subject"]]
    assert len(found) == 1, [(m["To"], m["Subject"]) for m in smtp.messages]
    return found[0]


@pytest.mark.parametrize("parser", PARSERS)
async def test_joining_sends_the_schedule_that_clients_expand_like_the_database(
    client, api, smtp, mail_settings, pool, redis, parser
):
    # Weekly across New York's next DST change (whichever it is), 18:30 local. That change may be
    # further ahead than the 26 weeks sessions are made for: then the whole test runs on coord's
    # clock moved on to two days before the first session (tokens and all are issued on it).
    start = before_a_dst_change()
    ahead = start.replace(tzinfo=ZoneInfo(NY)) - now() - timedelta(days=2)
    with clock.shifted(max(ahead, timedelta(0))):
        s = await setup(client, api)
        await s.series(start, "FREQ=WEEKLY;BYDAY=TU;COUNT=10")
        sessions = await s.sessions(limit=200)
        assert len(sessions) == 10
        assert len({datetime.fromisoformat(x["starts_at"]).astimezone(UTC).hour for x in sessions}) == 2  # crosses it
        cancelled, moved = sessions[2], sessions[4]
        expect(await client.post(f"/api/v1/sessions/{cancelled['id']}/cancel", headers=s.facilitator.headers), 200)
        new_start = datetime.fromisoformat(moved["starts_at"]) + timedelta(hours=2)
        expect(await client.patch(f"/api/v1/sessions/{moved['id']}", json={"starts_at": new_start.isoformat()},
                                  headers=s.facilitator.headers), 200)
        await run_jobs(mail_settings, pool, redis)
        smtp.messages.clear()

        expect(await client.post(f"{s.base}/join", headers=s.bystander.headers), 201)
        await run_jobs(mail_settings, pool, redis)
        invite = only(smtp, s.bystander, "welcome, here is the schedule")
        inline, attachment = calendar_parts(invite)
        assert inline.get_param("method") == "REQUEST"
        ics = inline.get_payload(decode=True)
        vevents = icalendar.Calendar.from_ical(ics).walk("VEVENT")
        assert len(vevents) == 2 and "RRULE" in vevents[0] and "EXDATE" in vevents[0]  # master + one override
        assert all(str(v["ATTENDEE"]) == f"mailto:{s.bystander.email}" for v in vevents)

        truth = sorted(
            iso(x["starts_at"]) for x in await s.sessions(limit=200) if x["status"] == "scheduled"
        )
        assert sorted(o["start"] for o in expand(parser, ics)) == truth


async def test_moving_and_cancelling_one_occurrence_reach_every_member(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api)
    members = {s.participant.email, s.facilitator.email, s.co_facilitator.email}
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=6")
    await run_jobs(mail_settings, pool, redis)
    first_invite = only(smtp, s.participant, "new sessions in the schedule")
    assert calendar_parts(first_invite)[0].get_param("method") == "REQUEST"
    sessions = await s.sessions()
    smtp.messages.clear()

    target = sessions[1]
    new_start = datetime.fromisoformat(target["starts_at"]) + timedelta(hours=1)
    moved = expect(await client.patch(f"/api/v1/sessions/{target['id']}", json={"starts_at": new_start.isoformat()},
                                      headers=s.facilitator.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    assert {m["To"] for m in smtp.messages if " moved to " in m["Subject"]} == members
    assert {m["To"] for m in smtp.messages} <= members
    change = only(smtp, s.participant, " moved to ")
    ics = calendar_parts(change)[0].get_payload(decode=True)
    override = [v for v in icalendar.Calendar.from_ical(ics).walk("VEVENT") if "RECURRENCE-ID" in v]
    assert len(override) == 1 and int(override[0]["SEQUENCE"]) == moved["sequence"] >= 1
    assert override[0]["RECURRENCE-ID"].dt.astimezone(UTC) == datetime.fromisoformat(target["starts_at"])
    smtp.messages.clear()

    gone = sessions[3]
    expect(await client.post(f"/api/v1/sessions/{gone['id']}/cancel", headers=s.facilitator.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    cancel = only(smtp, s.participant, "is cancelled")
    inline = calendar_parts(cancel)[0]
    assert inline.get_param("method") == "CANCEL"
    [vevent] = icalendar.Calendar.from_ical(inline.get_payload(decode=True)).walk("VEVENT")
    assert vevent["RECURRENCE-ID"].dt.astimezone(UTC) == datetime.fromisoformat(gone["starts_at"])
    assert str(vevent["STATUS"]) == "CANCELLED"
    # The facilitators heard too; nobody outside the group did.
    assert {m["To"] for m in smtp.messages if m["Subject"].endswith("is cancelled")} == members
    assert {m["To"] for m in smtp.messages} <= members


async def test_nothing_is_sent_about_sessions_already_over(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api)
    await run_jobs(mail_settings, pool, redis)  # the set-up's own welcomes
    smtp.messages.clear()
    owed = "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sent')"
    before = await pool.fetchval(owed)
    start = (now() - timedelta(days=30)).replace(second=0, microsecond=0, tzinfo=None)
    series = await s.series(start, "FREQ=DAILY;COUNT=5", timezone="UTC")
    assert series["sessions_created"] == 5
    assert await run_jobs(mail_settings, pool, redis) >= 1  # the series' job did run ...
    assert [(m["To"], m["Subject"]) for m in smtp.messages] == []  # ... and told nobody anything
    assert await pool.fetchval(owed) == before  # nor left anything to send later


async def test_a_series_ended_before_its_first_session_is_cancelled_whole(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api)
    series = await s.series(local_start(2), "FREQ=WEEKLY;BYDAY=TU;COUNT=4")
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    expect(await client.post(f"/api/v1/series/{series['id']}/end", headers=s.facilitator.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    cancel = only(smtp, s.participant, "the sessions have ended")
    inline = calendar_parts(cancel)[0]
    assert inline.get_param("method") == "CANCEL"
    [vevent] = icalendar.Calendar.from_ical(inline.get_payload(decode=True)).walk("VEVENT")
    assert str(vevent["UID"]) == f"series-{series['id']}@coord" and "RECURRENCE-ID" not in vevent


async def test_moving_one_occurrence_to_another_place_updates_it_in_the_calendar(
    client, api, smtp, mail_settings, pool, redis
):
    s = await setup(client, api)
    hall = await api.venue(s.org, s.admin, "Hall", address="1 Main St")
    annex = await api.venue(s.org, s.admin, "Annex", address="9 Side St")
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=6", venue_id=hall["id"])
    await run_jobs(mail_settings, pool, redis)
    target = (await s.sessions())[2]
    smtp.messages.clear()

    # Same time, another room: the attendee's calendar must show the new place for that day only.
    moved = expect(await client.patch(f"/api/v1/sessions/{target['id']}", json={"venue_id": annex["id"]},
                                      headers=s.facilitator.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    ics = calendar_parts(only(smtp, s.participant, "is in a new place"))[0].get_payload(decode=True)
    master, *overrides = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert "1 Main St" in str(master["LOCATION"])
    [override] = overrides
    assert override["RECURRENCE-ID"].dt.astimezone(UTC) == datetime.fromisoformat(target["starts_at"])
    assert override["DTSTART"].dt.astimezone(UTC) == datetime.fromisoformat(target["starts_at"])
    assert "9 Side St" in str(override["LOCATION"])
    assert int(override["SEQUENCE"]) == moved["sequence"] >= 1


async def test_editing_a_venue_updates_every_calendar_that_shows_it(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api)
    hall = await api.venue(s.org, s.admin, "Hall", address="1 Main St")
    series = await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=4", venue_id=hall["id"])
    soon = now().replace(microsecond=0) + timedelta(days=5)
    event = expect(await client.post(f"/api/v1/orgs/{s.org['id']}/events", json={
        "title": "Open evening", "kind": "social", "starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=2)).isoformat(),
        "timezone": "UTC", "visibility": "private", "venue_id": hall["id"]}, headers=s.admin.headers), 201)
    expect(await client.post(f"/api/v1/events/{event['id']}/registrations", headers=s.bystander.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    url = f"/api/v1/orgs/{s.org['id']}/venues/{hall['id']}"
    # Step-free access is no calendar's business: nobody hears of it.
    expect(await client.patch(url, json={"accessibility": "Step-free"}, headers=s.admin.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    assert smtp.messages == []

    expect(await client.patch(url, json={"address": "12 New Road"}, headers=s.admin.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    ics = calendar_parts(only(smtp, s.participant, "the schedule has changed"))[0].get_payload(decode=True)
    [master] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(master["UID"]) == f"series-{series['id']}@coord" and int(master["SEQUENCE"]) == 1
    assert "12 New Road" in str(master["LOCATION"])
    ics = calendar_parts(only(smtp, s.bystander, "Updated: Open evening"))[0].get_payload(decode=True)
    [vevent] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event['id']}@coord" and int(vevent["SEQUENCE"]) == 1
    assert "12 New Road" in str(vevent["LOCATION"])


async def test_leaving_a_group_takes_its_schedule_off_your_calendar(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api)
    series = await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=4")
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    # The participant leaves; the bystander joins and leaves again before any job runs.
    expect(await client.post(f"{s.base}/join", headers=s.bystander.headers), 201)
    leave = f"{s.base}/members/{{}}"
    assert (await client.delete(leave.format(s.participant.id), headers=s.participant.headers)).status_code == 204
    assert (await client.delete(leave.format(s.bystander.id), headers=s.bystander.headers)).status_code == 204
    await run_jobs(mail_settings, pool, redis)
    cancel = only(smtp, s.participant, "its sessions are off your calendar")
    inline = calendar_parts(cancel)[0]
    assert inline.get_param("method") == "CANCEL"
    [master] = icalendar.Calendar.from_ical(inline.get_payload(decode=True)).walk("VEVENT")
    assert str(master["UID"]) == f"series-{series['id']}@coord" and "RECURRENCE-ID" not in master
    assert str(master["STATUS"]) == "CANCELLED" and str(master["ATTENDEE"]) == f"mailto:{s.participant.email}"
    # Gone before the invite went out: no schedule, only the (harmless) CANCEL.
    assert [m["Subject"] for m in smtp.messages if m["To"] == s.bystander.email] == [
        f"{s.group['name']}: its sessions are off your calendar",
    ]
    assert not any(m["To"] == s.facilitator.email for m in smtp.messages)  # the others keep theirs
    smtp.messages.clear()

    # Back before the job ran: the schedule stays on their calendar.
    expect(await client.post(f"{s.base}/join", headers=s.participant.headers), 201)
    assert (await client.delete(leave.format(s.participant.id), headers=s.participant.headers)).status_code == 204
    expect(await client.post(f"{s.base}/join", headers=s.participant.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    subjects = [m["Subject"] for m in smtp.messages if m["To"] == s.participant.email]
    assert f"{s.group['name']}: welcome, here is the schedule" in subjects
    assert f"{s.group['name']}: its sessions are off your calendar" not in subjects


async def test_an_occurrence_moved_back_or_moved_from_the_past_still_reaches_calendars(
    client, api, smtp, mail_settings, pool, redis
):
    s = await setup(client, api)
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=4")
    await run_jobs(mail_settings, pool, redis)
    target = (await s.sessions())[1]
    url = f"/api/v1/sessions/{target['id']}"
    start = datetime.fromisoformat(target["starts_at"])
    expect(await client.patch(url, json={"starts_at": (start + timedelta(hours=1)).isoformat()},
                              headers=s.facilitator.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    # Back to its own slot: the invite still carries it, with a SEQUENCE above the one before.
    back = expect(await client.patch(url, json={"starts_at": start.isoformat()}, headers=s.facilitator.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    ics = calendar_parts(only(smtp, s.participant, " moved to "))[0].get_payload(decode=True)
    [override] = [v for v in icalendar.Calendar.from_ical(ics).walk("VEVENT") if "RECURRENCE-ID" in v]
    assert override["DTSTART"].dt.astimezone(UTC) == start and int(override["SEQUENCE"]) == back["sequence"] == 2
    smtp.messages.clear()

    # Its original time has passed (as if a week went by): a cancel of its new time still goes out.
    await pool.execute("UPDATE sessions SET recurrence_id = recurrence_id - interval '14 days' WHERE id = $1",
                       target["id"])
    expect(await client.post(f"{url}/cancel", headers=s.facilitator.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    cancel = calendar_parts(only(smtp, s.participant, "is cancelled"))[0]
    [vevent] = icalendar.Calendar.from_ical(cancel.get_payload(decode=True)).walk("VEVENT")
    assert int(vevent["SEQUENCE"]) == 3


@pytest.mark.parametrize("split_at", [0, 2])
async def test_this_and_following_is_two_messages_not_one_per_week(
    client, api, smtp, mail_settings, pool, redis, split_at
):
    s = await setup(client, api)
    original = await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=8")
    if split_at == 0:
        # The old series keeps only a session already over (its first, moved into the past
        # here) and nothing ahead: its shortened rule must still reach calendars.
        first = (await s.sessions(limit=200))[0]
        await pool.execute("UPDATE sessions SET starts_at = starts_at - interval '60 days', "
                           "ends_at = ends_at - interval '60 days' WHERE id = $1::uuid", first["id"])
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    sessions = [x for x in await s.sessions(limit=200) if datetime.fromisoformat(x["starts_at"]) > now()]
    target = sessions[split_at]
    expect(await client.post(f"/api/v1/sessions/{target['id']}/this-and-following", json={"duration_minutes": 60},
                             headers=s.facilitator.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    subjects = sorted(m["Subject"] for m in smtp.messages if m["To"] == s.participant.email)
    name = s.group["name"]
    assert subjects == [f"{name}: new sessions in the schedule", f"{name}: the schedule has changed"]
    old_invite = only(smtp, s.participant, "the schedule has changed")
    [master, *_] = icalendar.Calendar.from_ical(calendar_parts(old_invite)[0].get_payload(decode=True)).walk("VEVENT")
    assert str(master["UID"]) == f"series-{original['id']}@coord" and "UNTIL=" in master["RRULE"].to_ical().decode()
