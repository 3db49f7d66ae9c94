"""Bearer tokens with Litestar's JWTAuth, and the current user."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta, timezone
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


class CachedToken(Token):
    """A verified token is remembered by its exact text, so a client's repeated
    requests skip the signature check; expiry is still checked on every use, and
    the account's token version is still checked against the database."""

    _verified: "OrderedDict[tuple[str, str], CachedToken]" = OrderedDict()
    _max_cached = 4096

    @classmethod
    def decode(cls, encoded_token: str, secret: str, algorithm: str, *args: Any, **kwargs: Any) -> "CachedToken":
        key = (encoded_token, secret)
        token = cls._verified.get(key)
        if token is not None and token.exp > datetime.now(timezone.utc):
            cls._verified.move_to_end(key)
            return token
        token = super().decode(encoded_token, secret, algorithm, *args, **kwargs)
        cls._verified[key] = token
        if len(cls._verified) > cls._max_cached:
            cls._verified.popitem(last=False)
        return token


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
        token_cls=CachedToken,
        retrieve_user_handler=retrieve_user,
        token_secret=settings.secret_key,
        default_token_expiration=timedelta(minutes=settings.token_ttl_minutes),
        exclude=PUBLIC_PATHS,
        # Keep the OpenAPI document free of secrets but describe the scheme.
        description="Bearer token from POST /api/v1/auth/token",
    )
