"""Invited by email, in Debian's Chromium against a real `coord serve`: a coordinator
invites a new volunteer from the coordination page; the invitation arrives through the
outbox and a real SMTP server; the volunteer opens the link on a phone, sets a name and
a password, lands on what to do next and signs up for a shift."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

try:
    from playwright.async_api import expect as see
except ImportError:  # the `browser` fixture skips (or fails under COORD_REQUIRE_BROWSER) and says why
    see = None

from tests.e2e.conftest import DESKTOP, Shots, log_in
from tests.moments import from_now
from tests.support import expect, mail_text, run_jobs

ZONE = "America/Chicago"
NEWCOMER = "rosa.invited@example.org"


async def test_invited_by_email_accepts_sets_a_password_and_signs_up(new_page, api, smtp, mail_settings, pool, redis):
    coordinator = await api.user("coordinator", timezone=ZONE)
    org = await api.org(coordinator, timezone=ZONE)
    starts = from_now(days=2).replace(minute=0, second=0)
    body = {"role": "Welcome desk", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "capacity": 2, "description": "Greet people as they arrive."}
    shift = expect(await api.client.post(f"/api/v1/orgs/{org['id']}/shifts", json=body,
                                         headers=coordinator.headers), 201)
    shots = Shots("invitation")

    # The coordinator invites from the coordination page, at laptop size.
    desk = await new_page(DESKTOP)
    await log_in(desk, coordinator, f"/orgs/{org['slug']}/coordination")
    invite = desk.locator("#invitations")
    await invite.get_by_label("Email").fill(NEWCOMER)
    await invite.get_by_label("Volunteer").check()
    await invite.get_by_role("button", name="Send the invitation").click()
    await see(desk.locator("#invitations")).to_contain_text(NEWCOMER)
    await shots(desk, "coordinator invited")

    # The email goes out through the outbox, the worker and a real SMTP server.
    await run_jobs(mail_settings, pool, redis)
    [message] = [m for m in smtp.messages if m["To"] == NEWCOMER]
    text = mail_text(message)
    assert org["name"] in message["Subject"] + text and "volunteer" in text.lower()
    link = re.search(r"https?://\S+/invitations/[A-Za-z0-9_-]+", text).group(0)

    # On a phone: the link page changes nothing until the button; a name and a password.
    phone = await new_page()
    await phone.goto(urlsplit(link).path)
    await see(phone.get_by_role("heading", level=1)).to_be_visible()
    await shots(phone, "invitation page")
    await phone.get_by_label("Your name").fill("Rosa")
    await phone.get_by_label("Password").fill("a calm and long passphrase")
    await phone.get_by_role("button", name=re.compile("^Create my account and join")).click()
    await see(phone).to_have_url(re.compile(rf"/orgs/{org['slug']}\?welcome=1"))
    await see(phone.get_by_role("link", name=re.compile("shift", re.I)).first).to_be_visible()
    await shots(phone, "welcome")
    assert await pool.fetchval("SELECT email_confirmed_at IS NOT NULL FROM users WHERE email = $1", NEWCOMER)

    # The shift board opens on the week of the next open shift; one click signs up.
    await phone.goto(f"/shifts?org={org['slug']}")
    card = phone.locator(f"#shift-{shift['id']}")
    await card.get_by_role("button", name=re.compile("^Sign up")).click()
    await see(card).to_contain_text("You are confirmed")
    await shots(phone, "signed up")
    assert await pool.fetchval(
        "SELECT g.status FROM signups g JOIN users u ON u.id = g.user_id WHERE u.email = $1", NEWCOMER) == "confirmed"
