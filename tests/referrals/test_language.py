"""Referral mail is in the person's language, whoever made the referral (issue 16.3, 17.6)."""

from __future__ import annotations

from coord import i18n
from tests.referrals.helpers import mail_to, refer
from tests.support import API, expect, run_jobs


async def test_the_mail_is_in_the_persons_language(client, world, smtp, mail_settings, pool, redis, monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})
    s = world.s
    expect(await client.patch(f"{API}/me", json={"locale": "es"}, headers=s.participant.headers), 200)
    await refer(client, s.facilitator, s.participant, service_id=world.food)
    await run_jobs(mail_settings, pool, redis)
    [notice] = mail_to(smtp, s.participant)
    assert "Riverside Food Pantry" in notice["Subject"] and not notice["Subject"].startswith("A suggestion")
