"""Invites that real calendars accept: iMIP mail for signups and registrations."""

from __future__ import annotations

from datetime import timedelta, timezone

import icalendar
import pytest
from arq import Retry

from coord.notify.mailer import mailer_from_settings
from tests.moments import now, quiet_hours_around_now
from tests.support import expect, mail_text, run_jobs
from tests.support.calendars import calendar_parts, expand
from workers.booking_jobs import send_booking_message

UTC = timezone.utc


async def shift_setup(client, api, capacity: int = 1, hours_ahead: int = 72):
    admin = await api.user("admin")
    org = await api.org(admin, timezone="Europe/London")
    people = [await api.user("volunteer", timezone="America/New_York") for _ in range(2)]
    for person in people:
        await api.member(org, admin, person, "volunteer")
    start = (now() + timedelta(hours=hours_ahead)).replace(minute=0, second=0, microsecond=0)
    body = {"role": "Greeter", "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
            "capacity": capacity}
    shift = expect(await client.post(f"/api/v1/orgs/{org['id']}/shifts", json=body, headers=admin.headers), 201)
    return org, admin, people, shift, start


async def test_confirmed_signup_gets_an_imip_request_only_for_them(client, api, smtp, mail_settings, pool, redis):
    org, _admin, (ana, ben), shift, start = await shift_setup(client, api)
    smtp.messages.clear()  # welcome mails
    expect(await client.post(f"/api/v1/shifts/{shift['id']}/signups", headers=ana.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    [message] = [m for m in smtp.messages if "confirmed" in m["Subject"].lower()]
    assert message["To"] == ana.email
    assert message.get_content_type() == "multipart/mixed"
    inline, attachment = calendar_parts(message)
    assert inline.get_param("method") == "REQUEST" and inline.get_param("charset").upper() == "UTF-8"
    ics = inline.get_payload(decode=True)
    assert attachment.get_payload(decode=True) == ics
    cal = icalendar.Calendar.from_ical(ics)
    assert str(cal["METHOD"]) == "REQUEST"
    [vevent] = cal.walk("VEVENT")
    assert str(vevent["UID"]) == f"shift-{shift['id']}@coord"
    assert str(vevent["ORGANIZER"]) == f"mailto:{org['contact_email']}"
    assert str(vevent["ATTENDEE"]) == f"mailto:{ana.email}"  # one attendee: nobody else is named
    assert ben.email not in mail_text(message)
    assert f"mailto:{ana.email}" in mail_text(message)  # the decoded calendar parts are really searched
    assert "DTSTAMP" in vevent and vevent["DTSTART"].params["TZID"] == "Europe/London"
    # The time a real client reads is the time the database holds.
    [occurrence] = expand("recurring-ical-events+vtimezone", ics)
    assert occurrence["start"] == start.strftime("%Y-%m-%dT%H:%M:%SZ")
    # The text speaks the reader's own timezone.
    assert "America/New_York" in message.get_body(("plain",)).get_content()


async def test_moving_a_shift_sends_its_confirmed_people_the_invite_again(client, api, smtp, mail_settings, pool, redis):
    _org, admin, (ana, ben), shift, start = await shift_setup(client, api, capacity=1)
    url = f"/api/v1/shifts/{shift['id']}"
    expect(await client.post(f"{url}/signups", headers=ana.headers), 201)
    assert expect(await client.post(f"{url}/signups", headers=ben.headers), 201)["status"] == "waitlisted"
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    # A new description moves nothing in anyone's calendar: no message.
    expect(await client.patch(url, json={"description": "Bring a coat"}, headers=admin.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    assert [m["Subject"] for m in smtp.messages if m["To"] == ana.email] == []

    later = start + timedelta(hours=3)
    moved = expect(await client.patch(url, json={"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=2)).isoformat()},
                                      headers=admin.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    [message] = [m for m in smtp.messages if m["To"] == ana.email]
    assert message["Subject"].startswith("Greeter shift: moved from ")
    inline = calendar_parts(message)[0]
    assert inline.get_param("method") == "REQUEST"
    ics = inline.get_payload(decode=True)
    [vevent] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(vevent["UID"]) == f"shift-{shift['id']}@coord"
    assert int(vevent["SEQUENCE"]) == moved["sequence"] >= 1
    [occurrence] = expand("recurring-ical-events+vtimezone", ics)
    assert occurrence["start"] == later.strftime("%Y-%m-%dT%H:%M:%SZ")
    # Ben holds no place (waitlisted): his calendar has no invite to update.
    assert [m for m in smtp.messages if m["To"] == ben.email] == []


async def test_waitlist_notice_then_promotion_invite_and_cancel(client, api, smtp, mail_settings, pool, redis):
    _org, _admin, (ana, ben), shift, _start = await shift_setup(client, api, capacity=1)
    url = f"/api/v1/shifts/{shift['id']}/signups"
    expect(await client.post(url, headers=ana.headers), 201)
    assert expect(await client.post(url, headers=ben.headers), 201)["status"] == "waitlisted"
    await run_jobs(mail_settings, pool, redis)
    [notice] = [m for m in smtp.messages if m["To"] == ben.email and "waitlist" in m["Subject"]]
    assert calendar_parts(notice) == (None, None)
    assert "number 1 on the waitlist" in notice.get_body(("plain",)).get_content()
    smtp.messages.clear()
    assert (await client.delete(f"{url}/me", headers=ana.headers)).status_code == 204
    await run_jobs(mail_settings, pool, redis)
    assert sorted(m["To"] for m in smtp.messages) == sorted([ana.email, ben.email])  # one message each, no more
    by_recipient = {m["To"]: m for m in smtp.messages}
    cancel_inline, _ = calendar_parts(by_recipient[ana.email])
    assert cancel_inline.get_param("method") == "CANCEL"
    assert b"STATUS:CANCELLED" in cancel_inline.get_payload(decode=True)
    promoted = by_recipient[ben.email]
    assert promoted["Subject"].startswith("A place opened up")
    assert calendar_parts(promoted)[0].get_param("method") == "REQUEST"


async def test_waitlisted_person_hears_their_position_without_an_invite(client, api, smtp, mail_settings, pool, redis):
    _org, _admin, (ana, ben), shift, _start = await shift_setup(client, api, capacity=1)
    url = f"/api/v1/shifts/{shift['id']}/signups"
    expect(await client.post(url, headers=ana.headers), 201)
    expect(await client.post(url, headers=ben.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    [notice] = [m for m in smtp.messages if m["To"] == ben.email and "waitlist" in m["Subject"]]
    assert calendar_parts(notice) == (None, None)
    assert "number 1 on the waitlist" in notice.get_body(("plain",)).get_content()


async def test_event_registration_invite_carries_the_venue_to_confirmed_people(client, api, smtp, mail_settings, pool, redis):
    admin, guest = await api.user(), await api.user()
    org = await api.org(admin, timezone="Europe/Berlin")
    await api.member(org, admin, guest, "participant")
    venue = expect(await client.post(f"/api/v1/orgs/{org['id']}/venues",
                                     json={"name": "Hall", "kind": "in_person", "address": "1 Main St"},
                                     headers=admin.headers), 201)
    start = (now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    body = {"title": "MHFA training", "kind": "training", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(), "timezone": "Europe/Berlin", "capacity": 10,
            "venue_id": venue["id"], "visibility": "public"}
    event = expect(await client.post(f"/api/v1/orgs/{org['id']}/events", json=body, headers=admin.headers), 201)
    expect(await client.post(f"/api/v1/events/{event['id']}/registrations", headers=guest.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    [invite] = [m for m in smtp.messages if m["To"] == guest.email and "confirmed" in m["Subject"].lower()]
    ics = calendar_parts(invite)[0].get_payload(decode=True)
    [vevent] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event['id']}@coord" and "1 Main St" in str(vevent["LOCATION"])
    [occurrence] = expand("recurring-ical-events+vtimezone", ics)
    assert occurrence["start"] == start.strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_moving_an_event_to_another_place_updates_registrants_calendars(client, api, smtp, mail_settings, pool, redis):
    admin, guest, waiting = await api.user(), await api.user(), await api.user()
    org = await api.org(admin, timezone="Europe/Berlin")
    for person in (guest, waiting):
        await api.member(org, admin, person, "participant")
    hall = await api.venue(org, admin, "Hall", address="1 Main St")
    online = await api.venue(org, admin, "Video", kind="virtual", meeting_url="https://meet.example.org/walk")
    start = (now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    body = {"title": "Wellbeing walk", "kind": "social", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(), "timezone": "Europe/Berlin", "capacity": 1,
            "venue_id": hall["id"], "visibility": "private"}
    event = expect(await client.post(f"/api/v1/orgs/{org['id']}/events", json=body, headers=admin.headers), 201)
    for person in (guest, waiting):
        expect(await client.post(f"/api/v1/events/{event['id']}/registrations", headers=person.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    moved = expect(await client.patch(f"/api/v1/events/{event['id']}", json={"venue_id": online["id"]},
                                      headers=admin.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    [update] = [m for m in smtp.messages if m["To"] == guest.email]
    assert update["Subject"].startswith("Wellbeing walk: a new place on ")
    # From where to where, in words too.
    text = update.get_body(("plain",)).get_content()
    assert "at Hall, 1 Main St." in text and "at https://meet.example.org/walk." in text
    [vevent] = icalendar.Calendar.from_ical(calendar_parts(update)[0].get_payload(decode=True)).walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event['id']}@coord" and int(vevent["SEQUENCE"]) == moved["sequence"] == 1
    assert str(vevent["LOCATION"]) == "https://meet.example.org/walk"
    assert [m for m in smtp.messages if m["To"] == waiting.email] == []  # no place, no invite to update


async def test_cancelled_by_the_organization_waits_for_morning_and_spares_the_waitlist_a_calendar(
    client, api, smtp, mail_settings, pool, redis
):
    org, admin, (ana, ben), shift, _start = await shift_setup(client, api, capacity=1)  # three days ahead
    url = f"/api/v1/shifts/{shift['id']}"
    expect(await client.post(f"{url}/signups", headers=ana.headers), 201)
    expect(await client.post(f"{url}/signups", headers=ben.headers), 201)  # waitlisted
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    quiet = quiet_hours_around_now()  # now is surely inside
    await pool.execute("UPDATE users SET timezone = 'UTC' WHERE id = $1::uuid", ana.id)
    expect(await client.put("/api/v1/me/notifications", json=quiet, headers=ana.headers), 200)
    expect(await client.post(f"{url}/cancel", headers=admin.headers), 200)

    rows = await pool.fetch("SELECT event_id, payload FROM outbox WHERE kind = 'booking.cancelled'")
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings)}
    by_user = {r["payload"]["user_id"]: r for r in rows}
    # The organization's doing, three days ahead: Ana hears in her morning, not in the night.
    with pytest.raises(Retry) as deferred:
        await send_booking_message(ctx, str(by_user[ana.id]["event_id"]), by_user[ana.id]["payload"])
    assert deferred.value.defer_score > 23 * 3600 * 1000  # to the end of her quiet hours (~23 h 58 min away)
    owed = await pool.fetchval("SELECT status FROM deliveries WHERE key LIKE $1",
                               f"{by_user[ana.id]['event_id']}:{ana.id}:%")
    assert owed == "pending"  # still owed, not dropped
    # Ben was only waiting: told plainly, with no calendar CANCEL for an invite he never had.
    assert await send_booking_message(ctx, str(by_user[ben.id]["event_id"]), by_user[ben.id]["payload"]) == "sent"
    [notice] = [m for m in smtp.messages if m["To"] == ben.email]
    assert notice["Subject"].startswith("Cancelled:") and "waitlist is closed" in notice.get_body(("plain",)).get_content()
    assert not any(part.get_content_type() == "text/calendar" for part in notice.walk())


async def test_leaving_the_waitlist_is_confirmed_without_a_calendar(client, api, smtp, mail_settings, pool, redis):
    _org, _admin, (ana, ben), shift, _start = await shift_setup(client, api, capacity=1)
    url = f"/api/v1/shifts/{shift['id']}/signups"
    expect(await client.post(url, headers=ana.headers), 201)
    expect(await client.post(url, headers=ben.headers), 201)
    assert (await client.delete(f"{url}/me", headers=ben.headers)).status_code == 204
    await run_jobs(mail_settings, pool, redis)
    [left] = [m for m in smtp.messages if m["To"] == ben.email and "left the waitlist" in m["Subject"]]
    assert not any(part.get_content_type() == "text/calendar" for part in left.walk())


async def test_a_kind_turned_off_is_skipped(client, api, smtp, mail_settings, pool, redis):
    _org, _admin, (ana, _ben), shift, _start = await shift_setup(client, api)
    off = {"disabled_kinds": ["invite"], "quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
    expect(await client.put("/api/v1/me/notifications", json=off, headers=ana.headers), 200)
    smtp.messages.clear()
    expect(await client.post(f"/api/v1/shifts/{shift['id']}/signups", headers=ana.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    assert [m["Subject"] for m in smtp.messages if m["To"] == ana.email] == ["Welcome to " + _org["name"]]
    assert await pool.fetchval("SELECT status FROM deliveries WHERE kind = 'invite'") == "skipped"


async def promote_in_quiet_hours(client, api, pool, mail_settings, hours_ahead: int):
    """Ben, waitlisted, is promoted while his quiet hours cover every minute of the day but
    one (now is surely inside); returns Ben and the promotion job, run in this process."""
    _org, _admin, (ana, ben), shift, _start = await shift_setup(client, api, capacity=1, hours_ahead=hours_ahead)
    quiet = quiet_hours_around_now()  # now is surely inside
    await pool.execute("UPDATE users SET timezone = 'UTC' WHERE id = $1::uuid", ben.id)
    expect(await client.put("/api/v1/me/notifications", json=quiet, headers=ben.headers), 200)
    url = f"/api/v1/shifts/{shift['id']}/signups"
    expect(await client.post(url, headers=ana.headers), 201)
    expect(await client.post(url, headers=ben.headers), 201)
    assert (await client.delete(f"{url}/me", headers=ana.headers)).status_code == 204
    row = await pool.fetchrow("SELECT event_id, payload FROM outbox WHERE kind = 'booking.placed' AND payload->>'promoted' = 'true'")
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings)}
    return ben, send_booking_message(ctx, str(row["event_id"]), row["payload"])


async def test_promotion_waits_out_the_recipients_quiet_hours(client, api, smtp, mail_settings, pool, redis):
    ben, promotion = await promote_in_quiet_hours(client, api, pool, mail_settings, hours_ahead=72)
    with pytest.raises(Retry) as deferred:
        await promotion
    assert deferred.value.defer_score > 60 * 60 * 1000  # ms: it waits for the end of the quiet hours
    assert await pool.fetchval("SELECT status FROM deliveries WHERE kind = 'promotion'") == "pending"
    assert [m for m in smtp.messages if m["To"] == ben.email and "opened up" in m["Subject"]] == []


async def test_promotion_for_a_shift_starting_soon_ignores_quiet_hours(client, api, smtp, mail_settings, pool, redis):
    ben, promotion = await promote_in_quiet_hours(client, api, pool, mail_settings, hours_ahead=6)
    # Morning would be too late for a shift six hours away: it goes now, not deferred.
    assert await promotion == "sent"
    assert [m for m in smtp.messages if m["To"] == ben.email and "opened up" in m["Subject"]] != []
