"""Accounts (issue 14) through the HTTP API, with a real SMTP server: the links are read
out of the messages it received. Confirming an address and its gate, password reset,
the per-account sign-in lock from several source addresses, profile, email and password
changes."""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import timedelta

import asyncpg
import httpx
from litestar.testing import AsyncTestClient

from coord.app import create_app
from coord.kernel import clock
from coord.kernel.db.migrate import migrate, migrations_dir
from tests.conftest import make_settings
from tests.support import API, PASSWORD, assert_problem, expect, mail_text, run_jobs
from tests.support.world import make_event, make_group, make_shift

NEW_PASSWORD = "another long passphrase"
LINK = re.compile(r"http://coord\.test(/[a-z-]+)\?token=([A-Za-z0-9_-]+)")
NO_QUIET = {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}


async def register(client, email: str, password: str = PASSWORD) -> tuple[dict, dict[str, str]]:
    """Sign up as a person does (the address gets a link); the 201 body and bearer headers."""
    body = {"email": email, "password": password, "display_name": email.split("@")[0].title()}
    created = expect(await client.post(f"{API}/auth/register", json=body), 201)
    token = expect(await client.post(f"{API}/auth/token", json={"email": email, "password": password}), 200)
    return created, {"Authorization": f"Bearer {token['access_token']}"}


def mails_to(smtp, address: str) -> list:
    return [m for m in smtp.messages if m["To"] == address]


def link_in(message, page: str) -> str:
    """The token of the one link to `page` in the message."""
    found = {(p, t) for p, t in LINK.findall(mail_text(message)) if p == page}
    assert len(found) == 1, mail_text(message)
    return found.pop()[1]


async def the_link(smtp, address: str, page: str, subject: str) -> str:
    [message] = [m for m in mails_to(smtp, address) if m["Subject"] == subject]
    return link_in(message, page)


async def test_a_new_address_gets_one_link_and_nothing_else_until_it_is_used(
    client, api, pool, redis, smtp, mail_settings
):
    created, headers = await register(client, "nell@example.org")
    assert created["email_confirmed"] is False
    expect(await client.put(f"{API}/me/notifications", json=NO_QUIET, headers=headers), 200)  # settings work
    assert expect(await client.get(f"{API}/me", headers=headers), 200)["email_confirmed"] is False
    admin = await api.user("admin")
    org = await api.org(admin)
    # An unconfirmed address is invited rather than added (tests/orgs/test_invitations.py); TEST SHORTCUT:
    # a member from before addresses were confirmed, made in SQL.
    await pool.execute("INSERT INTO org_members (org_id, user_id, roles) VALUES ($1, $2, $3)", org["id"],
                       created["id"], ["volunteer"])
    await pool.execute("INSERT INTO outbox (kind, payload) VALUES ('org.member_added', jsonb_build_object("
                       "'kind', 'org.member_added', 'org_id', $1::text, 'user_id', $2::text))", org["id"], created["id"])
    group, shift, event = (await make_group(client, org, admin), await make_shift(client, org, admin),
                           await make_event(client, org, admin))
    gated = [f"{API}/groups/{group['id']}/join", f"{API}/shifts/{shift['id']}/signups",
             f"{API}/events/{event['id']}/registrations"]
    for url in gated:
        problem = assert_problem(await client.post(url, headers=headers), 403)
        assert problem["type"].endswith("email-not-confirmed")
        assert "/confirm-email" in problem["detail"] and problem["resend"] == f"{API}/auth/confirm-email/resend"
    # Browsing still works.
    expect(await client.get(f"{API}/orgs/{org['id']}/groups", headers=headers), 200)
    expect(await client.get(f"{API}/shifts/{shift['id']}", headers=headers), 200)

    await run_jobs(mail_settings, pool, redis)
    [message] = mails_to(smtp, "nell@example.org")  # the welcome to the organization waits: not confirmed
    assert message["Subject"] == "Confirm your email address for coord"
    token = link_in(message, "/confirm-email")
    skipped = await pool.fetchrow("SELECT status, last_error FROM deliveries WHERE kind = 'welcome'")
    assert tuple(skipped) == ("skipped", "address not confirmed")
    # The token is nowhere but in the message: the outbox and the table hold ids and a hash.
    assert token not in "".join(r["p"] for r in await pool.fetch("SELECT payload::text AS p FROM outbox"))
    stored = await pool.fetchval("SELECT token_hash FROM account_tokens")
    assert bytes(stored) == hashlib.sha256(token.encode()).digest()

    # Opening the link (a GET, as a mail scanner would) changes nothing; the button does.
    assert (await client.get(f"/confirm-email?token={token}")).status_code == 200
    assert expect(await client.get(f"{API}/me", headers=headers), 200)["email_confirmed"] is False
    assert (await client.post(f"{API}/auth/confirm-email", json={"token": token})).status_code == 204
    again = assert_problem(await client.post(f"{API}/auth/confirm-email", json={"token": token}), 400)
    assert "already been used" in again["detail"] and again["errors"][0]["field"] == "token"
    assert expect(await client.get(f"{API}/me", headers=headers), 200)["email_confirmed"] is True
    for url in gated:
        assert (await client.post(url, headers=headers)).status_code == 201
    await run_jobs(mail_settings, pool, redis)
    subjects = [m["Subject"] for m in mails_to(smtp, "nell@example.org")][1:]
    assert subjects and "Confirm your email address for coord" not in subjects  # other mail flows now


