"""How much of a request's HTTP cost is coord's and how much the framework's: coord's route,
the same service call behind a bare Litestar route (bench/floor_app.py) and the raw SQL,
taking turns in the same windows (issue 19.3 measures coord against the raw SQL alone)."""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from uuid import UUID

from bench.cases.me import raw_me
from bench.cases.signup import (
    SHIFTS,
    _pairs,
    _shifts,
    _volunteers,
    analyzed,
    seeded,
    taking_turns,
    volunteers_taking_turns,
)
from bench.environment import SECRET_KEY, CoordServer
from bench.load import LoadResult, Request, http_load
from bench.registry import Context, benchmark, log, result
from coord.auth.security import build_jwt_auth
from coord.kernel.config import load_settings
from coord.kernel.cpu_slots import SLOTS_ENV
from coord.shifts.signups import sign_up

FLOOR_WINDOWS = 3  # each load first, second and third once

BARE = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "bench.floor_app:app",
        "--working-dir", str(Path(__file__).resolve().parents[2]), "--host", "127.0.0.1", "--port", "{port}",
        "--loop", "uvloop", "--workers", str(os.cpu_count() or 1), "--no-access-log", "--log-level", "warning"]


async def _three_ways(ctx: Context, name: str, coord: Callable[[int], Request], bare: Callable[[int], Request],
                      raw: Callable[[int], Awaitable[bool]], expect: int) -> list[dict]:
    data_dir = ctx.scratch("bare-")
    server = CoordServer(ctx.database_url, ctx.redis_url, data_dir, command=BARE)
    # A core for each of its processes, as `coord serve` gives its own (COORD_WEB_CPU_AFFINITY).
    (slots := data_dir / "cpu-slots").mkdir()
    server.env[SLOTS_ENV] = str(slots)
    server.start()

    async def bare_load(window: float) -> LoadResult:
        load = await http_load(server.base_url, bare, expect=expect, seconds=window, warmup=ctx.warmup,
                               watch_pid=server.proc.pid if server.proc else None)
        log.info("  bare  %s", load.summary())
        return load

    try:
        loads = await taking_turns(ctx, {
            "coord": lambda window: ctx.http_load(coord, expect=expect, seconds=window),
            "bare": bare_load,
            "raw": lambda window: ctx.ops_load(raw, seconds=window),
        }, FLOOR_WINDOWS)
    finally:
        server.stop()
    records = [result(f"{name}_bare_litestar_vs_raw", loads["bare"].rate, "req/s", baseline=loads["raw"].rate,
                      cpu={"bare": loads["bare"], "raw": loads["raw"]}),
               result(f"{name}_coord_vs_bare_litestar", loads["coord"].rate, "req/s", baseline=loads["bare"].rate,
                      cpu={"coord": loads["coord"], "bare": loads["bare"]})]
    # The servers' CPU per answered request: steadier than the rates, which move with whatever
    # else the shared machine runs (a change to coord's layers shows here first).
    coord_us, bare_us = (_server_us_per_request(loads[side]) for side in ("coord", "bare"))
    if coord_us is not None and bare_us is not None:
        records.append(result(f"{name}_coord_server_cpu_us", coord_us, "us/req", baseline=bare_us))
    return records


def _server_us_per_request(load: LoadResult) -> float | None:
    if load.server_cpu is None or not load.rate:
        return None
    return load.server_cpu / load.rate * 1e6


@benchmark("signup_floor")
async def signup_floor(ctx: Context) -> list[dict]:
    """signup_bare_litestar_vs_raw: the bare route's signups/s against the raw transaction's;
    signup_coord_vs_bare_litestar: coord's POST /shifts/{id}/signups against the bare route.
    All three at concurrency 32 on volunteers and shifts of their own."""
    admin = await ctx.user("floor-admin")
    org_id = UUID((await ctx.org(admin))["id"])
    auth = build_jwt_auth(load_settings({"COORD_SECRET_KEY": SECRET_KEY, "COORD_DATA_DIR": "/tmp"}))
    made = {}
    for side in ("coord", "bare", "raw"):
        users = await _volunteers(ctx, org_id, volunteers_taking_turns(ctx, FLOOR_WINDOWS), f"floor-{side}")
        made[side] = (users, _pairs(await _shifts(ctx, org_id, SHIFTS), users))
    await seeded(ctx, org_id, "floor-seed")
    await analyzed(ctx)
    tokens = {u: auth.create_token(identifier=str(u), token_extras={"tv": 0}) for u in made["coord"][0]}

    def coord_signup(_worker: int) -> Request:
        user_id, shift_id = next(made["coord"][1])
        return Request("POST", f"/api/v1/shifts/{shift_id}/signups", {"Authorization": f"Bearer {tokens[user_id]}"})

    def bare_signup(_worker: int) -> Request:
        user_id, shift_id = next(made["bare"][1])
        return Request("POST", f"/signups/{user_id}/{shift_id}")

    async def raw_signup(_worker: int) -> bool:
        user_id, shift_id = next(made["raw"][1])
        async with ctx.pool.acquire() as conn, conn.transaction():
            return (await sign_up(conn, user_id, shift_id)).status == "confirmed"

    return await _three_ways(ctx, "signup", coord_signup, bare_signup, raw_signup, 201)


@benchmark("me_floor")
async def me_floor(ctx: Context) -> list[dict]:
    """me_bare_litestar_vs_raw: GET /me/{id} of the bare app (coord.auth.service.me) against
    me_http_vs_raw's three queries; me_coord_vs_bare_litestar: coord's GET /api/v1/me against it."""
    user = await ctx.user("floor-me")
    await ctx.org(user)
    user_id = UUID(user.id)
    coord = Request("GET", "/api/v1/me", headers=user.headers)
    bare = Request("GET", f"/me/{user_id}")
    raw = await raw_me(ctx, user_id)
    await analyzed(ctx)
    return await _three_ways(ctx, "me", lambda _w: coord, lambda _w: bare, raw, 200)
