"""`python -m bench`: start the servers and `coord serve`, run the benchmarks, stop everything.

Results go to stdout, one JSON object per line; logs go to stderr.
Environment: COORD_BENCH_SECONDS (measured seconds per load, default 5),
COORD_BENCH_WARMUP (unmeasured seconds before each load, default 0.5),
COORD_BENCH_ONLY=name1,name2 (a subset), COORD_BENCH_DATABASE_URL /
COORD_BENCH_REDIS_URL (existing servers instead of embedded ones),
COORD_BENCH_CLIENT=wrk|raw|httpx (the HTTP load client: wrk where it is installed, else raw).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import warnings

import httpx
import psutil

from bench import environment, load
from bench.cases import load_all
from bench.load import client_kind
from bench.registry import DEFAULT_CONCURRENCY, REGISTRY, Context, results_of
from coord.kernel.db.pool import create_pool

log = logging.getLogger("bench")


def _seconds(variable: str, default: float) -> float:
    raw = os.environ.get(variable, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise SystemExit(f"bench: {variable} must be a number of seconds, got {raw!r}") from None
    if value < 0:
        raise SystemExit(f"bench: {variable} must not be negative")
    return value


def _selected() -> list[str]:
    load_all()
    only = [n.strip() for n in os.environ.get("COORD_BENCH_ONLY", "").split(",") if n.strip()]
    unknown = [n for n in only if n not in REGISTRY]
    if unknown:
        raise SystemExit(f"bench: unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(REGISTRY)}")
    return [n for n in REGISTRY if not only or n in only]


async def _postmaster_pid(pool) -> int | None:
    """The postmaster's pid (a backend's parent) when PostgreSQL runs on this machine."""
    backend = await pool.fetchval("SELECT pg_backend_pid()")
    with contextlib.suppress(psutil.Error):
        parent = psutil.Process(backend).parent()
        if parent is not None and "postgres" in " ".join(parent.cmdline() or [parent.name()]):
            return parent.pid
    return None


async def _run(env: environment.Environment, names: list[str], seconds: float, warmup: float) -> int:
    pool = await create_pool(env.database_url, min_size=DEFAULT_CONCURRENCY, max_size=DEFAULT_CONCURRENCY)
    load.postgres_pid = await _postmaster_pid(pool)
    failures = 0
    try:
        async with httpx.AsyncClient(base_url=env.base_url, timeout=30) as client:
            ctx = Context(
                base_url=env.base_url,
                database_url=env.database_url,
                redis_url=env.redis_url,
                pool=pool,
                client=client,
                seconds=seconds,
                warmup=warmup,
                server_pid=env.server_pid,
                data_dir=env.data_dir,
            )
            for name in names:
                log.info("%s ...", name)
                try:
                    async for record in results_of(REGISTRY[name], ctx):
                        print(json.dumps(record), flush=True)
                except Exception:
                    failures += 1
                    log.exception("%s failed", name)
    except BaseException:
        pool.terminate()
        raise
    await pool.close()
    return failures


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop  # the server runs on uvloop too (granian, as coord serve starts it)
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="bench %(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    names = _selected()
    seconds = _seconds("COORD_BENCH_SECONDS", 5.0)
    warmup = _seconds("COORD_BENCH_WARMUP", 0.5)
    client_kind()  # validate before starting anything
    signal.signal(signal.SIGTERM, _interrupt)
    stack = contextlib.ExitStack()
    try:
        env = environment.start(stack)
        log.info("running %s for %.1fs each (+%.1fs warm-up), client %s", ", ".join(names), seconds, warmup, client_kind())
        with asyncio.Runner(loop_factory=_new_loop) as runner:
            failures = runner.run(_run(env, names, seconds, warmup))
        return 1 if failures else 0
    except KeyboardInterrupt:
        log.warning("interrupted; stopping everything")
        return 130
    finally:
        # A second Ctrl-C must not cut the cleanup short and leave servers running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.close()
        log.info("stopped")


if __name__ == "__main__":
    sys.exit(main())
