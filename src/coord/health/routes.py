from __future__ import annotations

import asyncio

import msgspec
from litestar import Response, get
from litestar.datastructures import State


class Health(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    status: str
    database: str
    redis: str


async def _check(coro, timeout: float = 2.0) -> str:
    try:
        await asyncio.wait_for(coro, timeout)
    except Exception as exc:  # any failure means "not ready"; the name says which kind
        return f"unavailable ({type(exc).__name__})"
    return "ok"


@get("/health", operation_id="health", exclude_from_auth=True, tags=["operations"], cache=False)
async def health() -> Health:
    """The process is up (says nothing about its dependencies)."""
    return Health(status="ok")


@get("/ready", operation_id="ready", exclude_from_auth=True, tags=["operations"], cache=False)
async def ready(state: State) -> Response[Readiness]:
    """PostgreSQL and Redis both answer; 503 otherwise (and 200 again once they are back)."""
    database, redis = await asyncio.gather(_check(state.pool.fetchval("SELECT 1")), _check(state.redis.ping()))
    ok = database == "ok" and redis == "ok"
    return Response(
        Readiness(status="ok" if ok else "unavailable", database=database, redis=redis),
        status_code=200 if ok else 503,
        headers={} if ok else {"Retry-After": "5"},
    )
