"""Request counts and latencies for Prometheus, by route.

The same series, names and labels as Litestar's PrometheusMiddleware
(`litestar_requests_total`, `litestar_request_duration_seconds`,
`litestar_requests_in_progress`, `litestar_requests_error_total`; labels method, path
template, status code, app name), so dashboards and `/metrics` read the same. Litestar's
builds a Request, two label dicts and four label lookups on every request; here each
route's series are looked up once and kept, which took about a fifth of `/health`'s
server time off (bench: health_rps, me_http_vs_raw).
"""

from __future__ import annotations

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

    def begin(self, scope: Scope) -> tuple[str, str, Any] | None:
        path = scope["path"]
        if EXCLUDED.match(path):
            return None
        # HEAD runs its GET route (coord.kernel.head_requests), under GET's series.
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        if root_path := scope.get("root_path"):
            path = path.split(root_path, maxsplit=1)[-1]
        try:
            template = self._route(path=normalize_path(path), method=method)[4]
        except HTTPException:
            return None
        running = self._series.running(method, template)
        running.inc()
        return method, template, running

    def end(self, begun: tuple[str, str, Any], status: int, seconds: float) -> None:
        method, template, running = begun
        running.dec()
        count, duration, errors = self._series.done(method, template, status)
        count.inc()
        duration.observe(seconds)
        if errors is not None:
            errors.inc()
