"""Accounts (issue 14) through the pages, without JavaScript: confirming an address from its
link (one button), what to do next, forgot and reset password, and the account settings
page. The links are read out of the messages a real SMTP server received."""

from __future__ import annotations

import re
from datetime import timedelta

from coord import i18n
from coord.kernel import clock
from tests.pages import Visitor, text_of
from tests.support import API, PASSWORD, expect, mail_text, run_jobs
from tests.support.world import make_shift

NEW_PASSWORD = "another long passphrase"
LINK = re.compile(r"http://coord\.test(/[a-z-]+)\?token=([A-Za-z0-9_-]+)")


def token_from(smtp, address: str, subject: str, page: str) -> str:
    [message] = [m for m in smtp.messages if m["To"] == address and m["Subject"] == subject]
    [token] = {t for p, t in LINK.findall(mail_text(message)) if p == page}
    return token


async def test_sign_up_confirm_from_the_link_and_see_what_to_do_next(client, api, pool, redis, smtp, mail_settings):
    admin = await api.user("admin")
    org = await api.org(admin)
    shift = await make_shift(client, org, admin)
    browser = Visitor(client)
    done = await browser.post("/register", {"email": "nell@example.org", "password": PASSWORD, "display_name": "Nell",
                                            "timezone": "Europe/Berlin"})
    assert done.status_code == 303 and done.headers["location"] == "/me"
    me = await browser.get("/me")
    assert "Confirm your email address" in text_of(me.text) and 'href="/confirm-email"' in me.text
    # An unconfirmed address is invited rather than added (tests/orgs/test_invitations.py); TEST SHORTCUT:
    # a member from before addresses were confirmed, made in SQL.
    await pool.execute("INSERT INTO org_members (org_id, user_id, roles) SELECT $1, id, $2 FROM users "
                       "WHERE email = 'nell@example.org'", org["id"], ["volunteer"])
    # The board shows the shift; signing up says to confirm first, and how.
    refused = await browser.post(f"/shifts/{shift['id']}/signup", {}, form_page=f"/shifts?org={org['id']}")
    assert refused.status_code == 403 and "/confirm-email" in text_of(refused.text)

    await run_jobs(mail_settings, pool, redis)
    token = token_from(smtp, "nell@example.org", "Confirm your email address for coord", "/confirm-email")
    scanner = await Visitor(client).get(f"/confirm-email?token={token}")  # a mail scanner opens it
    assert scanner.status_code == 200 and "Confirm my email address" in scanner.text
    assert scanner.headers["cache-control"] == "no-store" and scanner.headers["referrer-policy"] == "no-referrer"
    assert await pool.fetchval("SELECT email_confirmed_at FROM users WHERE email = 'nell@example.org'") is None

    confirmed = await browser.post("/confirm-email", {"token": token}, form_page=f"/confirm-email?token={token}")
    assert confirmed.status_code == 303 and confirmed.headers["location"] == "/confirm-email?done=confirmed"
    next_page = await browser.get(confirmed.headers["location"])
    words = text_of(next_page.text)
    assert next_page.status_code == 200 and "What you can do next" in words
    for link in ('href="/shifts"', 'href="/me/feeds"', 'href="/me/account"', 'href="/me"'):
        assert link in next_page.text
    assert "open the link we emailed" not in words  # the reminder is gone
    signed_up = await browser.post(f"/shifts/{shift['id']}/signup", {}, form_page=f"/shifts?org={org['id']}")
    assert signed_up.status_code == 303
    again = await Visitor(client).post("/confirm-email", {"token": token}, form_page="/confirm-email")
    assert again.status_code == 400 and "already been used" in text_of(again.text)


async def test_a_new_confirmation_link_from_the_page(client, pool, redis, smtp, mail_settings):
    browser = Visitor(client)
    await browser.post("/register", {"email": "lost@example.org", "password": PASSWORD, "display_name": "Lost"})
    page = await browser.get("/confirm-email")
    assert page.status_code == 200 and 'value="lost@example.org"' in page.text
    bad = await browser.post("/confirm-email/resend", {"email": "not an address"}, form_page="/confirm-email")
    assert bad.status_code == 422 and "like name@example.org" in bad.text
    sent = await browser.post("/confirm-email/resend", {"email": "lost@example.org"}, form_page="/confirm-email")
    assert sent.status_code == 303 and sent.headers["location"] == "/confirm-email?sent=1"
    stranger = await Visitor(client).post("/confirm-email/resend", {"email": "nobody@example.org"},
                                          form_page="/confirm-email")
    assert stranger.headers["location"] == sent.headers["location"]  # the same answer for an unknown address
    await run_jobs(mail_settings, pool, redis)
    assert len([m for m in smtp.messages if m["To"] == "lost@example.org"]) == 2
    assert not [m for m in smtp.messages if m["To"] == "nobody@example.org"]
    with clock.shifted(timedelta(hours=49)):
        expired = await browser.get(f"/confirm-email?token={LINK.findall(mail_text(smtp.messages[-1]))[0][1]}")
    assert expired.status_code == 200 and "cannot be used" in text_of(expired.text)
    assert "Send me a new link" in expired.text


