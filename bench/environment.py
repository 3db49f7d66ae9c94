"""What the benchmarks run against: PostgreSQL, Redis, a fresh database, `coord serve`.

Everything started here registers its own cleanup on an ExitStack *before* it
starts, so an error or Ctrl-C at any point stops exactly what was started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from coord.database import prepare
from coord.embedded import EmbeddedServers, free_port

log = logging.getLogger("bench")

SECRET_KEY = "coord-bench-secret-key-0123456789abcdef"  # fixed: results must not depend on it
READY_TIMEOUT_S = 60.0


@dataclass
class Environment:
    base_url: str
    database_url: str
    redis_url: str
    data_dir: Path
    server_pid: int


def _quietly(what: str, fn, *args) -> None:
    """Cleanup must go on after a failed step: log it and continue."""
    try:
        fn(*args)
    except Exception as exc:
        log.warning("cleanup: %s failed: %s: %s", what, type(exc).__name__, exc)


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


async def _create_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


class CoordServer:
    """`python -m coord serve` in its own session (Ctrl-C reaches the harness, which stops it)."""

    def __init__(self, database_url: str, redis_url: str, data_dir: Path, command: list[str] | None = None) -> None:
        # `coord serve`, or (bench/cases/servers.py) another server running the same app
        # factory; "{port}" in it becomes the port.
        self.command = command or [sys.executable, "-m", "coord", "serve"]
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.log_path = data_dir / "serve.log"
        # Only our COORD_* settings: a developer's shell must not change the figures.
        env = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
        env.update(
            COORD_DATABASE_URL=database_url,
            COORD_REDIS_URL=redis_url,
            COORD_DATA_DIR=str(data_dir),
            COORD_HOST="127.0.0.1",
            COORD_PORT=str(self.port),
            COORD_SECRET_KEY=SECRET_KEY,
            COORD_LOGIN_ATTEMPTS_PER_MINUTE="100000",  # the maximum coord.kernel.config accepts
            COORD_BASE_URL=self.base_url,
            # Spanish and Arabic served whatever coord.i18n offers yet (page_languages measures them).
            COORD_PREVIEW_LANGUAGES="es,ar",
            # As in production (COORD_ENV=production's default): a server process per core.
            COORD_WEB_CONCURRENCY=str(os.cpu_count() or 1),
        )
        # For experiments only, e.g. COORD_BENCH_SERVER_ENV="COORD_LOG_LEVEL=WARNING".
        for item in os.environ.get("COORD_BENCH_SERVER_ENV", "").split():
            key, sep, value = item.partition("=")
            if not sep or not key.startswith("COORD_"):
                raise ValueError(f"COORD_BENCH_SERVER_ENV: expected COORD_NAME=value items, got {item!r}")
            env[key] = value
        self.env = env
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log_file:
            self.proc = subprocess.Popen(
                [part.replace("{port}", str(self.port)) for part in self.command],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        log.info("coord serve (pid %s) on %s, log in %s", self.proc.pid, self.base_url, self.log_path)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"coord serve exited with code {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base_url + "/ready", timeout=2).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"coord serve not ready after {READY_TIMEOUT_S:.0f}s:\n{self.log_tail()}")
            time.sleep(0.1)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)  # the server's graceful shutdown
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            log.warning("coord serve did not stop in 15s; killing it")
            proc.kill()
            proc.wait()


def start(stack: contextlib.ExitStack) -> Environment:
    """Start (or reach) everything; `stack.close()` undoes it in reverse order."""
    data_dir = Path(tempfile.mkdtemp(prefix="coord-bench-"))
    stack.callback(_quietly, "removing the data directory", shutil.rmtree, data_dir, True)

    servers = EmbeddedServers(data_dir / "servers", persist_redis=False)
    stack.callback(_quietly, "stopping PostgreSQL/Redis", servers.stop)
    admin_url, redis_url = servers.ensure(
        os.environ.get("COORD_BENCH_DATABASE_URL") or None, os.environ.get("COORD_BENCH_REDIS_URL") or None
    )

    name = f"coord_bench_{secrets.token_hex(5)}"
    stack.callback(_quietly, f"dropping database {name}", lambda: asyncio.run(_drop_database(admin_url, name)))
    asyncio.run(_create_database(admin_url, name))
    database_url = _with_database(admin_url, name)
    applied = asyncio.run(prepare(database_url))
    log.info("database %s: %s migration(s) applied", name, len(applied))

    server = CoordServer(database_url, redis_url, data_dir / "serve")
    stack.callback(_quietly, "stopping coord serve", server.stop)
    server.start()
    assert server.proc is not None
    return Environment(server.base_url, database_url, redis_url, data_dir, server.proc.pid)
