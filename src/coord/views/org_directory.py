"""What anyone may see without an account: public groups and public community events,
of one organization or of all. Unlisted and private things never appear here."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from coord.kernel import clock
from coord.views import queries


class PublicGroup(msgspec.Struct):
    id: UUID
    name: str
    description: str | None
    topic: str | None
    format: str
    join_policy: str
    timezone: str | None
    org_name: str
    org_slug: str
    next_session: datetime | None
    languages: list[str] = []


class ListedEvent(msgspec.Struct):
    """A community event as a list of events shows it (here, and on an organization's page)."""

    id: UUID
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    capacity: int | None
    confirmed_count: int
    languages: list[str]  # held in (ISO 639 codes)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.confirmed_count >= self.capacity


class PublicEvent(ListedEvent):
    org_name: str
    org_slug: str


async def home_timezone(conn: asyncpg.Connection) -> str | None:
    """The timezone of this installation's first organization: where most people signing up
    here live (the sign-up form's choice without JavaScript); None before there is one."""
    return await conn.fetchval(queries.FIRST_ORG_TIMEZONE)


async def public_groups(conn: asyncpg.Connection, org_id: UUID | None = None, limit: int = 100,
                        language: str | None = None) -> list[PublicGroup]:
    """`language`: only those held in it (an ISO 639 code)."""
    rows = await conn.fetch(queries.PUBLIC_GROUPS, org_id, limit, clock.now(), language)
    return [PublicGroup(**dict(r)) for r in rows]


async def public_events(conn: asyncpg.Connection, org_id: UUID | None = None, limit: int = 100,
                        language: str | None = None) -> list[PublicEvent]:
    rows = await conn.fetch(queries.PUBLIC_EVENTS, org_id, limit, clock.now(), language)
    return [PublicEvent(**dict(r)) for r in rows]


async def public_languages(conn: asyncpg.Connection, org_id: UUID | None = None) -> list[str]:
    """The languages public groups and events (of one organization, or all) are held in."""
    return [r["code"] for r in await conn.fetch(queries.PUBLIC_LANGUAGES, org_id, clock.now())]