async def test_a_new_link_on_request_the_same_answer_for_any_address_and_a_limit(client, api, pool, redis, smtp,
                                                                                  mail_settings):
    await register(client, "ona@example.org")
    confirmed = await api.user("known")
    answers = [await client.post(f"{API}/auth/confirm-email/resend", json={"email": e})
               for e in ("ona@example.org", "nobody@example.org", confirmed.email)]
    assert {(r.status_code, r.text) for r in answers} == {(202, answers[0].text)}
    await run_jobs(mail_settings, pool, redis)
    assert not mails_to(smtp, "nobody@example.org") and not mails_to(smtp, confirmed.email)
    first, second = [link_in(m, "/confirm-email") for m in mails_to(smtp, "ona@example.org")]
    assert first != second
    assert (await client.post(f"{API}/auth/confirm-email", json={"token": second})).status_code == 204
    # Using one link voids the others.
    assert "already been used" in assert_problem(
        await client.post(f"{API}/auth/confirm-email", json={"token": first}), 400)["detail"]
    for address in ("ona@example.org", "nobody@example.org"):  # counted per address, known or not: 5 an hour
        statuses = [(await client.post(f"{API}/auth/confirm-email/resend", json={"email": address})).status_code
                    for _ in range(5)]
        assert statuses == [202] * 4 + [429], (address, statuses)
    problem = assert_problem(await client.post(f"{API}/auth/confirm-email/resend", json={"email": "nobody@example.org"}), 429)
    assert problem["detail"].startswith("at most")


async def test_a_confirmation_link_expires_after_48_hours(client, pool, redis, smtp, mail_settings):
    await register(client, "late@example.org")
    await run_jobs(mail_settings, pool, redis)
    token = await the_link(smtp, "late@example.org", "/confirm-email", "Confirm your email address for coord")
    assert_problem(await client.post(f"{API}/auth/confirm-email", json={"token": "x" * 43}), 400)
    with clock.shifted(timedelta(hours=48, minutes=1)):
        problem = assert_problem(await client.post(f"{API}/auth/confirm-email", json={"token": token}), 400)
    assert "expired" in problem["detail"] and "/confirm-email" in problem["detail"]


