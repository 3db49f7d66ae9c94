"""Helpers for tests: real HTTP calls through the app, and real workers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from arq import Worker
from httpx import Response

from coord.outbox.relay import drain
from workers.routing import ROUTING
from workers.settings import worker_options

PASSWORD = "a long enough passphrase"
_counter = itertools.count(1)


@dataclass
class User:
    id: str
    email: str
    headers: dict[str, str]


def expect(response: Response, status: int) -> Any:
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    return response.json() if response.content else None


class Api:
    def __init__(self, client) -> None:
        self.client = client

    async def user(self, name: str = "", timezone: str | None = None, quiet_hours: bool = False) -> User:
        n = next(_counter)
        email = f"{name or 'user'}{n}@example.org"
        body = {"email": email, "password": PASSWORD, "display_name": name or f"User {n}"}
        if timezone:
            body["timezone"] = timezone
        created = expect(await self.client.post("/api/v1/auth/register", json=body), 201)
        token = expect(await self.client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}), 200)
        user = User(created["id"], email, {"Authorization": f"Bearer {token['access_token']}"})
        if not quiet_hours:
            # Tests run at any hour: without this, non-urgent mail would wait for morning.
            no_quiet = {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
            expect(await self.client.put("/api/v1/me/notifications", json=no_quiet, headers=user.headers), 200)
        return user

    async def org(self, admin: User, slug: str | None = None, timezone: str = "America/New_York") -> dict:
        slug = slug or f"org-{next(_counter)}"
        body = {"name": f"Org {slug}", "slug": slug, "timezone": timezone, "contact_email": f"hello@{slug}.example.org"}
        return expect(await self.client.post("/api/v1/orgs", json=body, headers=admin.headers), 201)

    async def member(self, org: dict, actor: User, user: User, *roles: str) -> dict:
        body = {"email": user.email, "roles": list(roles)}
        return expect(await self.client.post(f"/api/v1/orgs/{org['id']}/members", json=body, headers=actor.headers), 201)


async def run_jobs(settings, pool, redis) -> int:
    """Relay every committed event, then run a real arq worker in burst mode."""
    await drain(pool, redis, ROUTING)
    worker = Worker(**worker_options(settings, with_cron=False), burst=True, handle_signals=False)
    try:
        await worker.main()
    finally:
        await worker.close()
    return worker.jobs_complete
