"""Process entry points behind the CLI: serve, worker (with relay), dev (all-in-one)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any

import asyncpg
from arq import create_pool as create_arq_pool

from coord.kernel.config import ConfigError, Settings
from coord.kernel.cpu_slots import SLOTS_ENV
from coord.database import prepare
from coord.kernel.db.migrate import check_applied
from coord.kernel.db.pool import create_pool
from coord.kernel.redis_settings import connection_settings
from coord.embedded import EmbeddedServers

log = logging.getLogger("coord")


async def check_reachable(settings: Settings) -> None:
    """Fail fast, naming the variable, when a configured server does not answer."""
    try:
        conn = await asyncio.wait_for(asyncpg.connect(settings.database_url), 10)
    except Exception as exc:
        raise ConfigError("COORD_DATABASE_URL", f"cannot connect to PostgreSQL: {type(exc).__name__}: {exc}") from None
    await conn.close()
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url)
    try:
        await asyncio.wait_for(client.ping(), 10)
    except Exception as exc:
        raise ConfigError("COORD_REDIS_URL", f"cannot connect to Redis: {type(exc).__name__}: {exc}") from None
    finally:
        await client.aclose()


def check_port_free(settings: Settings) -> None:
    """Fail fast, naming the variable, when something already listens on COORD_HOST:COORD_PORT
    (granian's own refusal is a page of Rust backtrace; `coord dev` would first start the
    embedded servers and say it is running). SO_REUSEADDR as servers bind: a port a stopped
    coord left in TIME_WAIT is free."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(settings.host, settings.port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise ConfigError("COORD_HOST", f"cannot listen on {settings.host!r}: {exc.strerror}") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise _port_refused(settings, exc.strerror or str(exc)) from None


def _port_refused(settings: Settings, reason: str) -> ConfigError:
    return ConfigError("COORD_PORT", f"cannot listen on {settings.host}:{settings.port} ({reason}): stop what "
                                     "listens there, or set COORD_PORT to a free port")


@contextlib.contextmanager
def resolved(settings: Settings, *, persist_redis: bool = True):
    """Settings with URLs: the configured servers, or embedded ones started here."""
    servers = EmbeddedServers(settings.data_dir, persist_redis=persist_redis)
    database_url, redis_url = servers.ensure(settings.database_url, settings.redis_url)
    try:
        yield settings.with_urls(database_url, redis_url)
    finally:
        servers.stop()


async def run_migrations(settings: Settings) -> list[str]:
    await check_reachable(settings)
    return await prepare(settings.database_url)


def serve(settings: Settings) -> None:
    from granian import Granian
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels

    async def verify() -> None:
        await check_reachable(settings)
        conn = await asyncpg.connect(settings.database_url)
        try:
            await check_applied(conn)
        finally:
            await conn.close()

    asyncio.run(verify())
    listening = f"http://{settings.host}:{settings.port}"
    pinned = settings.web_cpu_affinity and hasattr(os, "sched_setaffinity")  # Linux's (cpu_slots)
    log.info("serving on %s with %s process(es)%s; links in messages and feeds use %s", listening,
             settings.web_concurrency, ", each on a core of its own" if pinned else "",
             settings.base_url)
    if settings.base_url != listening and not settings.production:
        log.warning("COORD_BASE_URL (%s) differs from where coord listens (%s): links in messages and "
                    "feeds lead there", settings.base_url, listening)
    # granian (bench/README.md, "server_choice", for why) runs the app in worker processes it
    # starts and restarts; each builds the app from the environment, so the URLs resolved here
    # (embedded servers) go there. With several, Prometheus counts go to files that every
    # process's /metrics adds up, in a directory of this start only (old files would add a
    # previous run's counts).
    os.environ.update(COORD_DATABASE_URL=settings.database_url or "", COORD_REDIS_URL=settings.redis_url or "")
    metrics = None
    if settings.web_concurrency > 1:
        metrics = tempfile.mkdtemp(prefix="coord-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics
    # Each worker takes a core from these slots (coord.kernel.cpu_slots); a directory of this
    # start only, like the metrics', so no slot is held by a process of an earlier one.
    os.environ.pop(SLOTS_ENV, None)
    cpu_slots = None
    if pinned:
        cpu_slots = tempfile.mkdtemp(prefix="coord-cpus-")
        os.environ[SLOTS_ENV] = cpu_slots
    try:
        Granian(
            "coord.app:app_from_environment",
            factory=True,
            address=settings.host,
            port=settings.port,
            interface=Interfaces.ASGI,
            workers=settings.web_concurrency,
            loop=Loops.uvloop,
            log_access=False,  # coord writes its own access line, with secrets in the path redacted
            log_level=LogLevels(settings.log_level.lower()),
            # granian's own lines go through coord's JSON logging (the root logger), not its format.
            log_dictconfig={"loggers": {"_granian": {"handlers": [], "propagate": True}}},
            respawn_failed_workers=settings.web_concurrency > 1,
            # A worker that has not stopped 10 s after Ctrl-C or SIGTERM is killed: a stop must
            # never hang (coord dev waits for its children, then stops the embedded servers).
            workers_kill_timeout=10,
        ).serve()
    except RuntimeError as exc:  # taken between the check and granian's bind
        if "in use" not in str(exc):
            raise
        raise _port_refused(settings, "Address already in use") from None
    finally:
        for directory in (metrics, cpu_slots):
            if directory:
                shutil.rmtree(directory, ignore_errors=True)


async def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """The arq worker and the outbox relay, in one process, until SIGINT/SIGTERM."""
    from coord.outbox.relay import Relay
    from workers.registry import registry
    from workers.settings import CoordWorker, worker_options

    await check_reachable(settings)
    pool = await create_pool(settings.database_url, min_size=1, max_size=4)
    redis = await create_arq_pool(connection_settings(settings.redis_url))
    worker = CoordWorker(**worker_options(settings), burst=burst, handle_signals=False)
    # Every module the jobs use is imported now and lives as long as the process: set its objects
    # aside from the garbage collector, whose full collections walked all of them (about 80,000,
    # 50-190 ms each on the busy 2-core box, a pause for every job in flight: bench invites).
    gc.collect()
    gc.freeze()
    relay = Relay(settings.database_url, pool, redis, registry.routing, on_enqueued=worker.wake_up)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(relay.run(), name="relay"), asyncio.create_task(worker.main(), name="worker")]
    log.info("worker and relay running")
    try:
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopper and task.exception():
                raise task.exception()  # type: ignore[misc]
    finally:
        log.info("worker stopping")
        await relay.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await worker.close()
        await redis.aclose()
        await pool.close()


