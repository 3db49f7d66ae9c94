"""Scheduling: creating a 52-occurrence series, and the first page of a big group's sessions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID

from bench.load import Request
from bench.registry import Context, benchmark, result

GROUP = {"name": "Tuesday group", "format": "peer_led", "visibility": "private", "join_policy": "approval"}


async def _group(ctx: Context, admin, org: dict) -> dict:
    return ctx.expect(await ctx.client.post(f"/api/v1/orgs/{org['id']}/groups", json=GROUP, headers=admin.headers), 201)


async def _fill(ctx: Context, group: dict, count: int) -> None:
    """`count` sessions, one a day from a year ago, inserted directly (setup, not the measure)."""
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=365)
    await ctx.pool.execute(
        """
        INSERT INTO sessions (group_id, org_id, starts_at, ends_at)
        SELECT $1, $2, $3::timestamptz + g * interval '1 day', $3::timestamptz + g * interval '1 day' + interval '90 minutes'
        FROM generate_series(1, $4) g
        """,
        UUID(group["id"]),
        UUID(group["org_id"]),
        start,
        count,
    )
    # VACUUM too: otherwise autovacuum wakes for the 100,000 new rows in the middle of the
    # measure and the ratio says more about the machine than about keyset pagination.
    await ctx.pool.execute("VACUUM ANALYZE sessions")


@benchmark("sessions_page_100k_vs_1k")
async def sessions_page_100k_vs_1k(ctx: Context) -> dict:
    """value: ms for the first page (50) of a group with 100,000 sessions; baseline: the same with 1,000."""
    admin = await ctx.user("pages")
    org = await ctx.org(admin)
    small, big = await _group(ctx, admin, org), await _group(ctx, admin, org)
    await _fill(ctx, small, 1_000)
    await _fill(ctx, big, 100_000)
    window = "from=2000-01-01T00:00:00Z&limit=50"

    async def first_page_ms(group: dict) -> float:
        request = Request("GET", f"/api/v1/groups/{group['id']}/sessions?{window}", headers=admin.headers)
        load = await ctx.http_load(request, expect=200, concurrency=1)
        return load.percentile(50) * 1000

    small_ms = await first_page_ms(small)
    big_ms = await first_page_ms(big)
    return result("sessions_page_100k_vs_1k", big_ms, "ms", baseline=small_ms)


@benchmark("series_create_52_ms")
async def series_create_52_ms(ctx: Context) -> dict:
    """Median ms to create a weekly series of 52 sessions through the API (one at a time)."""
    admin = await ctx.user("series")
    org = await ctx.org(admin)
    group = await _group(ctx, admin, org)
    start = (datetime.now(timezone.utc) + timedelta(days=7)).replace(hour=18, minute=30, second=0, microsecond=0)
    body = {"start": start.replace(tzinfo=None).isoformat(), "timezone": "America/New_York",
            "duration_minutes": 90, "rrule": f"FREQ=WEEKLY;BYDAY={start.strftime('%a').upper()[:2]};COUNT=52"}
    request = Request.json("POST", f"/api/v1/groups/{group['id']}/series", body, headers=admin.headers)
    load = await ctx.http_load(request, expect=201, concurrency=1, seconds=min(ctx.seconds, 3))
    return result("series_create_52_ms", load.percentile(50) * 1000, "ms")
