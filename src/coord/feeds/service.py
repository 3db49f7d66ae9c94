"""Creating, listing and revoking private feeds (serving them: coord.feeds.serving)."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from redis.asyncio import Redis

from coord.i18n import gettext as _
from coord.kernel.access import require_member
from coord.kernel.config import Settings
from coord.kernel.errors import NotFound, Unprocessable
from coord.feeds import cache, queries
from coord.feeds.schemas import FeedCreatedOut, FeedIn, FeedOut
from coord.feeds.tokens import new_token

MAX_FEEDS_PER_USER = 50


async def create_feed(conn: asyncpg.Connection, settings: Settings, user_id: UUID, data: FeedIn) -> FeedCreatedOut:
    if data.scope == "org":
        if data.org_id is None:
            raise Unprocessable(_("choose the organization whose calendar this feed shows"), field="org_id")
        await require_member(conn, data.org_id, user_id)
    elif data.org_id is not None:
        raise Unprocessable(_("only an organization's feed names an organization"), field="org_id")
    if len(await conn.fetch(queries.LIST_FEEDS, user_id)) >= MAX_FEEDS_PER_USER:
        raise Unprocessable(_("at most %(max_feeds_per_user)s feeds per person; revoke one first") % {"max_feeds_per_user": MAX_FEEDS_PER_USER}, field="scope")
    token, token_hash = new_token()
    feed_id = await conn.fetchval(
        queries.INSERT_FEED, user_id, data.scope, data.org_id, data.discreet, data.label, token_hash
    )
    return FeedCreatedOut(
        id=feed_id,
        url=f"{settings.base_url}/feeds/{token}.ics",
        scope=data.scope,
        org_id=data.org_id,
        discreet=data.discreet,
    )


async def list_feeds(conn: asyncpg.Connection, user_id: UUID) -> list[FeedOut]:
    return [FeedOut(**dict(r)) for r in await conn.fetch(queries.LIST_FEEDS, user_id)]


async def revoke_feed(pool: asyncpg.Pool, redis: Redis, user_id: UUID, feed_id: UUID) -> str:
    """Delete the feed, commit, then drop its cached render: once this returns, its URL is a 404.

    The cache is dropped after the commit (not inside the request's transaction) so
    that no render that read the feed before the commit can be stored afterwards.
    Returns the cache key, for the caller to drop from its process's memory too."""
    async with pool.acquire() as conn, conn.transaction():
        token_hash = await conn.fetchval(queries.DELETE_FEED_RETURNING_HASH, feed_id, user_id)
    if token_hash is None:
        raise NotFound(_("no such feed"))
    key = cache.private_key(token_hash)
    await cache.forget(redis, [key])
    return key


async def count_feeds(conn: asyncpg.Connection, user_id: UUID, org_id: UUID | None) -> int:
    """How many feeds `end_feeds` would delete."""
    return await conn.fetchval(queries.OWN_FEEDS, user_id, org_id)


async def end_feeds(conn: asyncpg.Connection, user_id: UUID, org_id: UUID | None) -> list[bytes]:
    """Delete the person's feeds of one organization (leaving it), or every feed of theirs
    (`org_id` None: erasing the account). Returns the token hashes, whose cached renders
    the caller drops after the commit (see revoke_feed for why after), with cache.forget."""
    return [r["token_hash"] for r in await conn.fetch(queries.DELETE_OWN_FEEDS, user_id, org_id)]
