"""Which HTTP server runs coord's app (issue 19.1): the same app factory under uvicorn on
asyncio and h11 (what coord ran on before), uvicorn on uvloop and httptools, and granian
(what `coord serve` runs), each as one process on the bench database, measured on GET
/health and on shift signups in one run. The ratios are against uvicorn on asyncio and h11.
The servers go in this order, each on fresh signup tables added to the earlier ones', so
granian measures its signups on the largest tables: the order leans against the choice made."""

from __future__ import annotations

import sys
from uuid import UUID

from bench.cases.signup import SHIFTS, _pairs, _shifts, _volunteers, analyzed, volunteers_for
from bench.environment import SECRET_KEY, CoordServer
from bench.load import Request, http_load
from bench.registry import Context, benchmark, result
from coord.auth.security import build_jwt_auth
from coord.kernel.config import load_settings

FACTORY = "coord.app:app_from_environment"
UVICORN = [sys.executable, "-m", "uvicorn", FACTORY, "--factory", "--host", "127.0.0.1", "--port", "{port}",
           "--no-access-log", "--no-server-header", "--log-level", "warning"]
SERVERS = {
    "uvicorn_h11": [*UVICORN, "--loop", "asyncio", "--http", "h11"],
    "uvicorn_uvloop_httptools": [*UVICORN, "--loop", "uvloop", "--http", "httptools"],
    "granian": [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", FACTORY, "--host", "127.0.0.1",
                "--port", "{port}", "--loop", "uvloop", "--workers", "1", "--no-access-log", "--log-level", "warning"],
}


@benchmark("server_choice")
async def server_choice(ctx: Context) -> list[dict]:
    admin = await ctx.user("server-admin")
    org_id = UUID((await ctx.org(admin))["id"])
    auth = build_jwt_auth(load_settings({"COORD_SECRET_KEY": SECRET_KEY, "COORD_DATA_DIR": "/tmp"}))
    figures: dict[str, tuple[float, float]] = {}
    for name, command in SERVERS.items():
        users = await _volunteers(ctx, org_id, volunteers_for(ctx.seconds, ctx.warmup, 1), name)
        tokens = {u: auth.create_token(identifier=str(u), token_extras={"tv": 0}) for u in users}
        pairs = _pairs(await _shifts(ctx, org_id, SHIFTS), users)
        await analyzed(ctx)

        def next_signup(_worker: int) -> Request:
            user_id, shift_id = next(pairs)
            return Request("POST", f"/api/v1/shifts/{shift_id}/signups", {"Authorization": f"Bearer {tokens[user_id]}"})

        server = CoordServer(ctx.database_url, ctx.redis_url, ctx.scratch(f"{name}-"),
                             command=command)
        server.start()
        try:
            health = await http_load(server.base_url, Request("GET", "/health"), expect=200, seconds=ctx.seconds,
                                     warmup=ctx.warmup, watch_pid=server.proc.pid if server.proc else None)
            signups = await http_load(server.base_url, next_signup, expect=201, seconds=ctx.seconds,
                                      warmup=ctx.warmup, watch_pid=server.proc.pid if server.proc else None)
        finally:
            server.stop()
        figures[name] = (health.rate, signups.rate)
    base_health, base_signup = figures["uvicorn_h11"]
    out = []
    for name, (health, signup) in figures.items():
        out.append(result(f"server_health_rps_{name}", health, "req/s", baseline=base_health))
        out.append(result(f"server_signup_rps_{name}", signup, "req/s", baseline=base_signup))
    return out
