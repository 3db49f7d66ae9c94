"""Shift signups through HTTP against the same transaction issued with asyncpg."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from bench.environment import SECRET_KEY
from bench.load import LoadResult, Request
from bench.registry import Context, benchmark, log, result
from bench.wrk import made_ahead
from coord.auth.security import build_jwt_auth
from coord.kernel.config import load_settings
from coord.shifts.signups import sign_up

USERS = 400
SHIFTS = 400  # USERS x SHIFTS distinct (person, shift) pairs: every request is a new signup


def volunteers_for(seconds: float, warmup: float, windows: int) -> int:
    """Volunteers enough that each request of `seconds` of load over `windows` windows is a new
    (volunteer, shift) pair with SHIFTS shifts: wrk is given its requests ahead, for each window
    and its warm-up (bench.wrk.made_ahead). With 400 always, a run of 40 s or more ran out of
    pairs (StopIteration)."""
    needed = windows * (made_ahead(seconds / windows) + made_ahead(warmup))
    return max(USERS, -(-needed // SHIFTS))


def volunteers_taking_turns(ctx: Context, rounds: int) -> int:
    """volunteers_for a load that runs in taking_turns' windows, the warm-up's included."""
    windows = rounds + WARM_UP_ROUNDS
    return volunteers_for(ctx.seconds / rounds * windows, ctx.warmup, windows)


async def _volunteers(ctx: Context, org_id: UUID, count: int, tag: str) -> list[UUID]:
    """Accounts made with SQL (argon2 registration would dominate the setup)."""
    rows = await ctx.pool.fetch(
        """
        INSERT INTO users (email, display_name, email_confirmed_at)
        SELECT 'v' || $2 || g || '@bench.example.org', 'Volunteer ' || g, now() FROM generate_series(1, $1) g
        RETURNING id
        """,
        count,
        tag,
    )
    ids = [r["id"] for r in rows]
    await ctx.pool.executemany(
        "INSERT INTO org_members (org_id, user_id, roles) VALUES ($1, $2, ARRAY['volunteer'])",
        [(org_id, user_id) for user_id in ids],
    )
    return ids


async def _shifts(ctx: Context, org_id: UUID, count: int) -> list[UUID]:
    """Shifts two hours apart, so one person's signups never overlap."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    rows = await ctx.pool.fetch(
        """
        INSERT INTO shifts (org_id, role, starts_at, ends_at, capacity)
        SELECT $1, 'Greeter', $2::timestamptz + g * interval '2 hours', $2::timestamptz + g * interval '2 hours' + interval '90 minutes', 1000000
        FROM generate_series(1, $3) g
        RETURNING id
        """,
        org_id,
        start,
        count,
    )
    return [r["id"] for r in rows]


async def seeded(ctx: Context, org_id: UUID, tag: str) -> None:
    """Signups already in the table before its statistics are taken, as a service in operation
    has them: SEED_VOLUNTEERS volunteers, each signed up for SEED_EACH of as many shifts (a year
    after the measured ones, so no overlap check meets them). On a table analyzed empty, every
    statement of a signup is planned as for an empty table: a pooled connection that made its
    plans while the table was still small cached sequential scans of `signups` as its generic
    plans (the waitlist tally, the person's status on the shift, the overlap check), and no
    autoanalyze came within the run to replan them (autovacuum visits a database once a
    minute). As the table grew those connections' signups cost PostgreSQL 1.7 to 5 times the
    CPU. coord's connections, which plan in the first window, caught it in about a third of the
    runs, the raw loop's, which first run when the table already holds a window's signups,
    seldom (session 28: HTTP windows at 536-1,250 signups a second with PostgreSQL at 1.0-1.5
    cores; perf showed SeqNext, uuid_eq and textne, the tally's filter; EXPLAIN EXECUTE on a
    connection planned that way, three sequential scans of all 6,000 rows a signup)."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=400)
    users = await _volunteers(ctx, org_id, SEED_VOLUNTEERS, tag)
    await ctx.pool.execute(
        """
        WITH seed_shifts AS (
            INSERT INTO shifts (org_id, role, starts_at, ends_at, capacity)
            SELECT $1, 'Greeter', $2::timestamptz + g * interval '2 hours', $2::timestamptz + g * interval '2 hours' + interval '90 minutes', 1000000
            FROM generate_series(0, $3 - 1) g
            RETURNING id, starts_at
        ), numbered AS (
            SELECT id, (row_number() OVER (ORDER BY starts_at) - 1)::int AS n FROM seed_shifts
        )
        INSERT INTO signups (shift_id, user_id, status)
        SELECT numbered.id, volunteer.id, 'confirmed'
        FROM unnest($4::uuid[]) WITH ORDINALITY AS volunteer (id, n), generate_series(0, $5 - 1) k, numbered
        WHERE numbered.n = (volunteer.n - 1 + k) % $3
        """,
        org_id,
        start,
        SEED_VOLUNTEERS,
        users,
        SEED_EACH,
    )


async def analyzed(ctx: Context) -> None:
    """Planner statistics for the rows just made, as autovacuum would have them in service, and
    no autovacuum left running from earlier benchmarks (its CPU would land on one load alone).
    Without statistics the first load ran on tables the planner still believed empty: it checked a
    volunteer's overlapping shifts with a sequential scan of shifts per earlier signup (2,200
    rows read per signup against 40 with the index), while the second load, started after
    autoanalyze had caught up, used the index, so the ratio measured the planner's timing."""
    await ctx.pool.execute("VACUUM ANALYZE users, org_members, shifts, signups")
    deadline = time.monotonic() + AUTOVACUUM_WAIT_S
    while time.monotonic() < deadline and await ctx.pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"):
        await asyncio.sleep(0.2)


