"""Authenticated GET /api/v1/me against the same SQL issued directly with asyncpg."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from bench.cases.signup import ROUNDS, taking_turns
from bench.load import Request
from bench.registry import Context, benchmark, result
from coord.auth import queries

# The profile read of GET /me as it was when issue 19 set the aim (its baseline is kept, so the
# ratio stays comparable): coord.auth.service.me now reads profile and memberships in one
# statement (queries.ME), which over raw asyncpg is faster than these three.
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
    """value: GET /api/v1/me req/s; baseline: its three queries per op, one pool acquire, same
    concurrency; the two take turns in ROUNDS windows each (taking_turns), so a slower stretch of
    a shared machine falls on both."""
    user = await ctx.user("me")
    await ctx.org(user)  # one membership, so the MEMBERSHIPS join returns a row
    me = ctx.expect(await ctx.client.get("/api/v1/me", headers=user.headers), 200)
    assert me["id"] == user.id and len(me["memberships"]) == 1, me

    request = Request("GET", "/api/v1/me", headers=user.headers)
    raw = await raw_me(ctx, UUID(user.id))
    loads = await taking_turns(ctx, {
        "http": lambda window: ctx.http_load(request, expect=200, concurrency=32, seconds=window),
        "raw": lambda window: ctx.ops_load(raw, concurrency=32, seconds=window),
    }, ROUNDS)
    return result("me_http_vs_raw", loads["http"].rate, "req/s", baseline=loads["raw"].rate, cpu=loads)
