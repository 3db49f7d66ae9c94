"""Shift signups through HTTP against the same transaction issued with asyncpg."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID

from bench.environment import SECRET_KEY
from bench.load import Request
from bench.registry import Context, benchmark, result
from coord.auth.security import build_jwt_auth
from coord.kernel.config import load_settings
from coord.shifts.signups import sign_up

USERS = 400
SHIFTS = 400  # USERS x SHIFTS distinct (person, shift) pairs: every request is a new signup


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
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)
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


def _pairs(shifts: list[UUID], users: list[UUID]):
    """(user, shift) in an order where concurrent requests mostly hit different
    shifts: this measures the cost of the path, not waiting on one shift's lock."""
    return ((user, shift) for shift_offset in range(len(shifts)) for i, user in enumerate(users)
            for shift in [shifts[(i + shift_offset) % len(shifts)]])


@benchmark("signup_http_vs_raw")
async def signup_http_vs_raw(ctx: Context) -> dict:
    """value: POST /shifts/{id}/signups per second (201s) at concurrency 32;
    baseline: coord.shifts.signups.sign_up in its own transaction over asyncpg, same concurrency."""
    admin = await ctx.user("signup-admin")
    org_id = UUID((await ctx.org(admin))["id"])
    auth = build_jwt_auth(load_settings({"COORD_SECRET_KEY": SECRET_KEY, "COORD_DATA_DIR": "/tmp"}))

    http_users = await _volunteers(ctx, org_id, USERS, "h")
    tokens = {u: auth.create_token(identifier=str(u), token_extras={"tv": 0}) for u in http_users}
    http_pairs = _pairs(await _shifts(ctx, org_id, SHIFTS), http_users)

    def next_signup(_worker: int) -> Request:
        user_id, shift_id = next(http_pairs)
        headers = {"Authorization": f"Bearer {tokens[user_id]}"}
        return Request("POST", f"/api/v1/shifts/{shift_id}/signups", headers)

    http = await ctx.http_load(next_signup, expect=201)

    raw_users = await _volunteers(ctx, org_id, USERS, "r")
    raw_pairs = _pairs(await _shifts(ctx, org_id, SHIFTS), raw_users)

    async def op(_worker: int) -> bool:
        user_id, shift_id = next(raw_pairs)
        async with ctx.pool.acquire() as conn, conn.transaction():
            signup = await sign_up(conn, user_id, shift_id)
        return signup.status == "confirmed"

    raw = await ctx.ops_load(op)
    return result("signup_http_vs_raw", http.rate, "req/s", baseline=raw.rate)