async def taking_turns(ctx: Context, loads: dict[str, Callable[[float], Awaitable[LoadResult]]],
                       rounds: int) -> dict[str, LoadResult]:
    """Each load in `rounds` windows, the order rotating every round. The tables grow and
    autovacuum works on what a load left behind while the benchmark runs: a load that always
    ran first (or after the same other) would have the earlier tables, or that work, alone.

    First each load runs one window unmeasured (WARM_UP_ROUNDS). The raw loop's pool opened
    its 32 connections when the bench started and has run statements on them since; a server's
    pool opens its own under its first load, each a new PostgreSQL backend with empty caches
    and statements still to prepare. On a slow box that cost more than the half second of
    `ctx.warmup`: in both full runs of session 33, coord's first signup window ran at 335 and
    398 a second and its later ones at 427-648, while the raw loop's ran 580-796 from its first."""
    window = ctx.seconds / rounds
    names = list(loads)
    for _ in range(WARM_UP_ROUNDS):
        for name in names:
            log.info("  %s (warming up, not counted)", name)
            await loads[name](window)
    parts: dict[str, list[LoadResult]] = {name: [] for name in names}
    for turn in range(rounds):
        for name in names[turn % len(names):] + names[:turn % len(names)]:
            parts[name].append(await loads[name](window))
    merged = {name: LoadResult.merged(windows) for name, windows in parts.items()}
    for name, load in merged.items():
        log.info("  %s (all windows) %s", name, load.summary())
    return merged


def _pairs(shifts: list[UUID], users: list[UUID]):
    """(user, shift) in an order where concurrent requests mostly hit different
    shifts: this measures the cost of the path, not waiting on one shift's lock."""
    return ((user, shift) for shift_offset in range(len(shifts)) for i, user in enumerate(users)
            for shift in [shifts[(i + shift_offset) % len(shifts)]])


# Signups made before the statistics are taken (seeded): each volunteer on SEED_EACH shifts.
SEED_VOLUNTEERS = 400
SEED_EACH = 10

# Windows per load (taking_turns): an even number, so each of the two goes first as often.
ROUNDS = 4
# Rounds each load runs before the counted ones (taking_turns); pairs are made for them too.
WARM_UP_ROUNDS = 1
AUTOVACUUM_WAIT_S = 60.0


@benchmark("signup_http_vs_raw")
async def signup_http_vs_raw(ctx: Context) -> dict:
    """value: POST /shifts/{id}/signups per second (201s) at concurrency 32;
    baseline: coord.shifts.signups.sign_up in its own transaction over asyncpg, same concurrency;
    the two take turns in ROUNDS windows each, on tables analyzed first (taking_turns)."""
    admin = await ctx.user("signup-admin")
    org_id = UUID((await ctx.org(admin))["id"])
    auth = build_jwt_auth(load_settings({"COORD_SECRET_KEY": SECRET_KEY, "COORD_DATA_DIR": "/tmp"}))

    volunteers = volunteers_taking_turns(ctx, ROUNDS)
    http_users = await _volunteers(ctx, org_id, volunteers, "h")
    tokens = {u: auth.create_token(identifier=str(u), token_extras={"tv": 0}) for u in http_users}
    http_pairs = _pairs(await _shifts(ctx, org_id, SHIFTS), http_users)
    raw_users = await _volunteers(ctx, org_id, volunteers, "r")
    raw_pairs = _pairs(await _shifts(ctx, org_id, SHIFTS), raw_users)
    await seeded(ctx, org_id, "seed")
    await analyzed(ctx)

    def next_signup(_worker: int) -> Request:
        user_id, shift_id = next(http_pairs)
        headers = {"Authorization": f"Bearer {tokens[user_id]}"}
        return Request("POST", f"/api/v1/shifts/{shift_id}/signups", headers)

    async def op(_worker: int) -> bool:
        user_id, shift_id = next(raw_pairs)
        async with ctx.pool.acquire() as conn, conn.transaction():
            signup = await sign_up(conn, user_id, shift_id)
        return signup.status == "confirmed"

    loads = await taking_turns(ctx, {
        "http": lambda window: ctx.http_load(next_signup, expect=201, seconds=window),
        "raw": lambda window: ctx.ops_load(op, seconds=window),
    }, ROUNDS)
    return result("signup_http_vs_raw", loads["http"].rate, "req/s", baseline=loads["raw"].rate, cpu=loads)
