"""Each message in its reader's language (issue 16.3, 16.11), through a real SMTP server: a
Spanish-speaking participant's invite, the update after an English-speaking facilitator
moves a session, a reminder and a follow-up; an Arabic-speaking volunteer's shift
confirmation and reminder; discreet mode in Spanish. Dates are CLDR's for the reader's
language and zone (computed here with Babel directly), and the .ics files, whose fixed
words are translated, still parse to the same instants in ical.js, libical and
recurring-ical-events as an English reader's."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import icalendar
import pytest
from babel.dates import format_date, format_skeleton, format_time

from coord import i18n
from coord.kernel import clock
from coord.notify.mailer import mailer_from_settings
from tests.moments import local_start, now
from tests.support import expect, mail_html, mail_text, run_jobs
from tests.support.calendars import calendar_parts, expand
from tests.support.world import make_shift, past_session, setup
from workers.schedule_jobs import send_reminder

PARSERS = ["ical.js", "libical", "recurring-ical-events+vtimezone"]


@pytest.fixture
def every_language(monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})


async def speaks(client, user, code: str, timezone: str | None = None) -> None:
    body = {"locale": code} | ({"timezone": timezone} if timezone else {})
    expect(await client.patch("/api/v1/me", json=body, headers=user.headers), 200)


def mail_for(smtp, user) -> list:
    return [m for m in smtp.messages if m["To"] == user.email]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def ics_of(message) -> bytes:
    inline, attachment = calendar_parts(message)
    assert attachment.get_payload(decode=True) == inline.get_payload(decode=True)
    return inline.get_payload(decode=True)


def local(moment: datetime | str, tz: str) -> datetime:
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return moment.astimezone(ZoneInfo(tz))


def day(moment, tz: str, code: str) -> str:
    """A subject's day in CLDR's words ("mar, 16 de marzo")."""
    return format_skeleton("MMMMEd", local(moment, tz), locale=code)


COMMA = {"es": ", ", "ar": "، "}  # between a day and its time, as each language writes it


def day_and_time(moment, tz: str, code: str) -> str:
    return f"{day(moment, tz, code)}{COMMA[code]}{format_time(local(moment, tz), 'HH:mm', locale=code)}"


def span(start, end, tz: str, code: str) -> str:
    """A body's whole date and times ("martes, 16 de marzo de 2027, 18:30–20:00 (America/Chicago)")."""
    return (f"{format_date(local(start, tz).date(), 'full', locale=code)}{COMMA[code]}"
            f"{local(start, tz):%H:%M}–{local(end, tz):%H:%M} ({tz})")


def same_instants(ics: bytes, other: bytes) -> list[dict]:
    """What every parser reads in `ics`, checked equal to what it reads in `other`."""
    read = {parser: sorted(expand(parser, ics), key=lambda o: o["start"]) for parser in PARSERS}
    for parser, occurrences in read.items():
        assert occurrences == sorted(expand(parser, other), key=lambda o: o["start"]), parser
        # (parsers differ on a single event's RECURRENCE-ID; never on its instants)
        assert [(o["uid"], o["start"], o["end"]) for o in occurrences] == \
            [(o["uid"], o["start"], o["end"]) for o in read["ical.js"]], parser
    return read["ical.js"]


def stamps(ics: bytes) -> list[tuple]:
    """What a calendar keys an entry by: UID, RECURRENCE-ID, SEQUENCE, and its times."""
    return sorted((str(v["UID"]), v.get("RECURRENCE-ID") and v["RECURRENCE-ID"].to_ical(), int(v["SEQUENCE"]),
                   v["DTSTART"].to_ical(), v["DTEND"].to_ical())
                  for v in icalendar.Calendar.from_ical(ics).walk("VEVENT"))


