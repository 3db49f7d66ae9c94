"""The referrer hears the person's answer (issue 17.6): through the outbox, a worker and real
SMTP, once, in the referrer's language, after the referrer's quiet hours, and in their
discreet mode naming neither the person nor the service. Changes by staff tell nobody."""

from __future__ import annotations

from datetime import timedelta, timezone

from coord import i18n
from tests.moments import now
from tests.referrals.helpers import mail_to, refer, set_status
from tests.support import API, expect, mail_text, run_jobs

SUBJECT = "An answer to your referral"


async def _person_name(client, who) -> str:
    return expect(await client.get(f"{API}/me", headers=who.headers), 200)["display_name"]


async def test_the_referrer_hears_each_answer_once_and_staff_changes_tell_no_one(
        client, world, smtp, mail_settings, pool, redis):
    s = world.s
    food = await refer(client, s.facilitator, s.participant, service_id=world.food, note="Ask for Ana")
    housing = await refer(client, s.facilitator, s.participant, service_id=world.housing)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    await set_status(client, s.participant, food["id"], "accepted", note="Going Tuesday")
    await set_status(client, s.participant, housing["id"], "declined")
    await run_jobs(mail_settings, pool, redis)
    await run_jobs(mail_settings, pool, redis)  # a second pass sends nothing again
    sent = mail_to(smtp, s.facilitator)
    assert [m["Subject"] for m in sent] == [SUBJECT, SUBJECT]
    texts = sorted(mail_text(m) for m in sent)
    name = await _person_name(client, s.participant)
    assert any(f"{name} accepted your referral to Riverside Food Pantry." in t for t in texts)
    assert any(f"{name} declined your referral to " in t for t in texts)
    for text in texts:
        # No more than the referrer knows: not the person's note, nor anything of a consent.
        assert "Going Tuesday" not in text and f"/orgs/{s.org['slug']}/referrals" in text
    assert mail_to(smtp, s.participant) == []  # the person is not told of their own answer

    # The check-in's answer is the person's too: "it did not work out".
    smtp.messages.clear()
    expect(await client.post(f"{API}/referrals/{food['id']}/checkin", json={"answer": "did_not_work"},
                             headers=s.participant.headers), 200)
    await run_jobs(mail_settings, pool, redis)
    [failed] = mail_to(smtp, s.facilitator)
    assert "says your referral to Riverside Food Pantry did not work out." in mail_text(failed)

    # The referrer or a coordinator withdrawing one tells nobody.
    other = await refer(client, s.facilitator, s.participant, service_id=world.food)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    await set_status(client, s.coordinator, other["id"], "cancelled")
    await run_jobs(mail_settings, pool, redis)
    assert smtp.messages == []


async def test_the_answer_is_in_the_referrers_language_and_respects_discreet_mode(
        client, world, smtp, mail_settings, pool, redis, monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})
    s = world.s
    expect(await client.patch(f"{API}/me", json={"locale": "es"}, headers=s.facilitator.headers), 200)
    made = await refer(client, s.facilitator, s.participant, service_id=world.food)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    await set_status(client, s.participant, made["id"], "completed")
    await run_jobs(mail_settings, pool, redis)
    [spanish] = mail_to(smtp, s.facilitator)
    assert spanish["Subject"] == "Una respuesta a tu derivación"
    assert "Riverside Food Pantry" in mail_text(spanish) and "Hola" in mail_text(spanish)

    # Discreet: neither the person nor the service is named, only that there is an answer.
    prefs = {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00", "discreet": True}
    expect(await client.put(f"{API}/me/notifications", json=prefs, headers=s.coordinator.headers), 200)
    quiet = await refer(client, s.coordinator, s.participant, service_id=world.food)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    await set_status(client, s.participant, quiet["id"], "declined")
    await run_jobs(mail_settings, pool, redis)
    [discreet] = mail_to(smtp, s.coordinator)
    text = mail_text(discreet)
    name = await _person_name(client, s.participant)
    for secret in (name, "Riverside", "Pantry", "Food", "declined"):
        assert secret not in text, secret
    assert "has answered" in text


async def test_the_answer_waits_for_the_end_of_the_referrers_quiet_hours(
        client, world, smtp, mail_settings, pool, redis):
    s = world.s
    made = await refer(client, s.facilitator, s.participant, service_id=world.food)
    await run_jobs(mail_settings, pool, redis)
    # Quiet from half an hour before now to half an hour after, in UTC: now is inside them.
    at = now().astimezone(timezone.utc)
    quiet = {"quiet_hours_start": (at - timedelta(minutes=30)).strftime("%H:%M"),
             "quiet_hours_end": (at + timedelta(minutes=30)).strftime("%H:%M")}
    expect(await client.put(f"{API}/me/notifications", json=quiet, headers=s.facilitator.headers), 200)
    await pool.execute("UPDATE users SET timezone = 'UTC' WHERE id = $1", s.facilitator.id)
    smtp.messages.clear()
    await set_status(client, s.participant, made["id"], "accepted")
    await run_jobs(mail_settings, pool, redis)
    assert mail_to(smtp, s.facilitator) == []
    assert await pool.fetchval("SELECT status FROM deliveries WHERE kind = 'referral_answer'") == "pending"
