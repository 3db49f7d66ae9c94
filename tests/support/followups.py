"""After a session: the clock shift past the follow-up delay, one person's mail, an attendance sheet recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.moments import now
from tests.support import expect


def after_followup_delay(session: dict, minutes: float = 30) -> timedelta:
    """How far to move the clock for the session to have ended `minutes` ago (by default
    the organization's delay before follow-ups), and a minute more."""
    return datetime.fromisoformat(session["ends_at"]) + timedelta(minutes=minutes + 1) - now()


def mail_for(smtp, user) -> list:
    return [m for m in smtp.messages if m["To"] == user.email]


async def record(client, s, session, sheet: dict[str, str]) -> None:
    body = {"records": [{"user_id": uid, "status": status} for uid, status in sheet.items()]}
    expect(await client.put(f"/api/v1/sessions/{session['id']}/attendance", json=body, headers=s.facilitator.headers), 200)
