"""Request counts and latencies for Prometheus, by route.

The same series, names and labels as Litestar's PrometheusMiddleware
(`litestar_requests_total`, `litestar_request_duration_seconds`,
`litestar_requests_in_progress`, `litestar_requests_error_total`; labels method, path
template, status code, app name), so dashboards and `/metrics` read the same. Litestar's
builds a Request, two label dicts and four label lookups on every request; here each
route's series are looked up once and kept, which took about a fifth of `/health`'s
server time off (bench: health_rps, me_http_vs_raw).

A request's figures are added to the series in batches, at most FLUSH_EVERY_S after it
ended (and at once before this process answers a scrape). Each update of a series takes a
lock and, with several server processes, writes a shared file after asking the kernel for
the process id: five updates per request were a tenth of `GET /me`'s server time. A batch
adds a route's count once and its in-progress figure once, however many requests it holds.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left
import re
from typing import Any, Callable

from litestar.exceptions import HTTPException
from litestar.types import Scope
from litestar.utils import normalize_path
from prometheus_client import Counter, Gauge, Histogram

APP_NAME = "coord"
# Scraping is not a request worth counting (Litestar's `exclude`).
EXCLUDED = re.compile(r"^/metrics")
LABELS = ["method", "path", "status_code", "app_name"]
# How long a request's figures may wait before they show in the series (a scrape of this
# process never waits: it flushes first; another process's shows within this).
FLUSH_EVERY_S = 0.05
# Requests' addresses whose series are remembered (RequestMetrics.begin).
KEYS_KEPT = 4096
_UNKNOWN: Any = object()


class _Series:
    """The process's metrics, created once (prometheus_client refuses a second registration
    of a name, and tests build many apps in one process)."""

    def __init__(self) -> None:
        self.count = Counter("litestar_requests_total", "Total requests", LABELS)
        self.duration = Histogram("litestar_request_duration_seconds", "Request duration, in seconds", LABELS)
        self.in_progress = Gauge("litestar_requests_in_progress", "Total requests currently in progress",
                                 LABELS, multiprocess_mode="livesum")
        self.errors = Counter("litestar_requests_error_total", "Total errors in requests", LABELS)
        self._done: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}
        self._running: dict[tuple[str, str], Any] = {}
        # Since the last flush: durations by (method, path, status); requests running by
        # (method, path), kept for as long as the process runs (the gauge is set to it).
        self._ended: dict[tuple[str, str, int], list[float]] = {}
        self._in_progress: dict[tuple[str, str], int] = {}
        self._changed: set[tuple[str, str]] = set()
        self._flush_on: asyncio.AbstractEventLoop | None = None  # the loop a flush is due on

    def running(self, method: str, path: str) -> Any:
        key = (method, path)
        child = self._running.get(key)
        if child is None:
            # Litestar labels a request in progress with status 200 (its status is not known yet).
            child = self._running[key] = self.in_progress.labels(method, path, 200, APP_NAME)
        return child

    def done(self, method: str, path: str, status: int) -> tuple[Any, Any, Any]:
        key = (method, path, status)
        children = self._done.get(key)
        if children is None:
            values = (method, path, status, APP_NAME)
            children = self._done[key] = (
                self.count.labels(*values),
                self.duration.labels(*values),
                self.errors.labels(*values) if status >= 500 else None,
            )
        return children

    def started(self, key: tuple[str, str]) -> None:
        self._in_progress[key] = self._in_progress.get(key, 0) + 1
        self._changed.add(key)
        self._flush_soon()

    def ended(self, key: tuple[str, str], status: int, seconds: float) -> None:
        self._in_progress[key] -= 1
        self._changed.add(key)
        ended = self._ended.get((*key, status))
        if ended is None:
            self._ended[(*key, status)] = [seconds]
        else:
            ended.append(seconds)
        self._flush_soon()

    def _flush_soon(self) -> None:
        loop = asyncio.get_running_loop()
        if self._flush_on is loop:
            return
        if self._flush_on is not None:  # due on a loop that stopped first (tests run many)
            self.flush()
        self._flush_on = loop
        loop.call_later(FLUSH_EVERY_S, self.flush)

    def flush(self) -> None:
        """Adds what ended and sets what runs, in the series."""
        self._flush_on = None
        ended, self._ended = self._ended, {}
        for (method, path, status), durations in ended.items():
            count, duration, errors = self.done(method, path, status)
            count.inc(len(durations))
            if errors is not None:
                errors.inc(len(durations))
            observe_all(duration, durations)
        changed, self._changed = self._changed, set()
        for method, path in changed:
            self.running(method, path).set(self._in_progress[(method, path)])


def observe_all(histogram: Any, amounts: list[float]) -> None:
    """`histogram.observe(amount)` for each amount, with one update of its sum and one of each
    bucket it touches (prometheus_client has no public call for many observations; a test holds
    this to the same exposition as observing one by one)."""
    bounds = histogram._upper_bounds  # the last is +Inf  # noqa: SLF001
    counts = [0] * len(bounds)
    for amount in amounts:
        counts[bisect_left(bounds, amount)] += 1  # the first bucket with amount <= bound, as observe picks
    histogram._sum.inc(sum(amounts))  # noqa: SLF001
    for bucket, count in zip(histogram._buckets, counts):  # noqa: SLF001
        if count:
            bucket.inc(count)


_series: _Series | None = None


def series() -> _Series:
    global _series
    if _series is None:
        _series = _Series()
    return _series


class RequestMetrics:
    """A request's series, begun and ended by the outermost layer (`observability.observe_request`),
    which already wraps every request's `send`. As a route middleware (Litestar's place for it)
    the series missed every request refused before that middleware ran: a 401 from the bearer
    check counted nowhere, so a client hammering the API with a dead token did not show.

    The route's path template is Litestar's own routing answer, from the router's cache: the
    router asks the same question right after and gets it from there. A request that no route
    takes (404, 405) is counted nowhere: a label per made-up address would grow without end."""

    def __init__(self, route: Callable[..., tuple[Any, ...]]) -> None:
        self._route = route  # Litestar's ASGIRouter.handle_routing (lru-cached per path and method)
        self._series = series()
        # (method, path, root path) -> the series' key, or None for a request counted nowhere:
        # one lookup instead of a pattern, a path normalized and the router's cache.
        self._keys: dict[tuple[str, str, str], tuple[str, str] | None] = {}

    def begin(self, scope: Scope) -> tuple[str, str] | None:
        asked = (scope["method"], scope["path"], scope.get("root_path") or "")
        key = self._keys.get(asked, _UNKNOWN)
        if key is _UNKNOWN:
            key = self._key(*asked)
            if len(self._keys) >= KEYS_KEPT:  # addresses with ids in them: keep the memory bounded
                self._keys.clear()
            self._keys[asked] = key
        if key is not None:
            self._series.started(key)
        return key

    def _key(self, method: str, path: str, root_path: str) -> tuple[str, str] | None:
        if EXCLUDED.match(path):
            return None
        # HEAD runs its GET route (coord.kernel.head_requests), under GET's series.
        method = "GET" if method == "HEAD" else method
        if root_path:
            path = path.split(root_path, maxsplit=1)[-1]
        try:
            template = self._route(path=normalize_path(path), method=method)[4]
        except HTTPException:
            return None
        return (method, template)

    def end(self, begun: tuple[str, str], status: int, seconds: float) -> None:
        self._series.ended(begun, status, seconds)
