"""The world a test runs in, built through the real API: an organization with people in
a role, groups, a group with its staff and series, shifts and events; and readers of
what the app recorded in the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.moments import NY, at, now
from tests.support import API, User, expect

GROUP = {"name": "Tuesday Peer Support", "format": "peer_led", "visibility": "public", "join_policy": "open"}


# --- organizations, groups, shifts and events --------------------------------------------


async def org_with_volunteers(api, count: int = 3) -> tuple[dict, User, list[User]]:
    """An organization, its admin, and `count` volunteers."""
    admin = await api.user("admin")
    org = await api.org(admin)
    volunteers = [await api.user("vol") for _ in range(count)]
    for v in volunteers:
        await api.member(org, admin, v, "volunteer")
    return org, admin, volunteers


async def make_group(client, org, user, **fields) -> dict:
    """A group of `org` created by `user`: GROUP's fields, overridden by `fields`."""
    body = {**GROUP, **fields}
    return expect(await client.post(f"{API}/orgs/{org['id']}/groups", json=body, headers=user.headers), 201)


async def make_shift(client, org, admin, **fields) -> dict:
    """A three-hour Greeter shift for two, two days ahead, unless `fields` say otherwise."""
    body = {"role": "Greeter", "starts_at": at(48), "ends_at": at(51), "capacity": 2} | fields
    return expect(await client.post(f"{API}/orgs/{org['id']}/shifts", json=body, headers=admin.headers), 201)


async def make_event(client, org, admin, **fields) -> dict:
    """A private training for two, three days ahead, unless `fields` say otherwise."""
    body = {
        "title": "Mental Health First Aid",
        "kind": "training",
        "starts_at": at(72),
        "ends_at": at(80),
        "timezone": "America/New_York",
        "visibility": "private",
        "capacity": 2,
    } | fields
    return expect(await client.post(f"{API}/orgs/{org['id']}/events", json=body, headers=admin.headers), 201)


# --- a group with staff, series and sessions -----------------------------------------------


class Setup:
    """An organization with staff, two facilitators of one group, and a participant member."""

    async def build(self, client, api, **group_fields) -> "Setup":
        self.client = client
        self.admin, self.coordinator = await api.user(), await api.user()
        self.facilitator, self.co_facilitator = await api.user(), await api.user()
        self.participant, self.bystander = await api.user(), await api.user()
        self.org = await api.org(self.admin)
        await api.member(self.org, self.admin, self.coordinator, "coordinator")
        for person in (self.facilitator, self.co_facilitator):
            await api.member(self.org, self.admin, person, "facilitator")
        for person in (self.participant, self.bystander):
            await api.member(self.org, self.admin, person, "participant")
        self.group = await make_group(client, self.org, self.admin, **group_fields)
        self.base = f"/api/v1/groups/{self.group['id']}"
        for person in (self.facilitator, self.co_facilitator):
            body = {"user_id": person.id, "role": "facilitator"}
            expect(await client.post(f"{self.base}/members", json=body, headers=self.admin.headers), 201)
        expect(await client.post(f"{self.base}/join", headers=self.participant.headers), 201)
        return self

    async def series(self, start: datetime, rrule: str, user=None, **extra) -> dict:
        body = {"start": start.isoformat(), "timezone": NY, "duration_minutes": 90, "rrule": rrule, **extra}
        response = await self.client.post(f"{self.base}/series", json=body, headers=(user or self.facilitator).headers)
        return expect(response, 201)

    async def sessions(self, user=None, **params) -> list[dict]:
        response = await self.client.get(f"{self.base}/sessions", params=params, headers=(user or self.admin).headers)
        return expect(response, 200)["items"]


async def setup(client, api, **group_fields) -> Setup:
    return await Setup().build(client, api, **group_fields)


async def past_session(s: Setup) -> dict:
    """A session that started an hour ago (series: daily, started two days back, in UTC: no DST gaps)."""
    start = (now() - timedelta(days=2, hours=1)).replace(second=0, microsecond=0, tzinfo=None)
    await s.series(start, "FREQ=DAILY;COUNT=4", timezone="UTC", facilitator_ids=[s.facilitator.id])
    items = await s.sessions()
    started = [i for i in items if datetime.fromisoformat(i["starts_at"]) < now()]
    return started[-1]


# --- what the outbox recorded ----------------------------------------------------------------


async def outbox(pool) -> list[tuple[str, dict]]:
    """Every outbox row as (kind, payload), oldest first."""
    rows = await pool.fetch("SELECT kind, payload FROM outbox ORDER BY id")
    return [(r["kind"], r["payload"]) for r in rows]


async def events_of(pool, kind: str) -> list[dict]:
    """The payloads of the outbox rows of one kind, oldest first."""
    async with pool.acquire() as conn:
        return [r["payload"] for r in await conn.fetch("SELECT payload FROM outbox WHERE kind = $1 ORDER BY id", kind)]