async def test_a_spanish_participant_reads_invite_update_reminder_and_follow_up_in_spanish(
        client, api, smtp, mail_settings, pool, redis, every_language):
    s = await setup(client, api)
    tz = "America/Chicago"
    await speaks(client, s.participant, "es", tz)
    await speaks(client, s.facilitator, "en")
    name = s.group["name"]
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    # The invite: Spanish words, and the same calendar as an English reader's.
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=4")
    await run_jobs(mail_settings, pool, redis)
    [invite] = mail_for(smtp, s.participant)
    assert invite["Subject"] == f"{name}: nuevas sesiones en el calendario"
    said = text_of(invite)
    assert said.startswith("Hola, ") and f"{name} tiene sesiones nuevas." in said
    [english] = mail_for(smtp, s.co_facilitator)
    assert english["Subject"] == f"{name}: new sessions in the schedule"
    spanish_ics, english_ics = ics_of(invite), ics_of(english)
    assert stamps(spanish_ics) == stamps(english_ics)
    sessions = await s.sessions()
    read = same_instants(spanish_ics, english_ics)
    assert [o["start"] for o in read] == [f"{datetime.fromisoformat(x['starts_at']):%Y-%m-%dT%H:%M:%SZ}"
                                          for x in sessions]
    smtp.messages.clear()

    # An English-speaking facilitator moves a session: her words never reach the participant.
    target = sessions[1]
    old_start, old_end = target["starts_at"], target["ends_at"]
    new_start = datetime.fromisoformat(old_start) + timedelta(days=1, hours=1)
    new_end = datetime.fromisoformat(old_end) + timedelta(days=1, hours=1)
    body = {"starts_at": new_start.isoformat(), "ends_at": new_end.isoformat()}
    expect(await client.patch(f"/api/v1/sessions/{target['id']}", json=body,
                              headers={**s.facilitator.headers, "accept-language": "en"}), 200)
    await run_jobs(mail_settings, pool, redis)
    [moved] = mail_for(smtp, s.participant)
    assert moved["Subject"] == f"{name}: la sesión del {day(old_start, tz, 'es')} pasa al " \
                               f"{day_and_time(new_start, tz, 'es')}"
    said = text_of(moved)
    assert (f"Una sesión de {name} ha cambiado de fecha u hora. Era el {span(old_start, old_end, tz, 'es')}. "
            f"Ahora es el {span(new_start, new_end, tz, 'es')}.") in said
    for english_word in ("Hello", "moved", "It was", "schedule", "calendar will"):
        assert english_word not in mail_text(moved), english_word
    assert " moved to " in mail_for(smtp, s.facilitator)[0]["Subject"]  # hers in English
    moved_ics = ics_of(moved)
    [override] = [v for v in icalendar.Calendar.from_ical(moved_ics).walk("VEVENT") if "RECURRENCE-ID" in v]
    assert override["DTSTART"].dt == new_start
    smtp.messages.clear()

    # A reminder of the next session.
    first = sessions[0]
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings)}
    assert (await send_reminder(ctx, "session", first["id"], first["sequence"], first["starts_at"]))["sent"] >= 1
    [reminder] = mail_for(smtp, s.participant)
    assert reminder["Subject"] == f"{name}: recordatorio para el {day_and_time(first['starts_at'], tz, 'es')}"
    said = text_of(reminder)
    assert f"Un recordatorio: {name} es el {span(first['starts_at'], first['ends_at'], tz, 'es')}." in said
    assert "no hace falta dar explicaciones" in said and "Hello" not in said
    smtp.messages.clear()

    # After a session she missed: a gentle check-in with the crisis line, in Spanish.
    session = await past_session(s)
    body = {"records": [{"user_id": s.participant.id, "status": "absent"}]}
    expect(await client.put(f"/api/v1/sessions/{session['id']}/attendance", json=body,
                            headers={**s.facilitator.headers, "accept-language": "en"}), 200)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    with clock.shifted(datetime.fromisoformat(session["ends_at"]) + timedelta(minutes=31) - now()):
        await run_jobs(mail_settings, pool, redis)
    [check_in] = mail_for(smtp, s.participant)
    weekday = format_date(local(session["starts_at"], tz).date(), "EEEE", locale="es")
    assert check_in["Subject"] == f"{name}: pensamos en ti"
    said = text_of(check_in)
    assert f"Te echamos de menos en {name} el {weekday}." in said
    assert "Si las cosas están difíciles ahora, no tienes que esperar a la próxima sesión." in said
    assert "988" in said and "Puedes desactivar estos mensajes cuando quieras" in said
    assert "We missed you" not in said and "Hello" not in said


