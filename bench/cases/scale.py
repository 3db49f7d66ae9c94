"""Data size (issue 19.6): an organization with 100,000 members, 2,000 groups, 1,000,000
sessions and 50,000 shifts, against one at 1/100th of that, generated here with SQL.

Both organizations have the same shape per person (groups of 50 people meeting weekly,
500 sessions a group from about five years back to five years ahead, shifts spread over
two years), so what one person sees is the same size in both: only the tables grow. The
same person's pages and reads are timed in each (median of one request at a time, in
rounds that alternate the two organizations):
the shift board, My schedule, the coordination page (as an admin), a roster (a
facilitator's: a coordinator's holds every session of the organization, a hundred times
more), and a feed built and rendered from the database (in this process, nothing kept).
`scale_<what>_ms` is the big organization's time, its baseline the small one's; the aim
is a ratio of at most 2. Generating the big one takes a minute or two.
"""

from __future__ import annotations

import logging
import statistics
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit
from uuid import UUID

from bench.cases.pages import cookie_header, login
from bench.load import RawConnection, Request
from bench.registry import PASSWORD, Context, benchmark, result
from coord.calendar.render import render_whole
from coord.feeds import content

log = logging.getLogger("bench")

BIG = {"members": 100_000, "groups": 2_000, "shifts": 50_000, "shift_days": 730}
# A hundredth of everything, shifts over a hundredth of the time: a week of the shift board
# holds as many shifts in both (about 480), so the board's figure is about the table's size.
SMALL = {"members": 1_000, "groups": 20, "shifts": 500, "shift_days": 7}
SESSIONS_PER_GROUP = 500  # 1,000,000 in the big organization

# Each statement with the names of its parameters, in order.
FILL = [
    ("tag members now", """INSERT INTO users (email, display_name, email_confirmed_at)
       SELECT 'm' || g || '-' || $1 || '@scale.example.org', 'Member ' || g, $3 FROM generate_series(1, $2) g"""),
    ("org tag", """INSERT INTO org_members (org_id, user_id, roles)
       SELECT $1, id, '{participant,volunteer}' FROM users WHERE email LIKE '%-' || $2 || '@scale.example.org'"""),
    ("org groups", """INSERT INTO groups (org_id, name, format, visibility, join_policy, timezone)
       SELECT $1, 'Group ' || g, 'peer_led', 'public', 'open', 'America/New_York' FROM generate_series(1, $2) g"""),
    ("org groups", """INSERT INTO group_members (group_id, user_id, role, status)
       SELECT g.id, m.user_id, 'participant', 'active'
       FROM (SELECT user_id, row_number() OVER (ORDER BY user_id) AS n FROM org_members WHERE org_id = $1) m
       JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM groups WHERE org_id = $1) g
         ON g.n = m.n % $2 + 1"""),
    ("org now", """INSERT INTO sessions (group_id, org_id, starts_at, ends_at)
       SELECT g.id, $1, $2::timestamptz - interval '250 weeks' + w * interval '1 week' + (g.n % 7) * interval '1 day',
              $2::timestamptz - interval '250 weeks' + w * interval '1 week' + (g.n % 7) * interval '1 day' + interval '90 minutes'
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM groups WHERE org_id = $1) g
       CROSS JOIN generate_series(0, 499) w"""),
    ("org shifts now shift_days", """INSERT INTO shifts (org_id, role, starts_at, ends_at, capacity)
       SELECT $1, 'Greeter', $3::timestamptz - $4::int * interval '12 hours' + g * ($4::int * interval '1 day' / $2::int),
              $3::timestamptz - $4::int * interval '12 hours' + g * ($4::int * interval '1 day' / $2::int) + interval '2 hours', 3
       FROM generate_series(1, $2::int) g"""),
]


