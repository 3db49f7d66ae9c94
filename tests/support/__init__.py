"""Helpers for tests: real HTTP calls through the app, and real workers.

The rest of tests/support/: world.py (an organization, groups, series, shifts and events
to test in, and what the outbox recorded), authz_world.py (the authorization matrices'
world), calendars.py (our .ics read back by independent parsers, iMIP parts), demo.py
(the demo organization's pages). Times come from tests/moments.py, browser-like page
visits from tests/pages.py. Fixtures live in conftest.py files; no test module imports
from another."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from arq.constants import default_queue_name
from arq.utils import timestamp_ms
import httpx
from httpx import Response

from coord.outbox.relay import drain
from tests.moments import now
from workers.registry import registry
from workers.settings import CoordWorker, worker_options

API = "/api/v1"
PASSWORD = "a long enough passphrase"
PROBLEM_KEYS = {"type", "title", "status", "detail"}
_counter = itertools.count(1)


@dataclass
class User:
    id: str
    email: str
    headers: dict[str, str]


def expect(response: Response, status: int) -> Any:
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    return response.json() if response.content else None


def shows_number(text: str, digits: str) -> bool:
    """Whether `digits` (a ZIP code, a street number) stand on their own in `text`: not inside
    a longer run of letters and digits, as ids, request ids and tokens hold any five digits now
    and then (a bare `"10018" in text` failed about once in ten thousand runs for that)."""
    return re.search(rf"(?<![0-9A-Za-z_-]){re.escape(digits)}(?![0-9A-Za-z_])", text) is not None


def assert_problem(response, status: int) -> dict:
    """`response` is an RFC 9457 problem with `status` (400 and 422 list their errors); its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert PROBLEM_KEYS <= body.keys()
    assert body["status"] == status
    if status in (400, 422):
        assert isinstance(body["errors"], list) and body["errors"], body
    return body


class Api:
    def __init__(self, client) -> None:
        self.client = client

    async def user(self, name: str = "", timezone: str | None = None, quiet_hours: bool = False) -> User:
        """An account ready to use: its address already confirmed (see `confirmed_account`),
        signed in through POST /auth/token. Registering as a person does, with the
        confirmation link mailed, is tested in tests/test_accounts.py."""
        n = next(_counter)
        email = f"{name or 'user'}{n}@example.org"
        body = {"email": email, "password": PASSWORD, "display_name": name or f"User {n}"}
        if timezone:
            body["timezone"] = timezone
        created = self.confirmed_account(body)
        token = expect(await self.client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}), 200)
        user = User(created["id"], email, {"Authorization": f"Bearer {token['access_token']}"})
        if not quiet_hours:
            # Tests run at any hour: without this, non-urgent mail would wait for morning.
            no_quiet = {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
            expect(await self.client.put("/api/v1/me/notifications", json=no_quiet, headers=user.headers), 200)
        return user

    def confirmed_account(self, body: dict[str, str]) -> dict[str, Any]:
        """TEST SHORTCUT: the account made the way the demo makes its own (coord.auth.service.register
        with confirmed=True, in the app's event loop and pool), so its address counts as confirmed and
        no confirmation link is mailed or left in the outbox. Returns the 201 body's fields."""
        from coord.auth import service
        from coord.auth.schemas import RegisterIn

        app = self.client.app

        async def register() -> dict[str, Any]:
            async with app.state.pool.acquire() as conn, conn.transaction():
                made = await service.register(conn, RegisterIn(**body), confirmed=True)
            return {"id": str(made.id), "email": made.email, "display_name": made.display_name}

        return self.client.blocking_portal.call(register)

    async def org(self, admin: User, slug: str | None = None, timezone: str = "America/New_York") -> dict:
        slug = slug or f"org-{next(_counter)}"
        body = {"name": f"Org {slug}", "slug": slug, "timezone": timezone, "contact_email": f"hello@{slug}.example.org"}
        return expect(await self.client.post("/api/v1/orgs", json=body, headers=admin.headers), 201)

    async def venue(self, org: dict, actor: User, name: str, **fields: str) -> dict:
        """In person with `address=`, or online with `kind="virtual", meeting_url=`."""
        body = {"name": name, "kind": "in_person", **fields}
        return expect(await self.client.post(f"/api/v1/orgs/{org['id']}/venues", json=body, headers=actor.headers), 201)

    async def member(self, org: dict, actor: User, user: User, *roles: str) -> dict:
        body = {"email": user.email, "roles": list(roles)}
        return expect(await self.client.post(f"/api/v1/orgs/{org['id']}/members", json=body, headers=actor.headers), 201)


async def wait_until(probe: Callable[[], Any], *, timeout: float = 10.0, interval: float = 0.05, what: str = "") -> Any:
    """The one way a test waits: poll `probe` (sync or async) until it returns something
    truthy, and return that; fail after `timeout` seconds saying what was awaited and last seen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = probe()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"waited {timeout}s for {what or probe}; last saw {value!r}")
        await asyncio.sleep(interval)


def wait_until_sync(probe: Callable[[], Any], *, timeout: float = 10.0, interval: float = 0.05, what: str = "") -> Any:
    """wait_until for code outside the event loop (subprocesses, files)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what or probe}; last saw {value!r}")
        time.sleep(interval)


def mail_text(message) -> str:
    """Everything a reader of `message` sees, decoded: headers and every part (text, HTML,
    calendar, attachments), iCalendar lines unfolded. Search this, never as_string(): the
    parts are base64, so a name in a body never shows in the raw message."""
    seen = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if not part.is_multipart():
            payload = part.get_payload(decode=True) or b""
            seen.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(seen).replace("\r\n ", "").replace("\n ", "")