async def test_an_arabic_speaking_volunteer_gets_her_shift_confirmation_and_reminder_in_arabic(
        client, api, smtp, mail_settings, pool, redis, every_language):
    admin = await api.user("admin")
    await speaks(client, admin, "en")
    org = await api.org(admin, timezone="Europe/London")
    tz = "Asia/Amman"
    volunteer, other = await api.user("huda", timezone=tz), await api.user("ben", timezone=tz)
    await speaks(client, volunteer, "ar")
    for person in (volunteer, other):
        await api.member(org, admin, person, "volunteer")
    shift = await make_shift(client, org, admin)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    for person in (volunteer, other):
        expect(await client.post(f"/api/v1/shifts/{shift['id']}/signups", headers=person.headers), 201)
    await run_jobs(mail_settings, pool, redis)

    what = f"مناوبة Greeter مع {org['name']}"
    [confirmed] = mail_for(smtp, volunteer)
    assert confirmed["Subject"] == f"تم تأكيد مكانك: {what}"
    said = text_of(confirmed)
    assert said.startswith("مرحبًا ")
    assert f"تم تأكيد مكانك في {what} يوم {span(shift['starts_at'], shift['ends_at'], tz, 'ar')}." in said
    assert "هي في الدعوة المرفقة" in said and "confirmed" not in mail_text(confirmed)
    # Mail programs set an Arabic body right to left only when the HTML says so.
    assert mail_html(confirmed).startswith('<div lang="ar" dir="rtl">')
    arabic_ics = ics_of(confirmed)
    [vevent] = icalendar.Calendar.from_ical(arabic_ics).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == f"مناوبة Greeter ({org['name']})"
    [english] = mail_for(smtp, other)
    assert english["Subject"] == f"You're confirmed: the Greeter shift with {org['name']}"
    assert mail_html(english).startswith('<div lang="en" dir="ltr">')
    english_ics = ics_of(english)
    assert str(icalendar.Calendar.from_ical(english_ics).walk("VEVENT")[0]["SUMMARY"]) == \
        f"Greeter shift ({org['name']})"
    assert stamps(arabic_ics) == stamps(english_ics)
    [occurrence] = same_instants(arabic_ics, english_ics)
    assert occurrence["start"] == f"{datetime.fromisoformat(shift['starts_at']):%Y-%m-%dT%H:%M:%SZ}"
    smtp.messages.clear()

    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings)}
    shift_now = await pool.fetchrow("SELECT sequence, starts_at FROM shifts WHERE id = $1", UUID(shift["id"]))
    outcome = await send_reminder(ctx, "shift", shift["id"], shift_now["sequence"], shift_now["starts_at"].isoformat())
    assert outcome == {"sent": 2}
    [reminder] = mail_for(smtp, volunteer)
    assert reminder["Subject"] == f"مناوبة Greeter: تذكير ليوم {day_and_time(shift['starts_at'], tz, 'ar')}"
    assert f"تذكير: مناوبة Greeter يوم {span(shift['starts_at'], shift['ends_at'], tz, 'ar')}." in text_of(reminder)
    assert mail_for(smtp, other)[0]["Subject"].startswith("Greeter shift: a reminder for ")

    # Her calendar feed speaks Arabic too (its owner's saved language, not the caller's).
    feed = expect(await client.post("/api/v1/me/feeds", json={"scope": "mine"}, headers=volunteer.headers), 201)
    body = (await client.get(feed["url"].removeprefix("http://coord.test"), headers={"accept-language": "en"})).content
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["X-WR-CALNAME"]) == "جدولي"
    [entry] = cal.walk("VEVENT")
    assert str(entry["SUMMARY"]) == "مناوبة تطوع: Greeter" and str(entry["UID"]) == f"shift-{shift['id']}@coord"
    assert [o["start"] for o in expand("ical.js", body)] == [occurrence["start"]]


