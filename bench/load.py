"""The load generator: N concurrent workers on one asyncio loop for a fixed time.

`run_load(op, ...)` calls `await op(worker)` in a loop from each of `concurrency`
workers until the time is up and counts the calls that returned True. HTTP load
goes through `http_load`, which by default speaks HTTP/1.1 from an asyncio protocol
(one keep-alive connection per worker): httpx costs several times more CPU per
request than the server under test, so with it the load generator, not the server,
would be the bottleneck; and on a machine it shares with the server, every
microsecond the client spends is one the server does not get. Where wrk is installed it
sends the HTTP load instead (bench.wrk, cheaper still); COORD_BENCH_CLIENT=raw|httpx chooses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json as jsonlib
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Mapping
from urllib.parse import urlsplit

import psutil

log = logging.getLogger("bench")


Op = Callable[[int], Awaitable[bool]]


@dataclass(frozen=True)
class Request:
    """One HTTP request, encoded once and sent many times."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def json(cls, method: str, path: str, payload: object, headers: Mapping[str, str] | None = None) -> "Request":
        merged = {"Content-Type": "application/json", **(headers or {})}
        return cls(method, path, merged, jsonlib.dumps(payload).encode())

    def encode(self, host: str) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body or self.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


@dataclass
class LoadResult:
    ok: int
    errors: int
    seconds: float
    concurrency: int
    latencies: list[float] = field(repr=False, default_factory=list)
    first_error: str | None = None
    cpu: float = 0.0  # CPU seconds this (load) process used per wall second: near 1.0 means it is the bottleneck
    server_cpu: float | None = None  # the same for the server process, when its pid is known
    postgres_cpu: float | None = None  # the same for PostgreSQL (postmaster and backends), when it runs here
    # The server's CPU by process (its workers): one near 100% while another idles means the
    # connections went unevenly to the workers, so that worker, not the machine, was the limit.
    server_split: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Successful operations per second."""
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    @classmethod
    def merged(cls, parts: list["LoadResult"]) -> "LoadResult":
        """Several windows of one load as one: counts and seconds add up, CPU shares are
        weighted by each window's length."""
        seconds = sum(p.seconds for p in parts)

        def mean(values: list[tuple[float, float | None]]) -> float | None:
            known = [(s, v) for s, v in values if v is not None]
            return sum(s * v for s, v in known) / sum(s for s, _ in known) if known else None

        out = cls(sum(p.ok for p in parts), sum(p.errors for p in parts), seconds, parts[0].concurrency,
                  [t for p in parts for t in p.latencies],
                  next((p.first_error for p in parts if p.first_error), None))
        out.cpu = mean([(p.seconds, p.cpu) for p in parts]) or 0.0
        out.server_cpu = mean([(p.seconds, p.server_cpu) for p in parts])
        out.postgres_cpu = mean([(p.seconds, p.postgres_cpu) for p in parts])
        if len({len(p.server_split) for p in parts}) == 1:
            out.server_split = [mean([(p.seconds, p.server_split[i]) for p in parts]) or 0.0
                                for i in range(len(parts[0].server_split))]
        return out

    def cpu_shares(self) -> dict[str, float]:
        """The CPU each side used per wall second (1.0 = one core): the load generator, the
        server (all its processes) and PostgreSQL, where known."""
        shares = {"load": self.cpu, "server": self.server_cpu, "postgres": self.postgres_cpu}
        return {side: round(share, 3) for side, share in shares.items() if share is not None}

    def summary(self) -> str:
        text = (
            f"{self.rate:,.0f}/s ok={self.ok} errors={self.errors} c={self.concurrency} "
            f"{self.seconds:.2f}s p50={self.percentile(50) * 1000:.2f}ms p99={self.percentile(99) * 1000:.2f}ms "
            f"cpu: load {self.cpu:.0%}" + (f" server {self.server_cpu:.0%}" if self.server_cpu is not None else "")
            + (f" ({'+'.join(f'{share:.0%}' for share in self.server_split)})" if len(self.server_split) > 1 else "")
            + (f" postgres {self.postgres_cpu:.0%}" if self.postgres_cpu is not None else "")
        )
        return text + (f" first error: {self.first_error}" if self.first_error else "")