def mail_html(message) -> str:
    """The message's HTML part, decoded."""
    [html] = [part for part in message.walk() if part.get_content_type() == "text/html"]
    return html.get_payload(decode=True).decode(html.get_content_charset() or "utf-8")


_INVITATION_LINK = re.compile(r"http://coord\.test/invitations/([A-Za-z0-9_-]{43})")


def invitation_links(smtp, address: str) -> list[str]:
    """The invitation tokens mailed to `address`, oldest first."""
    return [t for m in smtp.messages if m["To"] == address
            for t in dict.fromkeys(_INVITATION_LINK.findall(mail_text(m)))]


async def _send_all(app, requests: list[tuple]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://coord.test") as http:
        return await asyncio.gather(*(http.request(r[0], r[1], headers=r[2], **(r[3] if len(r) > 3 else {}))
                                      for r in requests))


def concurrently(client, requests: list[tuple]) -> list[httpx.Response]:
    """Send (method, url, headers[, {"json": ...} | {"data": ...}]) requests all at once on the
    app's own event loop. (Gathering the test client's calls would not: its transport answers
    each request before it takes the next.)"""
    return client.blocking_portal.call(_send_all, client.app, requests)


# A job deferred further than this (a follow-up waiting for its session's end, a message
# held for quiet hours) waits for coord's clock: run_jobs does not wait for it.
WAITS_FOR_THE_CLOCK_MS = 5000


class _BurstWorker(CoordWorker):
    """arq's burst worker, which would wait for every queued job however far it is deferred;
    this one sets aside the jobs deferred beyond WAITS_FOR_THE_CLOCK_MS (each poll), and
    run_jobs puts them back afterwards. Short waits (an SMTP retry's backoff) it still waits for."""

    set_aside: dict[str, float]

    async def _poll_iteration(self) -> None:
        await super()._poll_iteration()
        later = await self.pool.zrangebyscore(
            self.queue_name, timestamp_ms() + WAITS_FOR_THE_CLOCK_MS, float("inf"), withscores=True)
        for job_id, score in later:
            self.set_aside[job_id] = score
            await self.pool.zrem(self.queue_name, job_id)


async def run_jobs(settings, pool, redis) -> int:
    """Relay every committed event, then run a real arq worker in burst mode until no job is
    due. A deferred job (`_defer_by`, or arq's Retry) is due when coord's clock reaches its time:
    move the clock with `clock.shifted` and run_jobs again runs it, never earlier (arq's own
    clock is the real one: only the wait is stored, so a job is due at its score + the shift)."""
    await drain(pool, redis, registry.routing)
    queue, real = default_queue_name, timestamp_ms()
    ahead = now().timestamp() * 1000 - real  # how far coord's clock runs ahead of arq's (clock.shifted)
    if ahead > 0:
        for job_id in await redis.zrangebyscore(queue, real, real + ahead):
            await redis.zadd(queue, {job_id: real})  # due by coord's clock: due now
    worker = _BurstWorker(**worker_options(settings, with_cron=False), burst=True, handle_signals=False)
    worker.set_aside = {}
    try:
        await worker.main()
    finally:
        await worker.close()
        if worker.set_aside:
            await redis.zadd(queue, worker.set_aside)
    return worker.jobs_complete


# `python -m coord` with the suite's cheap password hashing (conftest), set before coord starts:
# granian forks its workers from that process, so they hash cheaply too. At production cost
# each login, registration and unknown-email check took ~100 ms of the 2-core box, and the
# API fuzz alone sends dozens. Production parameters are checked by
# tests/auth/test_auth.py::test_production_hashes_passwords_with_rfc_9106_parameters.
CHEAP_HASHING_COORD = [
    sys.executable, "-c",
    ("import sys; from argon2.profiles import CHEAPEST; from coord.auth.service import use_password_parameters; "
     "use_password_parameters(CHEAPEST); sys.argv[0] = 'coord'; from coord.cli import main; main()"),
]


@contextlib.contextmanager
def coord_serve(database_url: str, redis_url: str, data_dir: Path, log: Path, **env: str) -> Iterator[str]:
    """A real `coord serve` process on the given servers, ready (GET /ready is 200) before
    this yields its base URL; stopped afterwards. `env` adds or overrides COORD_* settings.
    It hashes passwords cheaply, as the suite does (CHEAP_HASHING_COORD)."""
    from coord.embedded import free_port
    from tests.conftest import TEST_SECRET

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
    environment.update(
        COORD_DATABASE_URL=database_url, COORD_REDIS_URL=redis_url, COORD_DATA_DIR=str(data_dir),
        COORD_HOST="127.0.0.1", COORD_PORT=str(port), COORD_SECRET_KEY=TEST_SECRET, COORD_BASE_URL=base,
        COORD_LOG_LEVEL="WARNING", COORD_LOGIN_ATTEMPTS_PER_MINUTE="100000",
    )
    environment.update(env)
    with open(log, "wb") as out:
        process = subprocess.Popen([*CHEAP_HASHING_COORD, "serve"], env=environment, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    # One client for every probe: httpx.get makes a client, and an SSL context, each time.
    probe = httpx.Client(timeout=2)

    def exited_or_ready() -> bool:
        if process.poll() is not None:
            return True
        try:
            return probe.get(base + "/ready").status_code == 200
        except httpx.TransportError:  # not listening yet
            return False

    try:
        try:
            wait_until_sync(exited_or_ready, timeout=120, interval=0.1, what="coord serve's GET /ready to answer 200")
        except AssertionError as late:
            raise AssertionError(f"{late}\n{log.read_text()}") from None
        finally:
            probe.close()
        assert process.poll() is None, "coord serve exited:\n" + log.read_text()
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