async def _organization(ctx: Context, admin, facilitator, size: dict[str, int], tag: str) -> dict:
    """An organization of `size`, with the measured person (`admin`: every role) in three of
    its groups, facilitating a fourth (with `facilitator`, who has no other role, for the
    roster), and signed up for five coming shifts."""
    org = await ctx.org(admin)
    org_id = UUID(org["id"])
    now = datetime.now(timezone.utc).replace(microsecond=0)
    began = time.monotonic()
    values = {"org": org_id, "tag": tag, "now": now, **size}
    for names, statement in FILL:
        await ctx.pool.execute(statement, *(values[name] for name in names.split()), timeout=1200)
    me = UUID(admin.id)
    await ctx.pool.execute("UPDATE org_members SET roles = '{admin,coordinator,facilitator,volunteer,participant}' "
                           "WHERE org_id = $1 AND user_id = $2", org_id, me)
    groups = [r["id"] for r in await ctx.pool.fetch("SELECT id FROM groups WHERE org_id = $1 ORDER BY id LIMIT 4", org_id)]
    await ctx.pool.executemany("INSERT INTO group_members (group_id, user_id, role, status) VALUES ($1, $2, $3, 'active') "
                               "ON CONFLICT (group_id, user_id) DO UPDATE SET role = excluded.role",
                               [(g, me, "participant") for g in groups[:3]] + [(groups[3], me, "facilitator")])
    helper = UUID(facilitator.id)
    await ctx.pool.execute("INSERT INTO org_members (org_id, user_id, roles) VALUES ($1, $2, '{facilitator}')",
                           org_id, helper)
    await ctx.pool.execute("INSERT INTO group_members (group_id, user_id, role, status) "
                           "VALUES ($1, $2, 'facilitator', 'active')", groups[3], helper)
    for person in (me, helper):
        await ctx.pool.execute("INSERT INTO session_facilitators (session_id, user_id) "
                               "SELECT id, $2 FROM sessions WHERE group_id = $1", groups[3], person)
    await ctx.pool.execute("""INSERT INTO signups (shift_id, user_id, status)
                              SELECT id, $2, 'confirmed' FROM shifts WHERE org_id = $1 AND starts_at > $3
                              ORDER BY starts_at LIMIT 5""", org_id, me, now)
    await ctx.pool.execute("VACUUM ANALYZE")  # as a database that has lived with its data would be
    log.info("  organization %s: %s members, %s groups, %s sessions, %s shifts in %.0fs", tag, size["members"],
             size["groups"], size["groups"] * SESSIONS_PER_GROUP, size["shifts"], time.monotonic() - began)
    return org


# Rounds of the interleaved measure, and requests of each page in a round.
INTERLEAVED_ROUNDS = 8
REQUESTS_PER_ROUND = 5


async def _page_ms(ctx: Context, request: Request, count: int) -> list[float]:
    """`count` requests one at a time on one keep-alive connection (after one unmeasured)."""
    parts = urlsplit(ctx.base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    data, connection, times = request.encode(f"{host}:{port}"), RawConnection(host, port), []
    try:
        for index in range(count + 1):
            began = time.perf_counter()
            status, body = await connection.send(data)
            if status != 200:
                raise AssertionError(f"{request.method} {request.path}: {status} {body[:300]!r}")
            if index:
                times.append((time.perf_counter() - began) * 1000)
    finally:
        connection.close()
    return times


async def _feed_ms(ctx: Context, user_id: UUID, count: int) -> list[float]:
    view = content.View(ctx.base_url)
    times = []
    for _ in range(count):
        began = time.perf_counter()
        async with ctx.pool.acquire() as conn:
            rows = await content.load_mine(conn, user_id)
        render_whole(content.calendar(rows, view, name="My schedule", calendar_uid="scale@coord"))
        times.append((time.perf_counter() - began) * 1000)
    return times


class _Subject:
    """One organization's measured person, signed in, and what is timed for them."""

    def __init__(self, org: dict, person, facilitator, cookies: dict[str, str]) -> None:
        self.person = person
        self.pages = {
            "shift_board": Request("GET", f"/shifts?org={org['slug']}", cookies),
            "my_schedule": Request("GET", "/me", cookies),
            "coordination_page": Request("GET", f"/orgs/{org['slug']}/coordination", cookies),
            "roster": Request("GET", f"/api/v1/orgs/{org['id']}/roster", facilitator.headers),
        }

    async def measure(self, ctx: Context, what: str, count: int) -> list[float]:
        if what == "feed":
            return await _feed_ms(ctx, UUID(self.person.id), count)
        return await _page_ms(ctx, self.pages[what], count)


MEASURES = ("shift_board", "my_schedule", "coordination_page", "roster", "feed")


@benchmark("scale_100k_members")
async def scale_100k_members(ctx: Context) -> list[dict]:
    """Both organizations are built first; then each figure is measured in rounds that
    alternate small and big, so load that comes and goes on a shared machine falls on
    both sides of a ratio alike (timing all of one and then all of the other let a busy
    minute move every ratio, the untouched ones too)."""
    subjects, pages = {}, []
    for size, tag in ((SMALL, "small"), (BIG, "big")):
        person, facilitator = await ctx.user(f"scale-{tag}"), await ctx.user(f"scale-facilitator-{tag}")
        org = await _organization(ctx, person, facilitator, size, tag)
        page = await login(ctx.base_url, person.email, PASSWORD)
        pages.append(page)
        subjects[tag] = _Subject(org, person, facilitator, cookie_header(page))
    try:
        times: dict[tuple[str, str], list[float]] = {(tag, what): [] for tag in subjects for what in MEASURES}
        for round_ in range(INTERLEAVED_ROUNDS):
            for what in MEASURES:
                order = ("small", "big") if round_ % 2 == 0 else ("big", "small")
                for tag in order:
                    times[tag, what] += await subjects[tag].measure(ctx, what, REQUESTS_PER_ROUND)
    finally:
        for page in pages:
            await page.aclose()
    medians = {key: statistics.median(values) for key, values in times.items()}
    for what in MEASURES:
        log.info("  %-18s small %7.2f ms  big %7.2f ms", what, medians["small", what], medians["big", what])
    return [result(f"scale_{what}_ms", medians["big", what], "ms", baseline=medians["small", what]) for what in MEASURES]
