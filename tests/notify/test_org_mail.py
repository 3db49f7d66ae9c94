"""Mail comes from the organization and says the right thing (issue 15, point 8): its name and
contact on every message, subjects that name the group and what happened, change emails that say
from when and where to when and where, shift invites with their place and description, and
invites that ask calendars for no replies."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar

from coord.notify.mailer import mailer_from_settings
from coord.notify.messages import day_and_time, day_of, when
from tests.moments import local_start
from tests.support import expect, mail_text, run_jobs
from tests.support.calendars import calendar_parts
from tests.support.world import make_event, make_shift, setup
from workers.schedule_jobs import send_reminder

NANDU = "Centre d'Entraide Ñandú"


def mail_for(smtp, user) -> list:
    return [m for m in smtp.messages if m["To"] == user.email]


async def timezone_of(pool, user) -> str:
    return await pool.fetchval("SELECT timezone FROM users WHERE id = $1::uuid", user.id)


async def test_an_invite_and_a_reminder_come_from_the_organization_by_name(client, api, smtp, mail_settings, pool, redis):
    admin, volunteer = await api.user("admin"), await api.user("vol")
    body = {"name": NANDU, "slug": "nandu", "timezone": "Europe/Paris", "contact_email": "bonjour@nandu.example.org"}
    org = expect(await client.post("/api/v1/orgs", json=body, headers=admin.headers), 201)
    await api.member(org, admin, volunteer, "volunteer")
    shift = await make_shift(client, org, admin)
    expect(await client.post(f"/api/v1/shifts/{shift['id']}/signups", headers=volunteer.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    [invite] = [m for m in mail_for(smtp, volunteer) if m["Subject"].startswith("You're confirmed")]
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings)}
    assert await send_reminder(ctx, "shift", shift["id"], shift["sequence"], shift["starts_at"]) == {"sent": 1}
    [reminder] = [m for m in mail_for(smtp, volunteer) if "reminder" in m["Subject"]]
    assert reminder["Subject"] == f"Greeter shift: a reminder for " + day_and_time(
        datetime.fromisoformat(shift["starts_at"]), await timezone_of(pool, volunteer))

    for message in (invite, reminder):
        [sender] = message["From"].addresses
        assert (sender.display_name, sender.addr_spec) == (NANDU, mail_settings.mail_from)  # the address stays coord's
        [reply_to] = message["Reply-To"].addresses
        assert reply_to.addr_spec == "bonjour@nandu.example.org"
        # On the wire the name is RFC 2047 encoded: the header itself stays ASCII.
        raw_from = next(line for line in message.as_bytes().split(b"\n") if line.startswith(b"From:"))
        assert raw_from.isascii() and b"=?utf-8?" in raw_from

    # Account mail of no organization is from coord.
    expect(await client.post("/api/v1/auth/password-reset", json={"email": volunteer.email}), 202)
    await run_jobs(mail_settings, pool, redis)
    [reset] = [m for m in mail_for(smtp, volunteer) if "password" in m["Subject"]]
    assert reset["From"].addresses[0].display_name == "coord" and reset["Reply-To"] is None


async def test_subjects_name_the_group_and_a_neutral_word_in_discreet_mode(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api)
    discreet = {"discreet": True, "quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
    expect(await client.put("/api/v1/me/notifications", json=discreet, headers=s.bystander.headers), 200)
    await run_jobs(mail_settings, pool, redis)  # the set-up's welcomes
    smtp.messages.clear()
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=3")
    await run_jobs(mail_settings, pool, redis)
    expect(await client.post(f"{s.base}/join", headers=s.bystander.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    name = s.group["name"]
    assert [m["Subject"] for m in mail_for(smtp, s.participant)] == [f"{name}: new sessions in the schedule"]
    [welcome] = [m for m in mail_for(smtp, s.bystander) if "schedule" in m["Subject"]]
    assert welcome["Subject"] == "Your group: welcome, here is the schedule"
    assert name not in mail_text(welcome) and "your group" in mail_text(welcome)


async def test_a_moved_session_says_from_when_and_where_to_when_and_where(client, api, smtp, mail_settings, pool, redis):
    s = await setup(client, api)
    hall = await api.venue(s.org, s.admin, "Hall", address="1 Main St")
    annex = await api.venue(s.org, s.admin, "Annex", address="9 Side St")
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=4", venue_id=hall["id"])
    target = (await s.sessions())[1]
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    old_start, old_end = datetime.fromisoformat(target["starts_at"]), datetime.fromisoformat(target["ends_at"])
    new_start, new_end = old_start + timedelta(days=2, hours=1), old_end + timedelta(days=2, hours=1)
    body = {"starts_at": new_start.isoformat(), "ends_at": new_end.isoformat(), "venue_id": annex["id"]}
    expect(await client.patch(f"/api/v1/sessions/{target['id']}", json=body, headers=s.facilitator.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    [moved] = mail_for(smtp, s.participant)
    tz = await timezone_of(pool, s.participant)
    assert moved["Subject"] == (f"{s.group['name']}: the session on {day_of(old_start, tz)} moved to "
                                f"{day_and_time(new_start, tz)}")
    text = moved.get_body(("plain",)).get_content()
    assert (f"It was on {when(old_start, old_end, tz)}, at Hall, 1 Main St. "
            f"It is now on {when(new_start, new_end, tz)}, at Annex, 9 Side St.") in text
    assert calendar_parts(moved)[0].get_param("method") == "REQUEST"  # and calendars update from it


async def test_a_shift_invite_carries_its_place_and_description_and_asks_for_no_reply(
    client, api, smtp, mail_settings, pool, redis
):
    s = await setup(client, api)
    hall = await api.venue(s.org, s.admin, "Hall", address="1 Main St")
    fair = await make_event(client, s.org, s.admin, venue_id=hall["id"])
    shift = await make_shift(client, s.org, s.admin, event_id=fair["id"], location="Front desk",
                             description="Welcome people and hand out the programme.")
    roles = {"email": s.bystander.email, "roles": ["volunteer"]}
    expect(await client.post(f"/api/v1/orgs/{s.org['id']}/members", json=roles, headers=s.admin.headers), 200)
    expect(await client.post(f"/api/v1/shifts/{shift['id']}/signups", headers=s.bystander.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    [invite] = [m for m in mail_for(smtp, s.bystander) if m["Subject"].startswith("You're confirmed")]
    [vevent] = icalendar.Calendar.from_ical(calendar_parts(invite)[0].get_payload(decode=True)).walk("VEVENT")
    assert str(vevent["LOCATION"]) == "Front desk, Hall, 1 Main St"
    assert str(vevent["DESCRIPTION"]) == "Welcome people and hand out the programme."
    text = invite.get_body(("plain",)).get_content()
    assert "Where: Front desk, Hall, 1 Main St" in text and "hand out the programme" in text
    # Confirmed already, and coord reads no replies: calendars are asked for none.
    attendee = vevent["ATTENDEE"]
    assert (attendee.params["PARTSTAT"], attendee.params["RSVP"]) == ("ACCEPTED", "FALSE")
    assert str(attendee) == f"mailto:{s.bystander.email}"

    # A new time: the update says from when to when.
    start, end = datetime.fromisoformat(shift["starts_at"]), datetime.fromisoformat(shift["ends_at"])
    later = {"starts_at": (start + timedelta(hours=2)).isoformat(), "ends_at": (end + timedelta(hours=2)).isoformat()}
    smtp.messages.clear()
    expect(await client.patch(f"/api/v1/shifts/{shift['id']}", json=later, headers=s.admin.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    [update] = mail_for(smtp, s.bystander)
    tz = await timezone_of(pool, s.bystander)
    assert update["Subject"] == (f"Greeter shift: moved from {day_and_time(start, tz)} to "
                                 f"{day_and_time(start + timedelta(hours=2), tz)}")
    assert (f"It was on {when(start, end, tz)}, at Front desk, Hall, 1 Main St. It is now on "
            f"{when(start + timedelta(hours=2), end + timedelta(hours=2), tz)}") in update.get_body(("plain",)).get_content()
