"""One plugin wires coord into Litestar: routes, auth, errors, OpenAPI, middleware."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import asyncpg
import redis.exceptions
from litestar import Request, Response, Router
from litestar.config.app import AppConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.plugins import InitPluginProtocol
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException, ProblemDetailsPlugin
from litestar.plugins.prometheus import PrometheusConfig
from litestar.stores.redis import RedisStore

from coord.auth.routes import AuthController, MeController
from coord.auth.security import build_jwt_auth
from coord.kernel.config import Settings
from coord.kernel.db.deps import provide_db, provide_redis
from coord.kernel.errors import PROBLEM_BASE, DomainError, ServiceUnavailable, status_title
from coord.health.routes import health, ready
from coord.kernel.params import LIST_DEPENDENCIES
from coord.health.metrics import MetricsController
from coord.kernel.observability import redact_path
from coord.events.routes import CONTROLLERS as EVENT_CONTROLLERS
from coord.feeds.routes import CONTROLLERS as FEED_CONTROLLERS
from coord.feeds.routes import PUBLIC_ROUTES as FEED_PUBLIC_ROUTES
from coord.groups.routes import CONTROLLERS as GROUP_CONTROLLERS
from coord.notify.routes import CONTROLLERS as NOTIFY_CONTROLLERS
from coord.orgs.routes import OrgController
from coord.privacy.routes import CONTROLLERS as PRIVACY_CONTROLLERS
from coord.sessions.routes import CONTROLLERS as SESSION_CONTROLLERS
from coord.shifts.routes import CONTROLLERS as SHIFT_CONTROLLERS
from coord.web.setup import configure_pages

log = logging.getLogger("coord.kernel.errors")
UNKNOWN_FIELD = re.compile(r"unknown field `([^`]+)`")
JSON_PATH = re.compile(r"at `\$\.([^`]+)`")

API_CONTROLLERS: list[Any] = [
    MeController,
    OrgController,
    *GROUP_CONTROLLERS,
    *SESSION_CONTROLLERS,
    *EVENT_CONTROLLERS,
    *SHIFT_CONTROLLERS,
    *NOTIFY_CONTROLLERS,
    *FEED_CONTROLLERS,
    *PRIVACY_CONTROLLERS,
]


def _problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> ProblemDetailsException:
    headers = extra.pop("headers", None)
    if status in (400, 422):
        extra.setdefault("errors", [])
    return ProblemDetailsException(
        status_code=status, type_=PROBLEM_BASE + slug, title=title, detail=detail, extra=extra or None, headers=headers
    )


def domain_problem(exc: DomainError) -> ProblemDetailsException:
    extra = dict(exc.extra)
    if exc.errors is not None:
        extra["errors"] = list(exc.errors)
    return _problem(exc.status, exc.slug, exc.title, exc.detail, headers=exc.headers, **extra)


def _field_errors(raw: Any) -> list[dict[str, Any]]:
    errors = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict):
            message = str(item.get("message", "invalid"))
            unknown = UNKNOWN_FIELD.search(message)
            field = unknown.group(1) if unknown else (item.get("key") or "body")
            if field == "data":  # Litestar's name for the whole body
                at = JSON_PATH.search(message)
                field = at.group(1) if at else "body"
            errors.append({"field": field, "message": message, "source": item.get("source")})
    return errors


def http_problem(exc: HTTPException) -> ProblemDetailsException:
    status = exc.status_code
    detail = exc.detail or status_title(status)
    if isinstance(exc, ValidationException) or status == 400:
        errors = _field_errors(exc.extra)
        if not errors:
            # Not a field problem: the body itself could not be decoded.
            detail = f"the body is not valid JSON: {detail}"
            errors = [{"field": "body", "message": detail, "source": "body"}]
        # msgspec says "Object contains unknown field `x` - at `$`": keep it, it names the field.
        return _problem(400, "invalid-request", "The request is not valid", detail, errors=errors, headers=exc.headers)
    headers = dict(exc.headers or {})
    if status == 429 and "Retry-After" not in headers:
        # Litestar's limiter says when the window resets; clients look for Retry-After.
        headers["Retry-After"] = headers.get("RateLimit-Reset", "60")
        detail = "too many attempts from this client; wait and try again"
    if status == 413:
        detail = "the request body is larger than the 1 MiB this API accepts"
    slug = HTTPStatus(status).phrase.lower().replace(" ", "-") if status in HTTPStatus._value2member_map_ else "error"
    return _problem(status, slug, status_title(status), detail, headers=headers)


def unavailable_problem(exc: Exception) -> ProblemDetailsException:
    log.warning("dependency unavailable: %s: %s", type(exc).__name__, exc)
    return domain_problem(ServiceUnavailable("a database or queue is briefly unavailable; try again shortly"))


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled %s on %s %s", type(exc).__name__, request.method, redact_path(request.url.path))
    problem = _problem(500, "internal-error", "Internal error", "something went wrong on our side; it has been logged")
    return problem.to_response(request)


def _is_unavailable(exc: BaseException) -> bool:
    return isinstance(
        exc,
        (
            OSError,
            asyncpg.exceptions.ConnectionDoesNotExistError,
            asyncpg.exceptions.CannotConnectNowError,
            asyncpg.exceptions.InterfaceError,
            asyncpg.exceptions.AdminShutdownError,
            asyncpg.exceptions.PostgresConnectionError,
            # A connection that broke mid-query then fails its ROLLBACK with this.
            asyncpg.exceptions.InternalClientError,
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
            TimeoutError,
        ),
    )


UNSTORABLE_TEXT = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
    UnicodeEncodeError,
)


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def exception_handler(request: Request, exc: Exception) -> Response:
    """Anything not an HTTPException: bad text (400), a dependency outage (503) or a bug (500)."""
    if isinstance(exc, BaseExceptionGroup):
        # Cleanup after a broken connection can raise several errors at once: an
        # outage anywhere in the group makes the whole request a 503.
        leaves = _leaves(exc)
        outage = next((leaf for leaf in leaves if _is_unavailable(leaf)), None)
        if outage is not None:
            return unavailable_problem(outage).to_response(request)  # type: ignore[arg-type]
        if len(leaves) == 1 and isinstance(leaves[0], Exception):
            exc = leaves[0]
    if isinstance(exc, UNSTORABLE_TEXT):
        # NUL characters and lone surrogates are valid JSON but not storable text.
        detail = "the request holds characters that cannot be stored (such as NUL or lone surrogates)"
        return _problem(400, "invalid-request", "The request is not valid", detail,
                        errors=[{"field": "body", "message": detail}]).to_response(request)
    if _is_unavailable(exc):
        return unavailable_problem(exc).to_response(request)
    return internal_error_handler(request, exc)


class CoordPlugin(InitPluginProtocol):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        settings = self.settings
        jwt_auth = build_jwt_auth(settings)
        app_config.state["jwt_auth"] = jwt_auth
        login_limit = RateLimitConfig(
            rate_limit=("minute", settings.login_attempts_per_minute), exclude=["^/api/v1/auth/logout-all$"]
        )
        auth_router = Router(path="/", route_handlers=[AuthController], middleware=[login_limit.middleware])
        api = Router(
            path="/api/v1",
            route_handlers=[auth_router, *API_CONTROLLERS],
            dependencies={"db": Provide(provide_db), "redis": Provide(provide_redis), **LIST_DEPENDENCIES},
        )
        prometheus = PrometheusConfig(app_name="coord", group_path=True, exclude=["^/metrics"])

        app_config.route_handlers.extend([api, *FEED_PUBLIC_ROUTES, health, ready, MetricsController])
        app_config.middleware.append(prometheus.middleware)
        app_config.stores = {
            **(app_config.stores or {}),  # type: ignore[dict-item]
            "rate_limit": RedisStore.with_client(url=settings.redis_url, namespace="coord:ratelimit"),
        }
        app_config.openapi_config = OpenAPIConfig(
            title="coord",
            version="1.0.0",
            description="Coordination for community mental-health programs: groups, sessions, shifts, events.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(path="/"), JsonRenderPlugin(path="/openapi.json")],
        )
        app_config.plugins.append(
            ProblemDetailsPlugin(
                ProblemDetailsConfig(
                    exception_to_problem_detail_map={
                        DomainError: domain_problem,
                        HTTPException: http_problem,
                    }
                )
            )
        )
        app_config.exception_handlers[Exception] = exception_handler
        configure_pages(app_config, settings)
        app_config = jwt_auth.on_app_init(app_config)
        return app_config
