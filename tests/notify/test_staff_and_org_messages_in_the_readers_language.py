"""The messages to people who run things, and about a membership, in the reader's language
(issue 16.3): a Spanish-speaking facilitator's roster and its .ics, a join-request note in
Arabic, an Arabic-speaking admin's daily digest, an organization's invitation to an address
whose account reads Spanish (else the organization's language), a declined request and a
membership that ended, in Spanish. Whoever acted did so in English."""

from __future__ import annotations

from datetime import datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

import icalendar
import pytest
from babel.dates import format_skeleton

from coord import i18n
from coord.notify.mailer import mailer_from_settings
from tests.moments import NY, today
from tests.support import expect, mail_text, run_jobs
from tests.support.calendars import expand
from tests.support.world import past_session, setup
from workers.schedule_jobs import alert_coverage_gaps, remind_unrecorded_attendance, send_rosters
from workers.staff_jobs import send_daily_digests

ENGLISH = {"accept-language": "en"}


@pytest.fixture
def every_language(monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})


async def speaks(client, user, code: str) -> None:
    expect(await client.patch("/api/v1/me", json={"locale": code}, headers=user.headers), 200)


def mail_for(smtp, user) -> list:
    return [m for m in smtp.messages if m["To"] == user.email]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


async def test_a_spanish_facilitators_roster_and_its_calendar_are_in_spanish(
        client, api, smtp, mail_settings, pool, redis, every_language):
    s = await setup(client, api, facilitators_required=2)
    await speaks(client, s.facilitator, "es")
    await s.series(datetime.combine(today(NY, days=1), time(12, 0)), "FREQ=DAILY;COUNT=3",
                   facilitator_ids=[s.facilitator.id])
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings), "redis": redis}
    await send_rosters(ctx, force=True)
    await run_jobs(mail_settings, pool, redis)
    [roster] = mail_for(smtp, s.facilitator)
    org = s.org["name"]
    assert roster["Subject"] == f"Tus sesiones de las próximas dos semanas ({org})"
    said = text_of(roster)
    assert said.startswith("Hola, ") and f"Tus próximos 14 días en {org}." in said
    assert "; tú; 0 asistirán)" in said  # short of one, hers, nobody coming yet
    for english in ("Hello", "Your next", "needs", "going", "(you"):
        assert english not in said, english
    [attachment] = [p for p in roster.iter_attachments() if p.get_filename() == "roster.ics"]
    ics = attachment.get_payload(decode=True)
    cal = icalendar.Calendar.from_ical(ics)
    assert str(cal["X-WR-CALNAME"]) == "Mis sesiones como facilitador/a"
    assert {str(v["SUMMARY"]) for v in cal.walk("VEVENT")} == {f"Facilitas: {s.group['name']}"}
    truth = sorted(f"{datetime.fromisoformat(x['starts_at']):%Y-%m-%dT%H:%M:%SZ}" for x in await s.sessions())
    for parser in ("ical.js", "libical", "recurring-ical-events+vtimezone"):
        assert sorted(o["start"] for o in expand(parser, ics)) == truth, parser


async def test_staff_read_join_requests_and_the_digest_in_arabic(
        client, api, smtp, mail_settings, pool, redis, every_language):
    s = await setup(client, api, join_policy="approval")
    for person in (s.facilitator, s.admin):
        await speaks(client, person, "ar")
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    expect(await client.post(f"{s.base}/join", headers={**s.bystander.headers, **ENGLISH}), 201)
    await run_jobs(mail_settings, pool, redis)
    [note] = mail_for(smtp, s.facilitator)
    name = s.group["name"]
    assert note["Subject"] == f"{name}: طلب انضمام"
    assert f"طلب شخص الانضمام إلى {name}." in text_of(note) and "asked" not in mail_text(note)
    assert mail_for(smtp, s.co_facilitator)[0]["Subject"] == f"{name}: a request to join"
    smtp.messages.clear()

    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings), "redis": redis}
    await send_daily_digests(ctx, force=True)
    await run_jobs(mail_settings, pool, redis)
    [digest] = mail_for(smtp, s.admin)
    assert digest["Subject"].startswith("ما يحتاج إليك اليوم: ")
    said = text_of(digest)
    assert f"إليك ما يحتاج إليك اليوم في {s.org['name']}." in said
    assert "طلبات انضمام بانتظار الرد" in said and "What needs you" not in mail_text(digest)


