"""Serving feeds: the cache first, a render on a miss, and HTTP validators.

The hit path is one Redis read and no database work: a 304 reads only the
validators, usually from this process's memory (coord.feeds.local) without any I/O. A miss reads the feed in one read-only REPEATABLE READ snapshot,
renders outside the connection, and stores the result (see coord.feeds.cache).
`last_fetched_at` is written at most once a minute per feed, after the response.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from uuid import UUID

import asyncpg
from redis.asyncio import Redis

from coord import i18n
from coord.i18n import gettext as _
from coord.kernel.access import STAFF, org_roles
from coord.calendar import render_calendar
from coord.kernel.config import Settings
from coord.kernel.errors import NotFound
from coord.feeds import cache, content, queries
from coord.feeds.local import LocalValidators
from coord.feeds.tokens import hash_token, matches, well_formed

log = logging.getLogger("coord.feeds")

# One answer for malformed, unknown and revoked feed URLs: no hint which.
NO_SUCH_FEED = "no such feed"
PRIVATE_CACHE_CONTROL = "private, no-cache"  # always revalidate: a change or a revocation shows at once
PUBLIC_CACHE_CONTROL = "public, max-age=300"
TOUCH_EVERY_SECONDS = 60
_TOUCHED_MAX = 100_000


# A feed's own names, called in the feed owner's language (an organization's name is its own).
def _my_schedule() -> str:
    return _("My schedule")


def _schedule() -> str:
    return _("Schedule")


@dataclass(frozen=True)
class Served:
    status: int  # 200 or 304
    meta: cache.Meta
    body: bytes | None
    cache_control: str


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def none_match(header: str | None, etag: str) -> bool:
    """If-None-Match says the client holds this representation (weak comparison, RFC 9110)."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


async def _answer(
    redis: Redis, local: LocalValidators | None, key: str, if_none_match: str | None, cache_control: str
) -> Served | None:
    """From the cache, or None on a miss: validators only when they may suffice,
    from this process's memory when it holds them."""
    epoch = local.epoch if local else 0
    if if_none_match is not None:
        meta = local.get(key) if local else None
        if meta is None:
            entry = await cache.lookup(redis, key, with_body=False)
            if entry is None:
                return None
            meta = entry.meta
            if local:
                local.put(key, meta, epoch)
        if none_match(if_none_match, meta.etag):
            return Served(304, meta, None, cache_control)
    entry = await cache.lookup(redis, key, with_body=True)
    if entry is None:
        return None
    if local:
        local.put(key, entry.meta, epoch)
    return Served(200, entry.meta, entry.body, cache_control)


async def _rendered(
    redis: Redis, key: str, started_at: bytes, body: bytes, last_modified: datetime, feed_id: UUID | None,
    if_none_match: str | None, cache_control: str,
) -> Served:
    meta = cache.Meta(etag_of(body), http_date(last_modified), feed_id)
    await cache.store(redis, key, started_at, meta, body)
    if none_match(if_none_match, meta.etag):
        return Served(304, meta, None, cache_control)
    return Served(200, meta, body, cache_control)


@dataclass(frozen=True)
class _Read:
    """What one read of a feed found: its rows, how to present and name them, and since
    when it exists (its Last-Modified while nothing in it has changed)."""

    rows: content.FeedRows
    view: content.View
    name: Callable[[], str]  # called in the feed's language
    calendar_uid: str
    since: datetime
    feed_id: UUID | None
    language: i18n.Choice  # the feed owner's (the organization's, for its public feed): never the caller's


async def _serve(
    pool: asyncpg.Pool, redis: Redis, local: LocalValidators | None, key: str, if_none_match: str | None,
    cache_control: str, read: Callable[[asyncpg.Connection], Awaitable[_Read]],
) -> Served:
    """The cached answer for `key`; on a miss `read(conn)` in one read-only REPEATABLE READ
    snapshot, rendered outside the connection and stored."""
    hit = await _answer(redis, local, key, if_none_match, cache_control)
    if hit is not None:
        return hit
    started_at = await cache.generation(redis, key)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        found = await read(conn)
    # The words coord adds ("Group session", "Online", the calendar's name) in the reader's language.
    language = i18n.ACTIVE.set(found.language)
    try:
        cal = content.calendar(found.rows, found.view, name=found.name(), calendar_uid=found.calendar_uid)
    finally:
        i18n.ACTIVE.reset(language)
    body = render_calendar(cal)
    return await _rendered(
        redis, key, started_at, body, content.last_change(found.rows, found.since), found.feed_id,
        if_none_match, cache_control,
    )


