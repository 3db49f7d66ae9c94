"""One plugin wires coord into Litestar: routes, auth, errors, OpenAPI, middleware."""

from __future__ import annotations

from typing import Any

from litestar import Router
from litestar.config.app import AppConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins import InitPluginProtocol
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin
from litestar.stores.redis import RedisStore

from coord.auth.account_routes import AccountLinksController, AccountSettingsController
from coord.auth.routes import AuthController, MeController
from coord.auth.security import account_links_limit, build_jwt_auth
from coord.kernel.config import Settings
from coord.kernel.db.deps import provide_db, provide_redis
from coord.kernel.errors import DomainError
from coord.kernel.responses import APIResponse
from coord.kernel.problems import domain_problem, exception_handler, http_problem
from coord.health.routes import health, ready
from coord.kernel.params import LIST_DEPENDENCIES
from coord.health.metrics import MetricsController
from coord.directory.hsds_routes import HSDS_ROUTER
from coord.directory.routes import CONTROLLERS as DIRECTORY_CONTROLLERS
from coord.events.routes import CONTROLLERS as EVENT_CONTROLLERS
from coord.feeds.routes import CONTROLLERS as FEED_CONTROLLERS
from coord.feeds.routes import PUBLIC_ROUTES as FEED_PUBLIC_ROUTES
from coord.groups.routes import CONTROLLERS as GROUP_CONTROLLERS
from coord.notify.routes import CONTROLLERS as NOTIFY_CONTROLLERS
from coord.orgs.invitation_routes import CONTROLLERS as INVITATION_CONTROLLERS
from coord.orgs.routes import OrgController
from coord.privacy.routes import CONTROLLERS as PRIVACY_CONTROLLERS
from coord.reports.routes import CONTROLLERS as REPORT_CONTROLLERS
from coord.referrals.routes import CONTROLLERS as REFERRAL_CONTROLLERS
from coord.sessions.routes import CONTROLLERS as SESSION_CONTROLLERS
from coord.shifts.routes import CONTROLLERS as SHIFT_CONTROLLERS
from coord.views.routes import CONTROLLERS as VIEW_CONTROLLERS
from coord.web.api_docs import OfflineSwagger
from coord.web.setup import configure_pages


API_CONTROLLERS: list[Any] = [
    MeController,
    AccountSettingsController,
    OrgController,
    *INVITATION_CONTROLLERS,
    *GROUP_CONTROLLERS,
    *SESSION_CONTROLLERS,
    *EVENT_CONTROLLERS,
    *SHIFT_CONTROLLERS,
    *NOTIFY_CONTROLLERS,
    *FEED_CONTROLLERS,
    *PRIVACY_CONTROLLERS,
    *VIEW_CONTROLLERS,
    *DIRECTORY_CONTROLLERS,
    *REFERRAL_CONTROLLERS,
    *REPORT_CONTROLLERS,
]


class CoordPlugin(InitPluginProtocol):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        settings = self.settings
        jwt_auth = build_jwt_auth(settings)
        app_config.state["jwt_auth"] = jwt_auth
        # Signing in and up count their own budgets (per account and client, per client: coord.auth.attempts).
        auth_router = Router(path="/", route_handlers=[AuthController])
        # Links by email (confirm, reset) have a per-client budget of their own.
        links_limit = account_links_limit(settings.login_attempts_per_minute)
        links_router = Router(path="/", route_handlers=[AccountLinksController], middleware=[links_limit.middleware])
        api = Router(
            path="/api/v1",
            route_handlers=[auth_router, links_router, *API_CONTROLLERS],
            dependencies={"db": Provide(provide_db), "redis": Provide(provide_redis), **LIST_DEPENDENCIES},
            response_class=APIResponse,
        )
        app_config.route_handlers.extend([api, *FEED_PUBLIC_ROUTES, HSDS_ROUTER, health, ready, MetricsController])
        app_config.stores = {
            **(app_config.stores or {}),  # type: ignore[dict-item]
            "rate_limit": RedisStore.with_client(url=settings.redis_url, namespace="coord:ratelimit"),
        }
        app_config.openapi_config = OpenAPIConfig(
            title="coord",
            version="1.0.0",
            description="Coordination for community mental-health programs: groups, sessions, shifts, events.",
            path="/schema",
            # Swagger UI from coord's own static files (web/api_docs.py): /schema works offline.
            render_plugins=[OfflineSwagger(path="/"), JsonRenderPlugin(path="/openapi.json")],
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
