"""Small calls the referral tests share (no test module imports another)."""

from __future__ import annotations

from tests.support import API, expect


async def refer(client, who, person, **target) -> dict:
    body = {"person_id": person.id, **target}
    return expect(await client.post(f"{API}/referrals", json=body, headers=who.headers), 201)


async def set_status(client, who, referral_id: str, status: str, code: int = 200, **extra) -> dict:
    body = {"status": status, **extra}
    return expect(await client.post(f"{API}/referrals/{referral_id}/status", json=body, headers=who.headers), code)


async def mine(client, who) -> list[dict]:
    return expect(await client.get(f"{API}/me/referrals", headers=who.headers), 200)


def mail_to(smtp, user) -> list:
    return [m for m in smtp.messages if m["To"] == user.email]
