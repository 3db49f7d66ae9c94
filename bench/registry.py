"""The benchmark registry, the context every benchmark gets, and result records."""

from __future__ import annotations

import inspect
import itertools
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import asyncpg
import httpx

from bench.load import LoadResult, Op, Request, http_load, run_load

log = logging.getLogger("bench")

PASSWORD = "a long enough bench passphrase"
DEFAULT_CONCURRENCY = 32

BenchFn = Callable[["Context"], Any]
REGISTRY: dict[str, BenchFn] = {}


def benchmark(name: str | None = None) -> Callable[[BenchFn], BenchFn]:
    """Register `async def fn(ctx) -> dict | list[dict]` (or an async generator of dicts)."""

    def register(fn: BenchFn) -> BenchFn:
        key = name or fn.__name__
        if key in REGISTRY:
            raise ValueError(f"benchmark {key!r} is registered twice")
        REGISTRY[key] = fn
        return fn

    return register


def result(name: str, value: float, unit: str, *, baseline: float | None = None,
           cpu: dict[str, LoadResult] | None = None) -> dict[str, Any]:
    """One output record; with a baseline measured in the same run, also the ratio value/baseline.
    `cpu`, for the loads behind value and baseline: each one's CPU shares (LoadResult.cpu_shares),
    so the server's and PostgreSQL's CPU are printed beside the figure."""
    record: dict[str, Any] = {"name": name, "value": round(value, 2), "unit": unit}
    if baseline is not None:
        record["baseline"] = round(baseline, 2)
        record["ratio"] = round(value / baseline, 4) if baseline else None
    if cpu:
        record["cpu"] = {side: load.cpu_shares() for side, load in cpu.items()}
    return record


async def results_of(fn: BenchFn, ctx: "Context") -> AsyncIterator[dict[str, Any]]:
    outcome = fn(ctx)
    if inspect.isasyncgen(outcome):
        async for record in outcome:
            yield record
        return
    if inspect.isawaitable(outcome):
        outcome = await outcome
    for record in [outcome] if isinstance(outcome, dict) else (outcome or []):
        yield record


@dataclass
class User:
    id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Context:
    """What a benchmark may use. The server runs in another process at `base_url`."""

    def __init__(
        self,
        *,
        base_url: str,
        database_url: str,
        redis_url: str,
        pool: asyncpg.Pool,
        client: httpx.AsyncClient,
        seconds: float,
        warmup: float,
        server_pid: int | None = None,
        data_dir: Path | None = None,
    ) -> None:
        self.base_url = base_url
        self.database_url = database_url  # the migrated benchmark database the server uses
        self.redis_url = redis_url
        self.pool = pool  # DEFAULT_CONCURRENCY connections, opened by coord.kernel.db.pool.create_pool
        self.client = client  # httpx client on base_url, for setup calls (not for load)
        self.seconds = seconds
        self.warmup = warmup
        self.server_pid = server_pid  # `coord serve`, for the CPU figures in the logs
        self.data_dir = data_dir  # the run's own directory, removed at its end
        self._counter = itertools.count(1)

    def scratch(self, prefix: str) -> Path:
        """A new directory for a benchmark's own server (its log, its CPU slots), inside the run's
        directory, so it goes when the run ends as the main server's does."""
        return Path(tempfile.mkdtemp(prefix=prefix, dir=self.data_dir))

    @staticmethod
    def expect(response: httpx.Response, status: int) -> Any:
        if response.status_code != status:
            raise AssertionError(
                f"{response.request.method} {response.request.url.path}: expected {status}, "
                f"got {response.status_code}: {response.text[:500]}"
            )
        return response.json() if response.content else None

    async def user(self, name: str = "bench", timezone: str | None = None) -> User:
        """Register an account and log in: POST /api/v1/auth/register, POST /api/v1/auth/token."""
        n = next(self._counter)
        email = f"{name}{n}@bench.example.org"
        body: dict[str, Any] = {"email": email, "password": PASSWORD, "display_name": f"{name} {n}"}
        if timezone:
            body["timezone"] = timezone
        created = self.expect(await self.client.post("/api/v1/auth/register", json=body), 201)
        # Its address counts as confirmed (a benchmark reads no mail), so nothing it does is gated.
        await self.pool.execute("UPDATE users SET email_confirmed_at = now() WHERE id = $1::uuid", created["id"])
        token = self.expect(
            await self.client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}), 200
        )
        return User(created["id"], email, token["access_token"])

    async def users(self, count: int, name: str = "bench") -> list[User]:
        return [await self.user(name) for _ in range(count)]

    async def org(self, admin: User, timezone: str = "America/New_York") -> dict[str, Any]:
        """Create an organization with `admin` as its admin (POST /api/v1/orgs)."""
        slug = f"bench-org-{next(self._counter)}"
        body = {"name": f"Org {slug}", "slug": slug, "timezone": timezone, "contact_email": f"hello@{slug}.example.org"}
        return self.expect(await self.client.post("/api/v1/orgs", json=body, headers=admin.headers), 201)

    async def http_load(
        self,
        request: Request | Callable[[int], Request],
        *,
        expect: int = 200,
        concurrency: int = DEFAULT_CONCURRENCY,
        seconds: float | None = None,
    ) -> LoadResult:
        """HTTP load on the server; counts only responses with status `expect`."""
        outcome = await http_load(
            self.base_url,
            request,
            expect=expect,
            concurrency=concurrency,
            seconds=seconds or self.seconds,
            warmup=self.warmup,
            watch_pid=self.server_pid,
        )
        log.info("  http  %s", outcome.summary())
        return self._checked(outcome)

    async def ops_load(self, op: Op, *, concurrency: int = DEFAULT_CONCURRENCY, seconds: float | None = None) -> LoadResult:
        """Any async operation `op(worker) -> bool` from this process (e.g. a raw-SQL baseline)."""
        outcome = await run_load(
            op, concurrency=concurrency, seconds=seconds or self.seconds, warmup=self.warmup, watch_pid=self.server_pid
        )
        log.info("  ops   %s", outcome.summary())
        return self._checked(outcome)

    @staticmethod
    def _checked(outcome: LoadResult) -> LoadResult:
        if outcome.ok == 0:
            raise RuntimeError(f"no successful operation: {outcome.summary()}")
        if outcome.errors:
            log.warning("  %s of %s operations failed", outcome.errors, outcome.errors + outcome.ok)
        return outcome