def worker_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds of each child process of `pid` (coord serve's workers)."""
    seconds = {}
    with contextlib.suppress(psutil.Error):
        for process in psutil.Process(pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                seconds[process.pid] = times.user + times.system
    return seconds


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of another process and all its descendants, live or ended
    (coord serve's worker processes, PostgreSQL's backends; Linux /proc), None when unknown.

    A descendant that has ended counts through its parent's `children_*` times (the CPU of
    the children it has waited for), so the total only grows: summing the live processes
    alone made PostgreSQL's share negative (-5.06 cores in one page load) whenever a pooled
    connection closed during a load, its backend's CPU leaving the sum."""
    try:
        parent = psutil.Process(pid)
        total = 0.0
        for process in [parent, *parent.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
        return total
    except psutil.Error:
        return None


# PostgreSQL's postmaster, when it runs on this machine (set by bench.__main__): its CPU,
# with its backends', is reported beside each load's (issue 19.3 asks for both).
postgres_pid: int | None = None


class CpuWatch:
    """The server's (all its processes', and each worker's) and PostgreSQL's CPU over a load."""

    def __init__(self, watch_pid: int | None) -> None:
        self.watch_pid = watch_pid
        self.server = process_cpu_seconds(watch_pid) if watch_pid else None
        self.workers = worker_cpu_seconds(watch_pid) if watch_pid else {}
        self.postgres = process_cpu_seconds(postgres_pid) if postgres_pid else None

    def finish(self, result: "LoadResult", seconds: float) -> None:
        """Set `result`'s server and PostgreSQL shares for the `seconds` since this watch began."""
        server = process_cpu_seconds(self.watch_pid) if self.watch_pid else None
        if self.server is not None and server is not None:
            result.server_cpu = (server - self.server) / seconds
        workers = worker_cpu_seconds(self.watch_pid) if self.watch_pid else {}
        result.server_split = [(workers[p] - self.workers[p]) / seconds for p in self.workers if p in workers]
        postgres = process_cpu_seconds(postgres_pid) if postgres_pid else None
        if self.postgres is not None and postgres is not None:
            result.postgres_cpu = (postgres - self.postgres) / seconds


async def _phase(op: Op, concurrency: int, seconds: float, watch_pid: int | None = None) -> LoadResult:
    result = LoadResult(0, 0, 0.0, concurrency)
    clock = time.perf_counter
    deadline = clock() + seconds

    async def worker(index: int) -> None:
        latencies = result.latencies
        while True:
            started = clock()
            if started >= deadline:
                return
            try:
                good = await op(index)
            except Exception as exc:  # any failure is an error; the first one is reported
                good = False
                if result.first_error is None:
                    result.first_error = f"{type(exc).__name__}: {exc}"
            if good:
                result.ok += 1
                latencies.append(clock() - started)
            else:
                result.errors += 1

    started, cpu_started = clock(), time.process_time()
    watch = CpuWatch(watch_pid)
    async with asyncio.timeout(seconds + 60), asyncio.TaskGroup() as group:
        for index in range(concurrency):
            group.create_task(worker(index))
    result.seconds = clock() - started
    result.cpu = (time.process_time() - cpu_started) / result.seconds
    watch.finish(result, result.seconds)
    return result


async def run_load(
    op: Op, *, concurrency: int, seconds: float, warmup: float = 0.0, watch_pid: int | None = None
) -> LoadResult:
    """Warm up (not counted), then measure `op` at `concurrency` for `seconds`."""
    if warmup > 0:
        await _phase(op, concurrency, warmup)
    return await _phase(op, concurrency, seconds, watch_pid)


class _Response(asyncio.Protocol):
    """One keep-alive connection's bytes, parsed as they arrive into (status, body, close).
    A protocol rather than asyncio streams: the load generator shares this machine's cores
    with the server under test, and streams cost it about twice the CPU per response."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes, bool]] | None = None
        self.lost: BaseException | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is not None and not self.waiter.done():
            parsed = self._parsed()
            if parsed is not None:
                self.waiter.set_result(parsed)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc or ConnectionResetError("the server closed the connection")
        if self.waiter is not None and not self.waiter.done():
            parsed = self._parsed(at_eof=True)
            if parsed is not None:
                self.waiter.set_result(parsed)
            else:
                self.waiter.set_exception(self.lost)

    def _parsed(self, at_eof: bool = False) -> tuple[int, bytes, bool] | None:
        """The first whole response in the buffer (removed from it), or None while incomplete."""
        buffer = self.buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        lines = bytes(buffer[:end]).split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, chunked, close = None, False, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        start = end + 4
        if status in (204, 304) or 100 <= status < 200:
            body, used = b"", start  # RFC 9110: these never carry a body, whatever the headers say
        elif chunked:
            body_used = _dechunked(buffer, start)
            if body_used is None:
                return None
            body, used = body_used
        elif length is not None:
            if len(buffer) < start + length:
                return None
            body, used = bytes(buffer[start:start + length]), start + length
        elif at_eof:
            body, used, close = bytes(buffer[start:]), len(buffer), True
        else:
            return None
        del buffer[:used]
        return status, body, close


def _dechunked(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """A chunked body from `start` and where it ends, or None while incomplete (no trailers expected)."""
    parts, at = [], start
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None
        size = int(bytes(buffer[at:line_end]).split(b";")[0], 16)
        at = line_end + 2
        if size == 0:
            if len(buffer) < at + 2:
                return None
            return b"".join(parts), at + 2
        if len(buffer) < at + size + 2:
            return None
        parts.append(bytes(buffer[at:at + size]))
        at += size + 2


class RawConnection:
    """A minimal HTTP/1.1 keep-alive client connection (Content-Length or chunked bodies)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.protocol: _Response | None = None

    async def send(self, data: bytes) -> tuple[int, bytes]:
        protocol = self.protocol
        if protocol is None or protocol.lost is not None:
            loop = asyncio.get_running_loop()
            _transport, protocol = await loop.create_connection(_Response, self.host, self.port)
            self.protocol = protocol
        assert protocol.transport is not None
        waiter = protocol.waiter = asyncio.get_running_loop().create_future()
        try:
            protocol.transport.write(data)
            status, body, close = await waiter
        except BaseException:
            self.close()
            raise
        finally:
            protocol.waiter = None
        if close:
            self.close()
        return status, body

    @property
    def local_port(self) -> int | None:
        if self.protocol is None or self.protocol.transport is None:
            return None
        return self.protocol.transport.get_extra_info("sockname")[1]

    def close(self) -> None:
        if self.protocol is not None and self.protocol.transport is not None:
            self.protocol.transport.close()
        self.protocol = None


def client_kind() -> str:
    """COORD_BENCH_CLIENT, or by default wrk where it is installed (bench.wrk), else "raw"."""
    from bench import wrk

    kind = os.environ.get("COORD_BENCH_CLIENT", "").strip() or ("wrk" if wrk.available() else "raw")
    if kind not in ("wrk", "raw", "httpx"):
        raise ValueError(f"COORD_BENCH_CLIENT must be wrk, raw or httpx, got {kind!r}")
    if kind == "wrk" and not wrk.available():
        raise ValueError("COORD_BENCH_CLIENT=wrk, but wrk is not installed (Debian: apt-get install wrk)")
    return kind


def _holders(workers: list[psutil.Process], port: int) -> dict[int, int]:
    """Client port -> pid of the server worker holding that connection."""
    held = {}
    for worker in workers:
        with contextlib.suppress(psutil.Error):
            for conn in worker.net_connections(kind="tcp"):
                if conn.raddr and conn.laddr.port == port:
                    held[conn.raddr.port] = worker.pid
    return held


async def spread_over_workers(connections: list["RawConnection"], server_pid: int, port: int, hello: bytes) -> None:
    """Open the connections and reopen those of the busiest worker until each server worker
    holds as many as the others (within one). The workers accept from one shared socket, so
    32 connections opened at once can land 25 on one worker and 7 on another; kept alive for
    the whole measure, that worker would then be the limit, not the server. A load balancer
    in front of the processes, or clients arriving over time, spread them."""
    for connection in connections:
        await connection.send(hello)
    try:
        workers = psutil.Process(server_pid).children(recursive=True)
    except psutil.Error:
        return
    if len(workers) < 2:
        return
    for _ in range(8 * len(connections)):
        held = _holders(workers, port)
        by_worker: dict[int, list[RawConnection]] = {worker.pid: [] for worker in workers}
        for connection in connections:
            owner = held.get(connection.local_port or -1)
            if owner in by_worker:
                by_worker[owner].append(connection)
        sizes = sorted(by_worker.values(), key=len)
        if len(sizes[-1]) - len(sizes[0]) <= 1:
            return
        moved = sizes[-1][0]
        moved.close()
        await moved.send(hello)
    log.warning("could not spread the connections evenly over the server's workers")


async def http_load(
    base_url: str,
    request: Request | Callable[[int], Request],
    *,
    expect: int = 200,
    concurrency: int = 32,
    seconds: float = 5.0,
    warmup: float = 0.5,
    kind: str | None = None,
    watch_pid: int | None = None,
) -> LoadResult:
    """Send `request` (or `request(worker)`) over and over; count responses with status `expect`."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    make = (lambda _i: request) if isinstance(request, Request) else request
    kind = kind or client_kind()
    if kind == "wrk" and concurrency == 1:
        # One at a time, a load measures latency, not the client's cost: the raw client's
        # per-request samples, which the median benchmarks weigh window by window.
        kind = "raw"
    if kind == "wrk":
        from bench.wrk import wrk_load

        return await wrk_load(base_url, request, expect=expect, concurrency=concurrency, seconds=seconds,
                              warmup=warmup, watch_pid=watch_pid)
    if kind == "httpx":
        import httpx

        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

            async def op_httpx(worker: int) -> bool:
                req = make(worker)
                response = await client.request(req.method, req.path, headers=dict(req.headers), content=req.body)
                return response.status_code == expect

            return await run_load(op_httpx, concurrency=concurrency, seconds=seconds, warmup=warmup, watch_pid=watch_pid)

    hostport = f"{host}:{port}"
    fixed = request.encode(hostport) if isinstance(request, Request) else None
    connections = [RawConnection(host, port) for _ in range(concurrency)]

    async def op_raw(worker: int) -> bool:
        data = fixed if fixed is not None else make(worker).encode(hostport)
        status, _body = await connections[worker].send(data)
        return status == expect

    try:
        if watch_pid:
            await spread_over_workers(connections, watch_pid, port, f"GET /health HTTP/1.1\r\nHost: {hostport}\r\n\r\n".encode())
        return await run_load(op_raw, concurrency=concurrency, seconds=seconds, warmup=warmup, watch_pid=watch_pid)
    finally:
        for connection in connections:
            connection.close()