def dev(settings: Settings, demo: bool = False) -> int:
    """Everything on one machine: embedded servers, migrations, API, worker and relay.

    The API and worker run as child processes; Ctrl-C stops them first, then the
    embedded servers, and leaves nothing running.
    """
    check_port_free(settings)  # before the embedded servers start, and before "coord is running"
    with resolved(settings) as ready:
        applied = asyncio.run(run_migrations(ready))
        if applied:
            log.info("applied %s migrations", len(applied))
        if demo:
            from coord.demo import load_demo

            asyncio.run(load_demo(ready))
        print(f"coord is running on http://{ready.host}:{ready.port}  (Ctrl-C stops it)", flush=True)
        return supervise([["serve"], ["worker"]], _child_environment(ready))


def workers(settings: Settings) -> int:
    """`coord worker` with COORD_WORKER_CONCURRENCY > 1: that many worker processes, each
    with its own relay (relays claim outbox rows with SKIP LOCKED, arq hands each job to
    one worker), stopped together."""
    log.info("running %s worker processes", settings.worker_concurrency)
    environment = {**_child_environment(settings), "COORD_WORKER_CONCURRENCY": "1"}
    return supervise([["worker"]] * settings.worker_concurrency, environment)


def _child_environment(settings: Settings) -> dict[str, str]:
    return {**os.environ, "COORD_DATABASE_URL": settings.database_url or "", "COORD_REDIS_URL": settings.redis_url or ""}


STOP_GRACE_S = 20  # how long a child may take to stop before it is killed


def supervise(commands: list[list[str]], env: dict[str, str]) -> int:
    """Runs `coord <command>` children until SIGINT/SIGTERM or until one exits by itself,
    which stops the others (a half-running coord is worse than a stopped one)."""
    children = [subprocess.Popen([sys.executable, "-m", "coord", *command], env=env) for command in commands]
    stopping = False
    deadline = float("inf")  # when stopping: the moment a child still running is killed

    def stop_children(*_: Any) -> None:
        nonlocal stopping, deadline
        if not stopping:
            deadline = time.monotonic() + STOP_GRACE_S
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop_children)
    signal.signal(signal.SIGTERM, stop_children)
    code = 0
    try:
        while any(child.poll() is None for child in children):
            for child in children:
                if child.poll() is not None and not stopping:
                    log.error("a coord process exited (code %s); stopping the others", child.returncode)
                    code = child.returncode or 1
                    stop_children()
                elif child.poll() is None and time.monotonic() > deadline:
                    log.error("coord %s (pid %s) did not stop within %s s; killing it",
                              " ".join(child.args[3:]), child.pid, STOP_GRACE_S)
                    child.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                children[0].wait(timeout=0.5)
    finally:
        stop_children()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    return code
