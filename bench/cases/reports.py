"""Reports (issue 18): an organization with 100,000 attendance rows over two years, and the
time to render its 24-month report through the API, against a plain count(*) of the same rows.

The data, inserted with SQL: 2,000 people (a third Spanish, a third without a language), 10
weekly groups over 104 weeks (1,040 sessions, every 20th cancelled) with about 96 of a group's
200 people recorded each week, two shifts a week with five volunteers, an event a month.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta, timezone
from uuid import UUID

from bench.registry import Context, benchmark, result

GROUPS, WEEKS, PEOPLE, PER_SESSION = 10, 104, 2000, 96
ROUNDS = 15

COUNT_ROWS = """
SELECT count(*) FROM attendance a JOIN sessions s ON s.id = a.session_id
WHERE s.org_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3
"""


async def _world(ctx: Context) -> tuple[dict, object]:
    admin = await ctx.user("reports")
    org = await ctx.org(admin)
    org_id = UUID(org["id"])
    first = (datetime.now(timezone.utc) - timedelta(weeks=WEEKS)).replace(hour=18, minute=0, second=0, microsecond=0)
    async with ctx.pool.acquire() as conn, conn.transaction():
        await conn.execute(
            """CREATE TEMP TABLE bench_people ON COMMIT DROP AS
               SELECT g AS n, gen_random_uuid() AS id FROM generate_series(0, $1 - 1) g""", PEOPLE)
        await conn.execute(
            """INSERT INTO users (id, display_name, locale)
               SELECT id, 'Person ' || n, (ARRAY['en', 'es', NULL])[n % 3 + 1] FROM bench_people""")
        for g in range(GROUPS):
            group_id = await conn.fetchval(
                """INSERT INTO groups (org_id, name, format, visibility, join_policy, timezone)
                   VALUES ($1, $2, 'peer_led', 'private', 'approval', 'America/New_York') RETURNING id""",
                org_id, f"Group {g}")
            await conn.execute(
                """INSERT INTO sessions (group_id, org_id, starts_at, ends_at, status)
                   SELECT $1, $2, $3::timestamptz + w * interval '1 week' + $4::int * interval '1 hour',
                          $3::timestamptz + w * interval '1 week' + $4::int * interval '1 hour' + interval '90 minutes',
                          CASE WHEN w % 20 = 7 THEN 'cancelled' ELSE 'completed' END
                   FROM generate_series(0, $5 - 1) w""", group_id, org_id, first, g, WEEKS)
            # A group's 200 people; each week a different 96 of them (by a rotating window).
            await conn.execute(
                """INSERT INTO attendance (session_id, user_id, status)
                   SELECT s.id, p.id, CASE WHEN (p.n + w.k) % 13 = 0 THEN 'absent'
                                           WHEN (p.n + w.k) % 17 = 0 THEN 'excused' ELSE 'present' END
                   FROM (SELECT id, row_number() OVER (ORDER BY starts_at) AS k FROM sessions
                         WHERE group_id = $1 AND status <> 'cancelled') w
                   JOIN sessions s ON s.id = w.id
                   JOIN bench_people p ON p.n % $2 = $3 AND ((p.n / $2) + w.k * 7) % 200 < $4""",
                group_id, GROUPS, g, PER_SESSION)
        shifts = await conn.fetch(
            """INSERT INTO shifts (org_id, role, starts_at, ends_at, capacity)
               SELECT $1, 'Greeter', $2::timestamptz + d * interval '3 days', $2::timestamptz + d * interval '3 days' + interval '3 hours', 6
               FROM generate_series(0, $3 * 2 - 1) d RETURNING id""", org_id, first, WEEKS)
        await conn.execute(
            """INSERT INTO signups (shift_id, user_id, status, hours, checked_in_at)
               SELECT sh.id, p.id, 'confirmed', CASE WHEN p.n % 2 = 0 THEN 3 END, now()
               FROM unnest($1::uuid[]) WITH ORDINALITY sh(id, k)
               JOIN bench_people p ON p.n BETWEEN (k * 5) % 1900 AND (k * 5) % 1900 + 4""",
            [r["id"] for r in shifts])
        await conn.execute(
            """INSERT INTO events (org_id, title, kind, starts_at, ends_at, timezone, visibility)
               SELECT $1, 'Open day', 'community', $2::timestamptz + m * interval '30 days', $2::timestamptz + m * interval '30 days'
                      + interval '2 hours', 'America/New_York', 'public'
               FROM generate_series(0, 23) m""", org_id, first)
    await ctx.pool.execute("ANALYZE")
    return org, admin


def _month(moment: datetime) -> str:
    return f"{moment.year}-{moment.month:02d}"


@benchmark("report_render_ms")
async def report_render_ms(ctx: Context) -> dict:
    """value: median ms of GET /api/v1/orgs/{id}/reports for 24 months over 100,000 attendance
    rows (must stay under 300); baseline: median ms of count(*) over the same rows, in SQL."""
    org, admin = await _world(ctx)
    now = datetime.now(timezone.utc)
    start = now - timedelta(weeks=WEEKS - 5)
    params = {"period": "month", "from": _month(start), "to": _month(now)}
    rows = await ctx.pool.fetchval(COUNT_ROWS, UUID(org["id"]), start - timedelta(days=40), now)
    assert rows >= 90_000, f"only {rows} attendance rows"
    url = f"/api/v1/orgs/{org['id']}/reports"
    ctx.expect(await ctx.client.get(url, params=params, headers=admin.headers), 200)  # warm
    report, counting = [], []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        ctx.expect(await ctx.client.get(url, params=params, headers=admin.headers), 200)
        report.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        await ctx.pool.fetchval(COUNT_ROWS, UUID(org["id"]), start - timedelta(days=40), now)
        counting.append((time.perf_counter() - began) * 1000)
    return result("report_render_ms", statistics.median(report), "ms", baseline=statistics.median(counting))
