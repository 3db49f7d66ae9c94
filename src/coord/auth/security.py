"""Bearer tokens with Litestar's JWTAuth, and the current user."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.security.jwt import JWTAuth, Token

from coord.auth import queries
from coord.auth.schemas import CurrentUser
from coord.config import Settings

# Routes that need no token (everything else does).
PUBLIC_PATHS = [
    "^/health$",
    "^/ready$",
    "^/metrics",
    "^/schema",
    "^/api/v1/auth/register$",
    "^/api/v1/auth/token$",
    "^/feeds/",
    "^/orgs/[^/]+/events\\.ics$",
]


async def retrieve_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    try:
        user_id = UUID(token.sub)
        version = int(token.extras.get("tv", -1))
    except (ValueError, TypeError):
        return None
    pool = connection.app.state.pool
    async with pool.acquire() as conn:
        row = await conn.fetchrow(queries.USER_FOR_TOKEN, user_id, version)
    return CurrentUser(**dict(row)) if row else None


def build_jwt_auth(settings: Settings) -> JWTAuth[CurrentUser, Token]:
    return JWTAuth[CurrentUser, Token](
        retrieve_user_handler=retrieve_user,
        token_secret=settings.secret_key,
        default_token_expiration=timedelta(minutes=settings.token_ttl_minutes),
        exclude=PUBLIC_PATHS,
        # Keep the OpenAPI document free of secrets but describe the scheme.
        description="Bearer token from POST /api/v1/auth/token",
    )