async def test_an_invitation_a_declined_request_and_an_ended_membership_in_spanish(
        client, api, smtp, mail_settings, pool, redis, every_language):
    s = await setup(client, api, join_policy="approval")
    await speaks(client, s.admin, "en")
    lucia = await api.user("lucia")
    await speaks(client, lucia, "es")
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()

    # An invitation to an address that has an account: its owner's language, not the inviter's.
    body = {"email": lucia.email, "roles": ["volunteer"]}
    expect(await client.post(f"/api/v1/orgs/{s.org['id']}/invitations", json=body,
                             headers={**s.admin.headers, **ENGLISH}), 201)
    # An address nobody has yet: the organization's language (Arabic here), never the admin's.
    expect(await client.patch(f"/api/v1/orgs/{s.org['id']}", json={"default_locale": "ar"},
                              headers=s.admin.headers), 200)
    body = {"email": "nadia@example.org", "roles": ["participant"], "display_name": "Nadia"}
    expect(await client.post(f"/api/v1/orgs/{s.org['id']}/invitations", json=body,
                             headers={**s.admin.headers, **ENGLISH}), 201)
    await run_jobs(mail_settings, pool, redis)
    org = s.org["name"]
    [invited] = mail_for(smtp, lucia)
    assert invited["Subject"] == f"{org} te invita a unirte en coord"
    assert f"te invita a unirte a {org} en coord como voluntario/a." in text_of(invited)
    [nadia] = [m for m in smtp.messages if m["To"] == "nadia@example.org"]
    assert nadia["Subject"] == f"تدعوك {org} إلى الانضمام إليها في coord"
    assert "مرحبًا Nadia،" in text_of(nadia) and "مشاركًا" in text_of(nadia)
    expect(await client.patch(f"/api/v1/orgs/{s.org['id']}", json={"default_locale": "en"},
                              headers=s.admin.headers), 200)
    smtp.messages.clear()

    # The bystander reads Spanish: a request declined, kindly, then her membership ended.
    await speaks(client, s.bystander, "es")
    expect(await client.post(f"{s.base}/join", headers=s.bystander.headers), 201)
    expect(await client.post(f"{s.base}/members/{s.bystander.id}/decline",
                             headers={**s.facilitator.headers, **ENGLISH}), 200)
    await run_jobs(mail_settings, pool, redis)
    [declined] = [m for m in mail_for(smtp, s.bystander) if "solicitud" in m["Subject"]]
    assert declined["Subject"] == f"{s.group['name']}: tu solicitud para unirte"
    said = text_of(declined)
    assert f"Gracias por pedir unirte a {s.group['name']} de {org}." in said and "Si necesitas apoyo ahora: " in said
    expect(await client.delete(f"/api/v1/orgs/{s.org['id']}/members/{s.bystander.id}",
                               headers={**s.admin.headers, **ENGLISH}), 204)
    await run_jobs(mail_settings, pool, redis)
    [ended] = [m for m in mail_for(smtp, s.bystander) if "membresía" in m["Subject"]]
    assert ended["Subject"] == f"Tu membresía en {org} ha terminado"
    said = text_of(ended)
    assert f"{org} ha terminado tu membresía, así que ya no eres miembro." in said
    assert "Hello" not in mail_text(ended) and "Si necesitas apoyo ahora: " in said


async def test_the_attendance_nudge_in_arabic_and_a_gap_alert_in_spanish(
        client, api, smtp, mail_settings, pool, redis, every_language):
    s = await setup(client, api, facilitators_required=1)
    await speaks(client, s.facilitator, "ar")
    await speaks(client, s.coordinator, "es")
    ctx = {"settings": mail_settings, "pool": pool, "mailer": mailer_from_settings(mail_settings)}
    session = await past_session(s)
    ended = await pool.fetchrow("UPDATE sessions SET starts_at = now() - interval '4 hours', ends_at = now() - "
                                "interval '3 hours' WHERE id = $1::uuid RETURNING starts_at", session["id"])
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    await remind_unrecorded_attendance(ctx)
    tz = await pool.fetchval("SELECT timezone FROM users WHERE id = $1", UUID(s.facilitator.id))
    day = format_skeleton("MMMMEd", ended["starts_at"].astimezone(ZoneInfo(tz)), locale="ar")
    subject = f"{s.group['name']}: حضور بانتظار التسجيل ليوم {day}"
    nudges = [m for m in mail_for(smtp, s.facilitator) if m["Subject"] == subject]
    said = text_of(nudges[0])
    assert "عندما يتسنّى لك ذلك، سجّل من حضر" in said and "attendance" not in said and "Hello" not in said
    assert all("attendance to record" not in m["Subject"] for m in mail_for(smtp, s.facilitator))

    smtp.messages.clear()
    await s.series(datetime.combine(today(NY, days=1), time(12, 0)), "FREQ=DAILY;COUNT=2")
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    await alert_coverage_gaps(ctx)
    alerts = [m for m in mail_for(smtp, s.coordinator) if m["Subject"].endswith("necesita facilitador/a")]
    assert alerts and all(m["Subject"].startswith(f"{s.group['name']}: la sesión del ") for m in alerts)
    said = text_of(alerts[0])
    assert "tiene 0 de 1 facilitador/a." in said and "Asigna a alguien en la página de la sesión" in said
    assert [m["Subject"] for m in mail_for(smtp, s.admin)][0].endswith("needs a facilitator")
