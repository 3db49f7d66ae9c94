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
import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send
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


def request_metrics_middleware(app: ASGIApp) -> ASGIApp:
    """Litestar middleware (it runs after routing, so the route's path template is known)."""
    metrics = series()

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or EXCLUDED.match(scope["path"]):
            await app(scope, receive, send)
            return
        method = scope["method"]
        path = scope.get("path_template") or scope["path"]  # type: ignore[typeddict-item]
        started = time.perf_counter()
        span: list[Any] = [None, 0.0]  # status, duration (until the last body part, as Litestar's)

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                span[0] = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                span[1] = time.perf_counter() - started
            await send(message)

        running = metrics.running(method, path)
        running.inc()
        try:
            await app(scope, receive, timed_send)
        except BaseException:
            if span[0] is None:  # nothing was answered: the server will say 500
                span[0] = 500
            raise
        finally:
            running.dec()
            status = 200 if span[0] is None else int(span[0])
            count, duration, errors = metrics.done(method, path, status)
            count.inc()
            duration.observe(span[1] or time.perf_counter() - started)
            if errors is not None:
                errors.inc()

    return middleware