async def test_password_reset_answers_the_same_and_its_link_works_once_for_an_hour(
    client, pool, redis, smtp, mail_settings
):
    _, headers = await register(client, "rosa@example.org")
    answers = [await client.post(f"{API}/auth/password-reset", json={"email": e})
               for e in ("rosa@example.org", "ghost@example.org", "ROSA@example.org")]
    assert {(r.status_code, r.text) for r in answers} == {(202, answers[0].text)}
    await run_jobs(mail_settings, pool, redis)
    assert not mails_to(smtp, "ghost@example.org")
    resets = [m for m in mails_to(smtp, "rosa@example.org") if m["Subject"] == "Reset your coord password"]
    first, second = [link_in(m, "/reset-password") for m in resets]
    # A password the rules refuse leaves the link unused.
    weak = assert_problem(await client.post(f"{API}/auth/password-reset/confirm",
                                            json={"token": first, "password": "short"}), 422)
    assert weak["errors"][0]["field"] == "password"
    with clock.shifted(timedelta(minutes=61)):
        expired = assert_problem(await client.post(f"{API}/auth/password-reset/confirm",
                                                   json={"token": first, "password": NEW_PASSWORD}), 400)
    assert "expired" in expired["detail"] and "/forgot-password" in expired["detail"]
    expect(await client.post(f"{API}/auth/password-reset/confirm", json={"token": first, "password": NEW_PASSWORD}), 204)
    for token in (first, second):  # used; and the other one void with it
        used = await client.post(f"{API}/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
        assert "already been used" in assert_problem(used, 400)["detail"]
    # Logged out everywhere; the old password no longer works; the address is confirmed by the link.
    assert_problem(await client.get(f"{API}/me", headers=headers), 401)
    assert_problem(await client.post(f"{API}/auth/token", json={"email": "rosa@example.org", "password": PASSWORD}), 401)
    token = expect(await client.post(f"{API}/auth/token", json={"email": "rosa@example.org", "password": NEW_PASSWORD}), 200)
    me = expect(await client.get(f"{API}/me", headers={"Authorization": f"Bearer {token['access_token']}"}), 200)
    assert me["email_confirmed"] is True
    await run_jobs(mail_settings, pool, redis)
    [told] = [m for m in mails_to(smtp, "rosa@example.org") if m["Subject"] == "Your coord password was changed"]
    assert "/forgot-password" in mail_text(told) and not LINK.search(mail_text(told))


def _from(app, address: str, requests: list[tuple[str, str, dict]]) -> list[httpx.Response]:
    """Requests from source address `address` (the ASGI scope's client), in order, on the app's own loop."""

    async def send() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://coord.test") as http:
            return [await http.request(method, url, json=body) for method, url, body in requests]

    return send


async def test_an_account_locked_from_many_addresses_can_still_reset_and_the_reset_unlocks_it(
    database_url, redis_url, tmp_path, pool, redis, smtp, mail_settings
):
    # Each client may try 3 times a minute; the account locks after 10 failures from anywhere.
    settings = make_settings(database_url, redis_url, tmp_path, COORD_LOGIN_ATTEMPTS_PER_MINUTE="3")
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://coord.test") as client:
        def call(address: str, *requests: tuple[str, str, dict]) -> list[httpx.Response]:
            return client.blocking_portal.call(_from(app, address, list(requests)))

        email = "target@example.org"
        [made] = call("127.0.0.2", ("POST", f"{API}/auth/register",
                                    {"email": email, "password": PASSWORD, "display_name": "Target"}))
        assert made.status_code == 201
        wrong = ("POST", f"{API}/auth/token", {"email": email, "password": "a wrong guess, again"})
        right = ("POST", f"{API}/auth/token", {"email": email, "password": PASSWORD})
        guesses = [call(f"127.0.0.{n}", wrong)[0].status_code for n in range(3, 13)]  # ten addresses, one try each
        assert guesses == [401] * 10
        locked = call("127.0.0.13", right)[0]  # the owner, from elsewhere: the account is locked
        assert_problem(locked, 429)
        assert "/forgot-password" in locked.json()["detail"] and int(locked.headers["retry-after"]) > 0
        # The per-client budget is its own: one address past 3 tries is refused whatever the account.
        elsewhere = ("POST", f"{API}/auth/token", {"email": "someone@example.org", "password": "a wrong guess, again"})
        assert [r.status_code for r in call("127.0.0.14", *[elsewhere] * 4)] == [401, 401, 401, 429]

        # The reset path has its own limit: the locked account's owner asks from yet another address.
        [asked] = call("127.0.0.15", ("POST", f"{API}/auth/password-reset", {"email": email}))
        assert asked.status_code == 202
        await run_jobs(mail_settings, pool, redis)
        token = await the_link(smtp, email, "/reset-password", "Reset your coord password")
        [reset] = call("127.0.0.16", ("POST", f"{API}/auth/password-reset/confirm",
                                      {"token": token, "password": NEW_PASSWORD}))
        assert reset.status_code == 204
        # The reset lifted the lock: the new password works at once, from any address.
        [signed_in] = call("127.0.0.17", ("POST", f"{API}/auth/token", {"email": email, "password": NEW_PASSWORD}))
        assert signed_in.status_code == 200


async def test_the_link_routes_have_a_per_client_budget_apart_from_sign_ins(database_url, redis_url, tmp_path, pool,
                                                                           redis):
    settings = make_settings(database_url, redis_url, tmp_path, COORD_LOGIN_ATTEMPTS_PER_MINUTE="2")
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://coord.test") as client:
        wrong = {"email": "x@example.org", "password": "nope nope nope"}
        assert [(await client.post(f"{API}/auth/token", json=wrong)).status_code for _ in range(3)] == [401, 401, 429]
        # Sign-ins spent; asking for links still works, under a budget of its own.
        asks = [(await client.post(f"{API}/auth/password-reset", json={"email": f"p{n}@example.org"})).status_code
                for n in range(3)]
        assert asks == [202, 202, 429]


async def test_moving_to_a_new_address_happens_when_it_confirms(client, api, pool, redis, smtp, mail_settings):
    user, other = await api.user("mover"), await api.user("other")
    url = f"{API}/me/email"
    wrong = assert_problem(await client.post(url, json={"email": "new@example.org", "password": "not my password"},
                                             headers=user.headers), 422)
    assert wrong["errors"][0]["field"] == "password"
    same = assert_problem(await client.post(url, json={"email": user.email.upper(), "password": PASSWORD},
                                            headers=user.headers), 422)
    assert same["errors"][0]["field"] == "email"
    assert_problem(await client.post(url, json={"email": other.email, "password": PASSWORD}, headers=user.headers), 409)
    pending = expect(await client.post(url, json={"email": "new@example.org", "password": PASSWORD},
                                       headers=user.headers), 202)
    assert pending["pending_email"] == "new@example.org"
    me = expect(await client.get(f"{API}/me", headers=user.headers), 200)
    assert (me["email"], me["pending_email"]) == (user.email, "new@example.org")

    await run_jobs(mail_settings, pool, redis)
    token = await the_link(smtp, "new@example.org", "/confirm-email", "Confirm your new email address for coord")
    [notice] = mails_to(smtp, user.email)
    assert notice["Subject"] == "Your coord account's email address is about to change"
    assert "n***@example.org" in mail_text(notice) and "new@example.org" not in mail_text(notice)
    assert not LINK.search(mail_text(notice))
    # Not moved yet.
    assert_problem(await client.post(f"{API}/auth/token", json={"email": "new@example.org", "password": PASSWORD}), 401)

    assert (await client.post(f"{API}/auth/confirm-email", json={"token": token})).status_code == 204
    me = expect(await client.get(f"{API}/me", headers=user.headers), 200)
    assert (me["email"], me["email_confirmed"], me["pending_email"]) == ("new@example.org", True, None)
    expect(await client.post(f"{API}/auth/token", json={"email": "new@example.org", "password": PASSWORD}), 200)
    assert_problem(await client.post(f"{API}/auth/token", json={"email": user.email, "password": PASSWORD}), 401)
    assert_problem(await client.post(f"{API}/auth/confirm-email", json={"token": token}), 400)


async def test_an_unconfirmed_old_address_gets_no_notice_of_a_move(client, pool, redis, smtp, mail_settings):
    _, headers = await register(client, "typo@exmaple.org")
    expect(await client.post(f"{API}/me/email", json={"email": "fixed@example.org", "password": PASSWORD},
                             headers=headers), 202)
    await run_jobs(mail_settings, pool, redis)
    assert [m["Subject"] for m in mails_to(smtp, "typo@exmaple.org")] == ["Confirm your email address for coord"]
    token = await the_link(smtp, "fixed@example.org", "/confirm-email", "Confirm your new email address for coord")
    assert (await client.post(f"{API}/auth/confirm-email", json={"token": token})).status_code == 204
    me = expect(await client.get(f"{API}/me", headers=headers), 200)
    assert (me["email"], me["email_confirmed"]) == ("fixed@example.org", True)


async def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    client, api, pool, redis, smtp, mail_settings
):
    user = await api.user("pat")
    second = expect(await client.post(f"{API}/auth/token", json={"email": user.email, "password": PASSWORD}), 200)
    url = f"{API}/me/password"
    wrong = assert_problem(await client.post(url, json={"current_password": "nope nope nope", "new_password": NEW_PASSWORD},
                                             headers=user.headers), 422)
    assert wrong["errors"][0]["field"] == "current_password"
    weak = assert_problem(await client.post(url, json={"current_password": PASSWORD, "new_password": "short"},
                                            headers=user.headers), 422)
    assert weak["errors"][0]["field"] == "new_password"
    assert (await client.post(url, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                              headers=user.headers)).status_code == 204
    for headers in (user.headers, {"Authorization": f"Bearer {second['access_token']}"}):
        assert_problem(await client.get(f"{API}/me", headers=headers), 401)
    expect(await client.post(f"{API}/auth/token", json={"email": user.email, "password": NEW_PASSWORD}), 200)
    await run_jobs(mail_settings, pool, redis)
    assert [m["Subject"] for m in mails_to(smtp, user.email)] == ["Your coord password was changed"]


