"""Authenticated GET /api/v1/me against the same SQL issued directly with asyncpg."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from bench.load import Request
from bench.registry import Context, benchmark, result
from coord.auth import queries

# Mirrors coord.auth.service.me (the query is inline there).
ME = "SELECT id, email, display_name, timezone FROM users WHERE id = $1"


async def raw_me(ctx: Context, user_id: UUID) -> Callable[[int], Awaitable[bool]]:
    """The baseline op: the endpoint's three queries on one pooled connection."""
    version = await ctx.pool.fetchval("SELECT token_version FROM users WHERE id = $1", user_id)

    async def op(_worker: int) -> bool:
        async with ctx.pool.acquire() as conn:
            current = await conn.fetchrow(queries.USER_FOR_TOKEN, user_id, version)
            profile = await conn.fetchrow(ME, user_id)
            memberships = await conn.fetch(queries.MEMBERSHIPS, user_id)
        return current is not None and profile is not None and len(memberships) == 1

    return op


@benchmark("me_http_vs_raw")
async def me_http_vs_raw(ctx: Context) -> dict:
    """value: GET /api/v1/me req/s; baseline: its three queries per op, one pool acquire, same concurrency."""
    user = await ctx.user("me")
    await ctx.org(user)  # one membership, so the MEMBERSHIPS join returns a row
    me = ctx.expect(await ctx.client.get("/api/v1/me", headers=user.headers), 200)
    assert me["id"] == user.id and len(me["memberships"]) == 1, me

    http = await ctx.http_load(Request("GET", "/api/v1/me", headers=user.headers), expect=200, concurrency=32)

    raw = await ctx.ops_load(await raw_me(ctx, UUID(user.id)), concurrency=32)
    return result("me_http_vs_raw", http.rate, "req/s", baseline=raw.rate)
