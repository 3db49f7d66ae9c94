"""How fast the bare HTTP stack answers: granian + Litestar + coord's middleware."""

from __future__ import annotations

from bench.load import Request
from bench.registry import Context, benchmark, result


@benchmark("health_rps")
async def health_rps(ctx: Context) -> dict:
    """GET /health (no database, no auth) at concurrency 32."""
    load = await ctx.http_load(Request("GET", "/health"), expect=200, concurrency=32)
    return result("health_rps", load.rate, "req/s")
