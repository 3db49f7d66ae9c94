"""Processes and servers: `coord dev` up and down, data kept, outages survived."""

from __future__ import annotations

import asyncio
import email.policy
import json
import os
import re
import signal
import subprocess
import sys
import urllib.request

import psutil
import pytest
from litestar.testing import AsyncTestClient

from coord.app import create_app
from coord.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from tests.conftest import make_settings
from tests.support import mail_text, wait_until, wait_until_sync


def _http(method: str, url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"content-type": "application/json", **(headers or {})}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _wait_ready(base: str, process: subprocess.Popen, timeout: float = 90) -> None:
    def exited_or_ready() -> bool:
        if process.poll() is not None:
            return True
        try:
            return _http("GET", base + "/ready")[0] == 200
        except OSError:  # not listening yet
            return False

    wait_until_sync(exited_or_ready, timeout=timeout, interval=0.3, what="coord dev's GET /ready to answer 200")
    assert process.poll() is None, f"coord dev exited early with {process.returncode}"


def _mails(mail_dir) -> list[tuple[str, str]]:
    """(To, everything a reader sees) of each .eml file the development mail sink wrote."""
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in mail_dir.glob("*.eml")]
    return [(str(m["To"]), mail_text(m)) for m in messages]


def _processes_using(path: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline", "environ"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
            env = proc.info["environ"] or {}
        except (psutil.Error, TypeError):
            continue
        if path in cmdline or env.get("COORD_DATA_DIR") == path:
            found.append(proc)
    return found


def _start_dev(data_dir: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
    env.update(COORD_DATA_DIR=data_dir, COORD_PORT=str(port))
    return subprocess.Popen(
        [sys.executable, "-m", "coord", "dev"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )


def _ctrl_c(process: subprocess.Popen) -> int:
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    return process.wait(timeout=60)


@pytest.mark.slow
def test_coord_dev_runs_everything_keeps_data_and_leaves_nothing_behind(tmp_path):
    data_dir = str(tmp_path / "coord-data")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    account = {"email": "keeper@example.org", "password": "a long enough passphrase", "display_name": "Keeper"}

    first = _start_dev(data_dir, port)
    try:
        _wait_ready(base, first)
        assert _http("POST", base + "/api/v1/auth/register", account)[0] == 201
        friend = {**account, "email": "friend@example.org", "display_name": "Friend"}
        assert _http("POST", base + "/api/v1/auth/register", friend)[0] == 201
        status, token = _http("POST", base + "/api/v1/auth/token", {k: account[k] for k in ("email", "password")})
        assert status == 200
        # The friend has no quiet hours, so the welcome goes now whatever the hour.
        _, friend_token = _http("POST", base + "/api/v1/auth/token", {k: friend[k] for k in ("email", "password")})
        no_quiet = {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
        friend_auth = {"Authorization": f"Bearer {friend_token['access_token']}"}
        assert _http("PUT", base + "/api/v1/me/notifications", no_quiet, friend_auth)[0] == 200
        # The friend confirms their address from the link in the mail (nothing else goes to it before).
        mail_dir = tmp_path / "coord-data" / "mail"

        def confirmation_token() -> str | None:
            for to, text in _mails(mail_dir):
                found = re.search(r"/confirm-email\?token=([A-Za-z0-9_-]+)", text)
                if to == friend["email"] and found:
                    return found.group(1)
            return None

        link_token = wait_until_sync(confirmation_token, timeout=20, what="the friend's confirmation .eml")
        assert _http("POST", base + "/api/v1/auth/confirm-email", {"token": link_token})[0] == 204
        # The worker and relay run too: a new member's welcome lands in the mail sink.
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        org = {"name": "Dev Org", "slug": "dev-org", "timezone": "Europe/London", "contact_email": "o@example.org"}
        status, created = _http("POST", base + "/api/v1/orgs", org, auth)
        assert status == 201
        member = {"email": friend["email"], "roles": ["volunteer"]}
        assert _http("POST", f"{base}/api/v1/orgs/{created['id']}/members", member, auth)[0] == 201
        [welcome] = wait_until_sync(lambda: [to for to, text in _mails(mail_dir) if "Welcome to Dev Org" in text],
                                    timeout=20, what="the welcome .eml")
        assert welcome == "friend@example.org"
    finally:
        assert _ctrl_c(first) == 0
    # Ctrl-C must stop everything coord dev started (its servers may take a moment to exit).
    wait_until_sync(lambda: _processes_using(data_dir) == [], timeout=30,
                    what="every process coord dev started to exit")

    second = _start_dev(data_dir, port)
    try:
        _wait_ready(base, second)
        status, _ = _http("POST", base + "/api/v1/auth/token", {k: account[k] for k in ("email", "password")})
        assert status == 200, "the account must survive a restart"
    finally:
        assert _ctrl_c(second) == 0
    wait_until_sync(lambda: _processes_using(data_dir) == [], timeout=30,
                    what="every process coord dev started to exit")


def test_embedded_redis_keeps_data_across_a_restart(tmp_path):
    import redis

    server = EmbeddedRedis(tmp_path)
    url = server.start().url
    try:
        redis.Redis.from_url(url).set("kept", "yes")
    finally:
        server.stop()
    url = server.start().url
    try:
        assert redis.Redis.from_url(url).get("kept") == b"yes"
    finally:
        server.stop()


@pytest.fixture
def own_servers(tmp_path):
    """A PostgreSQL and a Redis of this test's own, to stop and start at will."""
    postgres, redis_server = EmbeddedPostgres(tmp_path / "pg"), EmbeddedRedis(tmp_path / "redis")
    pg_port, redis_port = free_port(), free_port()
    database_url = postgres.start(pg_port).url
    redis_url = redis_server.start(redis_port).url
    yield postgres, pg_port, redis_server, redis_port, database_url, redis_url
    redis_server.stop()
    postgres.stop()


async def test_ready_reports_outages_and_recovers_without_a_restart(own_servers, tmp_path):
    postgres, pg_port, redis_server, redis_port, database_url, redis_url = own_servers
    app = create_app(make_settings(database_url, redis_url, tmp_path))
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/ready")).status_code == 200

        redis_server.stop()
        down = await client.get("/ready")
        assert down.status_code == 503 and down.json()["redis"] != "ok" and down.headers["retry-after"]
        redis_server.start(redis_port)
        await wait_until(lambda: _ready(client), timeout=20, what="/ready to return to 200")

        await asyncio.to_thread(postgres.stop)
        down = await client.get("/ready")
        assert down.status_code == 503 and down.json()["database"] != "ok"
        # A request that needs the database gets a 503 problem, not a 500.
        response = await client.post("/api/v1/auth/token", json={"email": "a@example.org", "password": "whatever whatever"})
        assert response.status_code == 503 and response.headers["retry-after"]
        await asyncio.to_thread(postgres.start, pg_port)
        await wait_until(lambda: _ready(client), timeout=20, what="/ready to return to 200")
        assert (await client.get("/health")).status_code == 200


async def _ready(client) -> bool:
    return (await client.get("/ready")).status_code == 200