async def private_feed(
    pool: asyncpg.Pool, redis: Redis, local: LocalValidators | None, settings: Settings, token: str,
    if_none_match: str | None,
) -> Served:
    """A personal feed by its secret; NotFound for anything but a live feed."""
    if not well_formed(token):
        raise NotFound(NO_SUCH_FEED)
    token_hash = hash_token(token)

    async def read(conn: asyncpg.Connection) -> _Read:
        feed = await conn.fetchrow(queries.FEED_BY_HASH, token_hash)
        if feed is None or not matches(token, feed["token_hash"]):
            raise NotFound(NO_SUCH_FEED)
        org_locale = None
        if feed["scope"] == "mine":
            rows = await content.load_mine(conn, feed["user_id"])
            name = _my_schedule
        else:
            roles = await org_roles(conn, feed["org_id"], feed["user_id"])
            if not roles:  # no longer a member: the feed shows nothing, so it is no feed
                raise NotFound(NO_SUCH_FEED)
            org = await conn.fetchrow(queries.ORG_FOR_FEED, feed["org_id"])
            rows = await content.load_org(conn, feed["org_id"], feed["user_id"], bool(roles.intersection(STAFF)))
            name, org_locale = (lambda: org["name"]), org["default_locale"]
        if feed["discreet"]:
            name = _my_schedule if feed["scope"] == "mine" else _schedule
        view = content.View(settings.base_url, discreet=feed["discreet"])
        return _Read(rows, view, name, f"feed-{feed['id']}@coord", feed["created_at"], feed["id"],
                     i18n.Choice(saved=feed["locale"], org_default=org_locale))

    return await _serve(pool, redis, local, cache.private_key(token_hash), if_none_match, PRIVATE_CACHE_CONTROL, read)


async def public_events(
    pool: asyncpg.Pool, redis: Redis, local: LocalValidators | None, settings: Settings, slug: str,
    if_none_match: str | None,
) -> Served:
    """An organization's public community events; NotFound for an unknown slug."""
    async def read(conn: asyncpg.Connection) -> _Read:
        org = await conn.fetchrow(queries.ORG_BY_SLUG, slug)
        if org is None:
            raise NotFound(_("no such organization"))
        rows = await content.load_public(conn, org["id"])
        view = content.View(settings.base_url, public=True)
        return _Read(rows, view, lambda: _("%(org)s: community events") % {"org": org["name"]},
                     f"org-{org['id']}-events@coord",
                     org["created_at"], None, i18n.Choice(org_default=org["default_locale"]))

    return await _serve(pool, redis, local, cache.public_key(slug), if_none_match, PUBLIC_CACHE_CONTROL, read)


# ------------------------------------------------------------------ last_fetched_at

_touched: dict[UUID, float] = {}


def touch_due(feed_id: UUID) -> bool:
    """True at most once a minute per feed in this process (no I/O: runs on every hit)."""
    now = time.monotonic()
    last = _touched.get(feed_id)
    if last is not None and now - last < TOUCH_EVERY_SECONDS:
        return False
    if len(_touched) >= _TOUCHED_MAX:
        _touched.clear()
    _touched[feed_id] = now
    return True


async def touch(pool: asyncpg.Pool, redis: Redis, feed_id: UUID) -> None:
    """Record a fetch, at most once a minute per feed across all processes."""
    try:
        if await redis.set(f"coord:feedtouch:{feed_id}", b"1", nx=True, ex=TOUCH_EVERY_SECONDS):
            await pool.execute(queries.TOUCH_FEED, feed_id)
    except Exception as exc:  # bookkeeping only: the feed was served already
        log.warning("could not record a feed fetch: %s: %s", type(exc).__name__, exc)