async def test_profile_changes_name_timezone_and_language(client, api):
    user = await api.user("pia")
    url = f"{API}/me"
    me = expect(await client.patch(url, json={"display_name": " Pía ", "timezone": "Europe/Madrid", "locale": "ES"},
                                   headers=user.headers), 200)
    assert (me["display_name"], me["timezone"], me["locale"]) == ("Pía", "Europe/Madrid", "es")
    me = expect(await client.patch(url, json={"locale": "pt-br"}, headers=user.headers), 200)
    assert (me["display_name"], me["locale"]) == ("Pía", "pt-BR")
    assert expect(await client.patch(url, json={"locale": None}, headers=user.headers), 200)["locale"] is None
    assert expect(await client.get(url, headers=user.headers), 200)["timezone"] == "Europe/Madrid"
    assert assert_problem(await client.patch(url, json={"timezone": "Mars/Olympus"}, headers=user.headers),
                          422)["errors"][0]["field"] == "timezone"
    assert assert_problem(await client.patch(url, json={"display_name": "   "}, headers=user.headers),
                          422)["errors"][0]["field"] == "display_name"
    assert_problem(await client.patch(url, json={"locale": "not a language"}, headers=user.headers), 400)
    assert assert_problem(await client.patch(url, json={"email": "x@example.org"}, headers=user.headers),
                          400)["errors"][0]["field"] == "email"
    assert_problem(await client.patch(url, json={"display_name": "X"}), 401)


async def test_accounts_made_before_confirmation_count_as_confirmed(fresh_database, tmp_path):
    before = tmp_path / "migrations"
    before.mkdir()
    for path in sorted(migrations_dir().glob("*.sql")):
        if path.name < "0012_":
            shutil.copy(path, before / path.name)
    await migrate(fresh_database, before)
    conn = await asyncpg.connect(fresh_database)
    try:
        await conn.execute("INSERT INTO users (email, password_hash, display_name) VALUES ('old@example.org', 'x', 'Old')")
        await migrate(fresh_database)
        assert await conn.fetchval("SELECT email_confirmed_at IS NOT NULL FROM users") is True
    finally:
        await conn.close()
