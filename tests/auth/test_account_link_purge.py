"""The daily job that deletes account links (confirm an address, reset a password, change
the address) a week after they were used or expired, run for real on links made through
the API as time goes by: older ones go, recent, live and unused ones stay, and a link whose
row is gone is still refused."""

from __future__ import annotations

import re
from datetime import timedelta

from coord.auth.tokens import SPENT_KEPT_FOR
from coord.kernel import clock
from tests.support import API, PASSWORD, assert_problem, expect, mail_text, run_jobs
from workers.cron import purge_spent_account_links

LINK = re.compile(r"http://coord\.test/confirm-email\?token=([A-Za-z0-9_-]+)")


async def _register(client, email: str) -> None:
    body = {"email": email, "password": PASSWORD, "display_name": email.split("@")[0].title()}
    expect(await client.post(f"{API}/auth/register", json=body), 201)


async def _confirm(client, smtp, mail_settings, pool, redis, email: str) -> str:
    """Mail the confirmation link and use it; the token."""
    await run_jobs(mail_settings, pool, redis)
    [message] = [m for m in smtp.messages if m["To"] == email]
    [token] = set(LINK.findall(mail_text(message)))
    assert (await client.post(f"{API}/auth/confirm-email", json={"token": token})).status_code == 204
    return token


async def _links(pool) -> set[tuple[str, str]]:
    rows = await pool.fetch("SELECT email, purpose FROM account_tokens")
    return {(r["email"], r["purpose"]) for r in rows}


async def _reset(client, email: str) -> None:
    assert (await client.post(f"{API}/auth/password-reset", json={"email": email})).status_code == 202


async def test_links_used_or_expired_over_a_week_ago_are_deleted_and_the_rest_kept(
        client, pool, redis, smtp, mail_settings):
    assert SPENT_KEPT_FOR == timedelta(days=7)
    # Day 0: Ada confirms her address (used) and asks for a reset she never uses (expires in an hour).
    await _register(client, "ada@example.org")
    ada_token = await _confirm(client, smtp, mail_settings, pool, redis, "ada@example.org")
    await _reset(client, "ada@example.org")
    # Day 2: Bea confirms hers (used); day 7: she asks for a reset (expired by day 8, a day ago).
    with clock.shifted(timedelta(days=2)):
        await _register(client, "bea@example.org")
        await _confirm(client, smtp, mail_settings, pool, redis, "bea@example.org")
    with clock.shifted(timedelta(days=7)):
        await _reset(client, "bea@example.org")
    # Day 8: Cora has just registered (live, unused).
    with clock.shifted(timedelta(days=8)):
        await _register(client, "cora@example.org")
    everything = await _links(pool)
    assert len(everything) == 5

    # Day 6: nothing is a week past yet; a used link still says why it no longer works.
    with clock.shifted(timedelta(days=6)):
        assert await purge_spent_account_links({"pool": pool}) == 0
        used = assert_problem(await client.post(f"{API}/auth/confirm-email", json={"token": ada_token}), 400)
        assert "already been used" in used["detail"]
    assert await _links(pool) == everything

    # Day 8: Ada's two are over a week past; Bea's (used on day 2, expired on day 7) and Cora's stay.
    with clock.shifted(timedelta(days=8)):
        assert await purge_spent_account_links({"pool": pool}) == 2
        assert await purge_spent_account_links({"pool": pool}) == 0  # a second run finds nothing more
    assert await _links(pool) == {("bea@example.org", "confirm_email"), ("bea@example.org", "reset_password"),
                                  ("cora@example.org", "confirm_email")}
    # Ada's used link, its row gone, is still refused (and her account is untouched).
    gone = assert_problem(await client.post(f"{API}/auth/confirm-email", json={"token": ada_token}), 400)
    assert "not valid" in gone["detail"]
    login = {"email": "ada@example.org", "password": PASSWORD}
    bearer = expect(await client.post(f"{API}/auth/token", json=login), 200)["access_token"]
    me = expect(await client.get(f"{API}/me", headers={"Authorization": f"Bearer {bearer}"}), 200)
    assert me["email_confirmed"] is True