async def test_discreet_mode_in_spanish_names_nothing_in_any_word_or_calendar(
        client, api, smtp, mail_settings, pool, redis, every_language):
    s = await setup(client, api)
    await speaks(client, s.bystander, "es")
    discreet = {"discreet": True, "quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
    expect(await client.put("/api/v1/me/notifications", json=discreet, headers=s.bystander.headers), 200)
    await s.series(local_start(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=3")
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    expect(await client.post(f"{s.base}/join", headers=s.bystander.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    gone = (await s.sessions())[1]
    expect(await client.post(f"/api/v1/sessions/{gone['id']}/cancel", headers=s.facilitator.headers), 200)
    await run_jobs(mail_settings, pool, redis)

    welcome, cancel = mail_for(smtp, s.bystander)
    assert welcome["Subject"] == "Tu grupo: te damos la bienvenida, aquí tienes el calendario"
    assert cancel["Subject"] == f"Tu grupo: la sesión del {day(gone['starts_at'], await _tz(pool, s.bystander), 'es')}" \
                                " se cancela"
    for message in (welcome, cancel):
        seen = mail_text(message)
        assert s.group["name"] not in seen and "Tuesday" not in seen and "Peer" not in seen
        assert "your group" not in seen and "Hello" not in seen
        summaries = {str(v["SUMMARY"]) for v in icalendar.Calendar.from_ical(ics_of(message)).walk("VEVENT")}
        assert summaries == {"tu grupo"}

    feed = expect(await client.post("/api/v1/me/feeds", json={"scope": "mine", "discreet": True},
                                    headers=s.bystander.headers), 201)
    body = (await client.get(feed["url"].removeprefix("http://coord.test"))).content
    assert s.group["name"].encode() not in body and b"Group session" not in body
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["X-WR-CALNAME"]) == "Mi agenda"
    assert {str(v["SUMMARY"]) for v in cal.walk("VEVENT")} == {"Sesión de grupo"}


async def _tz(pool, user) -> str:
    return await pool.fetchval("SELECT timezone FROM users WHERE id = $1", UUID(user.id))


async def test_an_organizations_public_feed_speaks_its_language_whoever_asks(client, api, every_language):
    admin = await api.user("admin")
    org = await api.org(admin)
    expect(await client.patch(f"/api/v1/orgs/{org['id']}", json={"default_locale": "es"}, headers=admin.headers), 200)
    room = {"name": "Sala virtual", "kind": "virtual", "meeting_url": "https://meet.example.org/private-room"}
    venue = expect(await client.post(f"/api/v1/orgs/{org['id']}/venues", json=room, headers=admin.headers), 201)
    start = (now() + timedelta(days=3)).replace(microsecond=0)
    body = {"title": "Feria de salud", "kind": "workshop", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(), "timezone": "America/New_York",
            "visibility": "public", "venue_id": venue["id"]}
    event = expect(await client.post(f"/api/v1/orgs/{org['id']}/events", json=body, headers=admin.headers), 201)
    feed = (await client.get(f"/orgs/{org['slug']}/events.ics", headers={"accept-language": "ar"})).content
    cal = icalendar.Calendar.from_ical(feed)
    assert str(cal["X-WR-CALNAME"]) == f"{org['name']}: eventos comunitarios"
    [entry] = cal.walk("VEVENT")
    assert str(entry["LOCATION"]) == "En línea" and b"private-room" not in feed
    assert entry["DTSTART"].dt == datetime.fromisoformat(event["starts_at"])


async def test_a_feed_already_cached_speaks_the_new_language_once_its_owner_chooses_one(
        client, api, mail_settings, pool, redis, every_language):
    admin = await api.user("admin")
    org = await api.org(admin)
    volunteer = await api.user("vol")
    await api.member(org, admin, volunteer, "volunteer")
    shift = await make_shift(client, org, admin)
    expect(await client.post(f"/api/v1/shifts/{shift['id']}/signups", headers=volunteer.headers), 201)
    feed = expect(await client.post("/api/v1/me/feeds", json={"scope": "mine"}, headers=volunteer.headers), 201)
    url = feed["url"].removeprefix("http://coord.test")
    await run_jobs(mail_settings, pool, redis)
    before = icalendar.Calendar.from_ical((await client.get(url)).content)  # rendered, and now cached
    assert str(before["X-WR-CALNAME"]) == "My schedule"
    await speaks(client, volunteer, "es")
    await run_jobs(mail_settings, pool, redis)  # the change drops the cached render
    after = icalendar.Calendar.from_ical((await client.get(url)).content)
    assert str(after["X-WR-CALNAME"]) == "Mi agenda"
    assert [str(v["SUMMARY"]) for v in after.walk("VEVENT")] == ["Turno de voluntariado: Greeter"]
    assert stamps(after.to_ical()) == stamps(before.to_ical())