async def test_forgot_and_reset_password_from_the_pages(client, api, pool, redis, smtp, mail_settings):
    user = await api.user("rosa")
    signed_in = Visitor(client)
    await signed_in.login(user)
    login = await Visitor(client).get("/login")
    assert 'href="/forgot-password"' in login.text
    browser = Visitor(client)
    assert (await browser.get("/forgot-password")).status_code == 200
    invalid = await browser.post("/forgot-password", {"email": "rosa"})
    assert invalid.status_code == 422 and "like name@example.org" in invalid.text
    known = await browser.post("/forgot-password", {"email": user.email})
    unknown = await browser.post("/forgot-password", {"email": "ghost@example.org"})
    assert known.status_code == unknown.status_code == 303
    assert known.headers["location"] == unknown.headers["location"] == "/forgot-password?sent=1"
    assert "If an account uses this address" in text_of((await browser.get("/forgot-password?sent=1")).text)

    await run_jobs(mail_settings, pool, redis)
    assert not [m for m in smtp.messages if m["To"] == "ghost@example.org"]
    token = token_from(smtp, user.email, "Reset your coord password", "/reset-password")
    form = await browser.get(f"/reset-password?token={token}")
    assert form.status_code == 200 and 'name="password"' in form.text and token in form.text
    weak = await browser.post("/reset-password", {"token": token, "password": "short"},
                              form_page=f"/reset-password?token={token}")
    assert weak.status_code == 422 and "at least 10 characters" in weak.text
    done = await browser.post("/reset-password", {"token": token, "password": NEW_PASSWORD},
                              form_page=f"/reset-password?token={token}")
    assert done.status_code == 303 and done.headers["location"] == "/login?reset=1"
    assert "Your password is changed" in text_of((await browser.get("/login?reset=1")).text)
    # Logged out everywhere: the browser signed in before is sent to log in.
    assert (await signed_in.get("/me", follow_redirects=False)).status_code == 303
    await browser.login(user, NEW_PASSWORD)
    used = await browser.get(f"/reset-password?token={token}")
    assert used.status_code == 200 and "cannot be used" in text_of(used.text) and 'href="/forgot-password"' in used.text
    reused = await Visitor(client).post("/reset-password", {"token": token, "password": NEW_PASSWORD},
                                        form_page="/forgot-password")
    assert reused.status_code == 400 and "already been used" in text_of(reused.text)


async def test_account_settings_page(client, api, pool, redis, smtp, mail_settings):
    user = await api.user("pia")
    browser, other = Visitor(client), Visitor(client)
    await browser.login(user)
    await other.login(user)
    page = await browser.get("/me/account")
    assert page.status_code == 200
    for name in ("display_name", "timezone", "locale", "email", "password", "current_password", "new_password"):
        assert f'name="{name}"' in page.text and f'for="f-{name}"' in page.text
    assert 'href="/me/account"' in (await browser.get("/me")).text

    missing = await browser.post("/me/account", {"timezone": "Europe/Madrid"}, form_page="/me/account")
    assert missing.status_code == 422 and "this field is required" in missing.text
    saved = await browser.post("/me/account", {"display_name": "Pía", "timezone": "Europe/Madrid", "locale": "es"},
                               form_page="/me/account")
    assert saved.status_code == 303 and saved.headers["location"] == "/me/account?saved=profile"
    me = expect(await client.get(f"{API}/me", headers=user.headers), 200)
    assert (me["display_name"], me["timezone"], me["locale"]) == ("Pía", "Europe/Madrid", "es")
    shown = await browser.get("/me/account?saved=profile")
    # She chose Spanish: the page says it in Spanish at once.
    assert "Guardado." in shown.text and 'value="es" selected' in shown.text and '<html lang="es"' in shown.text
    browser.cookies["coord_lang"] = "en"  # the menu's choice outranks the saved language: the rest in English

    wrong = await browser.post("/me/account/email", {"email": "pia.new@example.org", "password": "not my password"},
                               form_page="/me/account")
    assert wrong.status_code == 422 and "not your current password" in wrong.text
    moved = await browser.post("/me/account/email", {"email": "pia.new@example.org", "password": PASSWORD},
                               form_page="/me/account")
    assert moved.status_code == 303 and moved.headers["location"] == "/me/account?saved=email"
    assert "Waiting for pia.new@example.org to confirm" in text_of((await browser.get("/me/account")).text)
    await run_jobs(mail_settings, pool, redis)
    # Her saved language is Spanish: so is the mail (the recipient's language, never the page's).
    spanish = i18n.catalog("es").translations.gettext("Confirm your new email address for coord")
    token = token_from(smtp, "pia.new@example.org", spanish, "/confirm-email")
    button = await browser.get(f"/confirm-email?token={token}")
    assert "Confirm my new email address" in button.text
    changed = await browser.post("/confirm-email", {"token": token}, form_page=f"/confirm-email?token={token}")
    assert changed.headers["location"] == "/confirm-email?done=changed"
    assert "Your account now uses this email address" in text_of((await browser.get("/confirm-email?done=changed")).text)

    bad = await browser.post("/me/account/password", {"current_password": "nope nope nope",
                                                      "new_password": NEW_PASSWORD}, form_page="/me/account")
    assert bad.status_code == 422 and "not your current password" in bad.text
    ok = await browser.post("/me/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                            form_page="/me/account")
    assert ok.status_code == 303 and ok.headers["location"] == "/me/account?saved=password"
    # This browser stays signed in (a fresh session); the other is signed out.
    assert (await browser.get("/me/account")).status_code == 200
    assert (await other.get("/me/account", follow_redirects=False)).status_code == 303
