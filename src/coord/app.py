"""The app factory: `create_app(settings)`; pools live in the lifespan."""

from __future__ import annotations

import asyncio
import gc
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from arq import create_pool as create_arq_pool
from litestar import Litestar
from litestar.types import Receive, Scope, Send

from coord.auth.account_cache import AccountListener
from coord.auth.security import PUBLIC_PATHS
from coord.i18n import REQUEST_HEADERS
from coord.kernel.config import Settings, load_settings
from coord.kernel.db.pool import create_pool
from coord.kernel.redis_settings import connection_settings
from coord.kernel.head_requests import head_as_get
from coord.kernel.observability import observe_request
from coord.kernel.request_metrics import RequestMetrics
from coord.kernel.openapi_document import correct as correct_openapi
from coord.plugin import CoordPlugin
from coord.kernel.security_headers import security_headers

MAX_BODY_BYTES = 1024 * 1024  # larger bodies get 413
# A young collection of the cyclic GC every this many new objects, not CPython's 700 (2,000 from
# 3.13): at 700 one ran every few requests, and raising it took `GET /me` from 174 to 164 us of
# server CPU (bench me_floor on 3.11, 6 December 2026; 10,000 and 100,000 measured the same).
# The cycles a request leaves are still collected, a few dozen requests later.
YOUNG_COLLECTION_EVERY = 10_000


class CoordApp(Litestar):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request_metrics = RequestMetrics(self.asgi_router.handle_routing)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = REQUEST_HEADERS.set(scope.get("headers"))
        try:
            answer = self._head if scope["type"] == "http" and scope["method"] == "HEAD" else super().__call__
            await observe_request(answer, scope, receive, send, security_headers, self.request_metrics)
        finally:
            REQUEST_HEADERS.reset(headers)

    async def _head(self, scope: Scope, receive: Receive, send: Send) -> None:
        await head_as_get(super().__call__, scope, receive, send)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    if not settings.database_url or not settings.redis_url:
        raise RuntimeError("create_app needs database and Redis URLs; `coord serve` or `coord dev` resolves them")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.pool = await create_pool(settings.database_url)
        # The API's account cache is on while this listens for changes (coord.auth.account_cache).
        listener = AccountListener(settings.database_url)
        listening = asyncio.create_task(listener.run())
        try:
            app.state.redis = await create_arq_pool(connection_settings(settings.redis_url))
            try:
                yield
            finally:
                await app.state.redis.aclose()
        finally:
            listener.stop()
            await listening
            await app.state.pool.close()

    app = CoordApp(
        plugins=[CoordPlugin(settings)],
        lifespan=[lifespan],
        debug=False,
        logging_config=None,  # coord.kernel.observability configures JSON logs
        request_max_body_size=MAX_BODY_BYTES,
    )
    correct_openapi(app.openapi_schema, PUBLIC_PATHS)  # built once here, corrected in place, then served
    return app


def app_from_environment() -> Any:
    """The factory each worker process of `coord serve` calls (granian spawns a fresh
    interpreter, so logging is set up again here)."""
    from coord.kernel.cpu_slots import pin_this_worker, run_as_batch
    from coord.kernel.observability import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level)
    pin_this_worker()  # before granian starts this process's threads: they inherit the core
    if settings.web_sched_batch:
        run_as_batch()  # ... and the policy
    app = create_app(settings)
    # The app's own objects (routes, schemas, templates, catalogs) live as long as the process:
    # spare them the cyclic collector's scans, which came back every few hundred requests
    # (about a fifth of `/health`'s server time in a profile).
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
    if settings.production:  # behind a proxy on this machine: the client is who it forwarded for
        from granian.utils.proxies import wrap_asgi_with_proxy_headers

        return wrap_asgi_with_proxy_headers(app, trusted_hosts="127.0.0.1")
    return app
