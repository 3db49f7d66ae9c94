"""Accounts, tokens and their limits, through real HTTP requests."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from litestar.testing import AsyncTestClient

from coord.kernel import clock
from coord.app import create_app
from tests.conftest import make_settings
from tests.support import PASSWORD, expect
from tests.support import assert_problem


async def test_register_login_and_me(client, api):
    user = await api.user("ada", timezone="Europe/London")
    me = expect(await client.get("/api/v1/me", headers=user.headers), 200)
    assert me["id"] == user.id and me["email"] == user.email
    assert me["timezone"] == "Europe/London" and me["memberships"] == []


async def test_password_is_stored_as_argon2_hash(client, api, pool):
    user = await api.user()
    stored = await pool.fetchval("SELECT password_hash FROM users WHERE id = $1::uuid", user.id)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_production_hashes_passwords_with_rfc_9106_parameters():
    """The suite hashes cheaply (conftest); a process of coord's own keeps argon2id, t=3, 64 MiB, p=4."""
    probe = ("from argon2 import extract_parameters; from coord.auth.service import hasher as h, _DUMMY_HASH, "
             "PRODUCTION_PASSWORD_PARAMETERS as p; print(h.type.name, h.time_cost, h.memory_cost, h.parallelism, "
             "extract_parameters(_DUMMY_HASH) == p, h.verify(_DUMMY_HASH, 'coord-dummy-password-for-timing'))")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    # The unknown-email path verifies against a stored dummy hash: it costs what a real one costs.
    assert shown == ["ID", "3", "65536", "4", "True", "True"]


async def test_email_taken_is_409_whatever_its_case(client, api):
    user = await api.user()
    body = {"email": user.email.upper(), "password": PASSWORD, "display_name": "Again"}
    assert_problem(await client.post("/api/v1/auth/register", json=body), 409)


async def test_weak_passwords_and_bad_timezone_are_422(client):
    for password in ("short", "alice.smith@example.org", "my alice.smith password"):
        body = {"email": "alice.smith@example.org", "password": password, "display_name": "A"}
        problem = assert_problem(await client.post("/api/v1/auth/register", json=body), 422)
        assert problem["errors"][0]["field"] == "password"
    body = {"email": "b@example.org", "password": PASSWORD, "display_name": "B", "timezone": "Mars/Olympus"}
    assert assert_problem(await client.post("/api/v1/auth/register", json=body), 422)["errors"][0]["field"] == "timezone"


async def test_wrong_password_and_unknown_email_look_the_same(client, api):
    user = await api.user()
    wrong = await client.post("/api/v1/auth/token", json={"email": user.email, "password": "not the password"})
    unknown = await client.post("/api/v1/auth/token", json={"email": "nobody@example.org", "password": PASSWORD})
    assert_problem(wrong, 401)
    assert_problem(unknown, 401)
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_missing_bad_and_forged_tokens_are_401(client, api):
    assert_problem(await client.get("/api/v1/me"), 401)
    assert_problem(await client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}), 401)
    user = await api.user()
    token = user.headers["Authorization"].split()[1]
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    assert_problem(await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}), 401)


async def test_tokens_expire(client, app, api):
    user = await api.user()
    token = app.state.jwt_auth.create_token(
        identifier=user.id, token_expiration=timedelta(minutes=1), token_extras={"tv": 0}
    )
    headers = {"Authorization": f"Bearer {token}"}
    expect(await client.get("/api/v1/me", headers=headers), 200)  # valid until it expires: the 401 is the expiry
    with clock.shifted(timedelta(minutes=2)):  # coord's one clock: no sleeping
        assert_problem(await client.get("/api/v1/me", headers=headers), 401)


async def test_log_out_everywhere_revokes_every_token(client, api):
    user = await api.user()
    second = expect(await client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}), 200)
    assert (await client.post("/api/v1/auth/logout-all", headers=user.headers)).status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=user.headers), 401)
    other = {"Authorization": f"Bearer {second['access_token']}"}
    assert_problem(await client.get("/api/v1/me", headers=other), 401)
    fresh = expect(await client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}), 200)
    expect(await client.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh['access_token']}"}), 200)


async def test_login_is_rate_limited_per_client(database_url, redis_url, tmp_path, pool, redis):
    settings = make_settings(database_url, redis_url, tmp_path, COORD_LOGIN_ATTEMPTS_PER_MINUTE="5")
    async with AsyncTestClient(app=create_app(settings)) as client:
        statuses = []
        for _ in range(7):
            response = await client.post("/api/v1/auth/token", json={"email": "x@example.org", "password": "nope nope nope"})
            statuses.append(response.status_code)
        assert statuses[:5] == [401] * 5
        assert statuses[5:] == [429, 429]
        assert response.headers.get("retry-after")
        # The framework's limiter: the same problem type as coord's own account lock below.
        assert assert_problem(response, 429)["type"] == "urn:coord:problem:rate-limited"


async def test_login_is_locked_per_account_after_repeated_failures(client, api):
    user = await api.user()
    for _ in range(10):
        assert_problem(await client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong wrong"}), 401)
    # Even the right password waits now: the account is under attack.
    locked = await client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert assert_problem(locked, 429)["type"] == "urn:coord:problem:rate-limited"
    assert int(locked.headers["retry-after"]) > 0
    # Per account: another one, from the same client, still logs in.
    other = await api.user()
    expect(await client.post("/api/v1/auth/token", json={"email": other.email, "password": PASSWORD}), 200)
