"""Referral messages can be turned off like every other kind: the person referred turns off
the notice (`referral`) and the check-in (`referral_checkin`) on their settings page, the
referrer turns off answers (`referral_answer`) through the API, and the real jobs then send
them nothing (their deliveries are skipped), while everyone else still gets theirs."""

from __future__ import annotations

from datetime import timedelta

from coord import i18n
from coord.kernel import clock
from coord.notify.preferences import MESSAGE_KINDS
from tests.pages import Visitor, text_of
from tests.referrals.helpers import mail_to, refer, set_status
from tests.support import API, expect, run_jobs

CHECKIN_AFTER = timedelta(days=7, minutes=5)
NOTICE_LABEL = "Send me a note when someone suggests a service or a group for me"
CHECKIN_LABEL = "Send me a gentle check-in a few days after a suggestion, asking if I got connected"
ANSWER_LABEL = "Send me a note when someone I referred answers (for facilitators and coordinators)"


async def _statuses(pool, kind: str, user_id: str) -> list[tuple[str, str | None]]:
    rows = await pool.fetch("SELECT status, last_error FROM deliveries WHERE kind = $1 AND user_id = $2::uuid "
                            "ORDER BY created_at", kind, user_id)
    return [(r["status"], r["last_error"]) for r in rows]


async def test_the_person_turns_off_referral_notices_and_check_ins_on_the_settings_page(
        client, world, smtp, mail_settings, pool, redis, monkeypatch):
    s = world.s
    browser = Visitor(client)
    await browser.login(s.participant)
    page = await browser.get("/me/notifications")
    for label in (NOTICE_LABEL, CHECKIN_LABEL, ANSWER_LABEL):
        assert label in text_of(page.text)
    for kind in ("referral", "referral_checkin", "referral_answer"):
        assert f'value="{kind}" checked' in page.text  # on until turned off

    keep = [k for k in MESSAGE_KINDS if k not in ("referral", "referral_checkin")]
    form = {"send[]": keep, "quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
    saved = await browser.post("/me/notifications", form)
    assert saved.status_code == 303
    stored = expect(await client.get(f"{API}/me/notifications", headers=s.participant.headers), 200)
    assert stored["disabled_kinds"] == ["referral", "referral_checkin"]

    await refer(client, s.facilitator, s.participant, service_id=world.food, note="Ask for Ana")
    await run_jobs(mail_settings, pool, redis)
    with clock.shifted(CHECKIN_AFTER):
        await run_jobs(mail_settings, pool, redis)
    assert mail_to(smtp, s.participant) == []
    turned_off = [("skipped", "turned off by the recipient")]
    assert await _statuses(pool, "referral", s.participant.id) == turned_off
    assert await _statuses(pool, "referral_checkin", s.participant.id) == turned_off

    # Ticked again, the next referral's notice and check-in come as before.
    form["send[]"] = list(MESSAGE_KINDS)
    assert (await browser.post("/me/notifications", form)).status_code == 303
    await refer(client, s.coordinator, s.participant, service_id=world.housing)
    await run_jobs(mail_settings, pool, redis)
    [notice] = mail_to(smtp, s.participant)
    assert "Housing Help Desk" in notice["Subject"]
    smtp.messages.clear()
    with clock.shifted(CHECKIN_AFTER):
        await run_jobs(mail_settings, pool, redis)
    [checkin] = mail_to(smtp, s.participant)
    assert checkin["Subject"] == "Did you get connected?"

    # The labels in Spanish and Arabic.
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})
    spanish = text_of((await browser.get("/me/notifications?lang=es")).text)
    assert "Enviarme un aviso cuando alguien me sugiera un servicio o un grupo" in spanish
    arabic = text_of((await browser.get("/me/notifications?lang=ar")).text)
    assert "أرسل إليّ إشعارًا عندما يقترح عليّ أحد خدمة أو مجموعة" in arabic


async def test_a_referrer_turns_off_answers_through_the_api_and_another_still_hears_them(
        client, world, smtp, mail_settings, pool, redis):
    s = world.s
    off = {"disabled_kinds": ["referral_answer"], "quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
    assert expect(await client.put(f"{API}/me/notifications", json=off, headers=s.facilitator.headers),
                  200)["disabled_kinds"] == ["referral_answer"]
    food = await refer(client, s.facilitator, s.participant, service_id=world.food)
    housing = await refer(client, s.coordinator, s.participant, service_id=world.housing)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    await set_status(client, s.participant, food["id"], "accepted")
    await set_status(client, s.participant, housing["id"], "declined")
    await run_jobs(mail_settings, pool, redis)
    assert mail_to(smtp, s.facilitator) == []
    assert await _statuses(pool, "referral_answer", s.facilitator.id) == [("skipped", "turned off by the recipient")]
    [answer] = mail_to(smtp, s.coordinator)  # who did not turn it off
    assert answer["Subject"] == "An answer to your referral"
