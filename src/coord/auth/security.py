"""Bearer tokens with Litestar's JWTAuth, and the current user."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.exceptions import ImproperlyConfiguredException, NotAuthorizedException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.middleware.authentication import AuthenticationResult
from litestar.security.jwt import JWTAuth, JWTAuthenticationMiddleware, Token

from coord.i18n import N_, gettext as _
from coord.kernel import clock
from coord.auth import queries
from coord.auth.account_cache import accounts
from coord.kernel.access import CurrentUser
from coord.kernel.config import Settings
from coord.kernel.db.pool import ACQUIRE_TIMEOUT_S, acquire_timeout

# Bearer tokens guard the API only. Everything outside /api/v1 (health, metrics,
# schema, feeds, and the pages, which use a cookie session of their own) and the
# API routes that issue accounts, tokens and links by email need none.
# (Written as "/" plus paths that start with a letter: every top-level path does, and
# Litestar warns about a pattern that would also match "/<uuid>".)
PUBLIC_PATHS = [
    "^/$",
    "^/(?!api/v1/)[a-z]",
    "^/api/v1/auth/register$",
    "^/api/v1/auth/token$",
    "^/api/v1/auth/confirm-email(/resend)?$",
    "^/api/v1/auth/password-reset(/confirm)?$",
    "^/api/v1/invitations/[^/]+(/accept)?$",
]
# What a 401 from the API says (the client's language): how to get in, not the framework's words.
NO_TOKEN = N_('sign in first: send the token from POST /api/v1/auth/token in the Authorization header, as "Bearer <token>"')
TOKEN_NOT_VALID = N_("this token is not valid any more (it expired, or the account logged out everywhere): sign in again")
# Page sessions carry this claim; the API refuses such tokens as bearer tokens.
PAGE_TOKEN_USE = "page"


def _expired(exp: datetime) -> bool:
    return exp <= clock.now()


class CachedToken(Token):
    """A verified token is remembered by its exact text, so a client's repeated
    requests skip the signature check; expiry is still checked on every use, and
    the account's token version is still checked against the database.

    Its times (exp, iat, nbf) are checked against coord.kernel.clock, here and in
    `__post_init__`, which runs when a token is made and when one is decoded:
    pyjwt's and Litestar's own checks read the system clock, so they are off."""

    _verified: "OrderedDict[tuple[str, str], CachedToken]" = OrderedDict()
    _max_cached = 4096

    def __post_init__(self) -> None:
        if len(self.sub) < 1:
            raise ImproperlyConfiguredException("sub must be a string with a length greater than 0")
        now = clock.now()
        self.exp = self.exp.astimezone(clock.UTC).replace(microsecond=0)
        self.iat = self.iat.astimezone(clock.UTC).replace(microsecond=0)
        if _expired(self.exp):
            raise ImproperlyConfiguredException("exp value must be a datetime in the future")
        if self.iat > now:
            raise ImproperlyConfiguredException("iat must be a current or past time")
        if "nbf" in self.extras and float(self.extras["nbf"]) > now.timestamp():
            raise ImproperlyConfiguredException("the token is not valid yet (nbf)")

    @classmethod
    def decode_payload(
        cls,
        encoded_token: str,
        secret: str,
        algorithms: list[str],
        issuer: str | Sequence[str] | None = None,
        audience: str | Sequence[str] | None = None,
        options: Any = None,
    ) -> Any:
        """pyjwt checks the signature and the claims but not the times: __post_init__ does, on coord.kernel.clock."""
        options = {**(options or {}), "verify_exp": False, "verify_nbf": False, "verify_iat": False}
        return super().decode_payload(encoded_token, secret, algorithms, issuer, audience, options)

    @classmethod
    def recall(cls, encoded_token: str, secret: str) -> "CachedToken | None":
        """The token of this text, if it was verified with this secret and has not expired since."""
        key = (encoded_token, secret)
        token = cls._verified.get(key)
        if token is None or _expired(token.exp):
            return None
        cls._verified.move_to_end(key)
        return token

    @classmethod
    def decode(cls, encoded_token: str, secret: str, algorithm: str, *args: Any, **kwargs: Any) -> "CachedToken":
        token = cls.recall(encoded_token, secret)
        if token is not None:
            return token
        token = super().decode(encoded_token, secret, algorithm, *args, **kwargs)
        cls._verified[(encoded_token, secret)] = token
        if len(cls._verified) > cls._max_cached:
            cls._verified.popitem(last=False)
        return token


async def retrieve_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    if token.extras.get("use") == PAGE_TOKEN_USE:
        return None
    return await live_account(connection.app.state.pool, token)


def _named_by(token: Token) -> tuple[UUID, int] | None:
    """The account and token version a verified token names."""
    try:
        return _account_key(token.sub, token.extras.get("tv", -1))
    except TypeError:  # a version that is not even hashable names nothing
        return None


@lru_cache(maxsize=4096)
def _account_key(sub: str, version: Any) -> tuple[UUID, int] | None:
    # Parsing the UUID was a tenth of the bearer check; a client sends the same token again and again.
    try:
        return UUID(sub), int(version)
    except (ValueError, TypeError):
        return None


async def live_account(pool: Any, token: Token) -> CurrentUser | None:
    """The account a verified token names, if it still exists and the token's version is current
    (the API's check, remembered until the account changes: coord.auth.account_cache)."""
    named = _named_by(token)
    if named is None:
        return None
    if cached := accounts.get(named):
        return cached
    read_at = accounts.epoch
    async with pool.acquire(timeout=acquire_timeout(pool)) as conn:
        user = await current_account(conn, token)
    if user is not None:
        accounts.put(named, user, read_at)
    return user


async def current_account(conn: Any, token: Token) -> CurrentUser | None:
    """`live_account` read from the database now, on the request's own connection: what a page
    shows (the name, the timezone, whether the address is confirmed) and whether its session
    still holds are never a moment behind another process's change."""
    named = _named_by(token)
    if named is None:
        return None
    row = await conn.fetchrow(queries.USER_FOR_TOKEN, *named, timeout=ACQUIRE_TIMEOUT_S)
    return CurrentUser(**dict(row)) if row is not None else None


async def optional_bearer_user(request: Any) -> CurrentUser | None:
    """The account of a bearer token, on a public route that also serves signed-in callers
    (accepting an invitation); None without one. A token given but not valid is a 401."""
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _space, encoded = header.partition(" ")
    auth = request.app.state.jwt_auth
    user = None
    if scheme.lower() == "bearer" and encoded:
        try:
            token = auth.token_cls.decode(encoded.strip(), secret=auth.token_secret, algorithm=auth.algorithm)
        except NotAuthorizedException:
            token = None
        if token is not None and token.extras.get("use") != PAGE_TOKEN_USE:
            user = await live_account(request.app.state.pool, token)
    if user is None:
        raise NotAuthorizedException(_(TOKEN_NOT_VALID))
    return user


class ClockedJWTAuth(JWTAuth[CurrentUser, Token]):
    """Litestar's JWTAuth, issuing tokens whose exp and iat come from coord.kernel.clock."""

    def create_token(
        self,
        identifier: str,
        token_expiration: timedelta | None = None,
        token_issuer: str | None = None,
        token_audience: str | None = None,
        token_unique_jwt_id: str | None = None,
        token_extras: dict | None = None,
        **kwargs: Any,
    ) -> str:
        now = clock.now()
        token = self.token_cls(
            sub=identifier,
            exp=now + (token_expiration or self.default_token_expiration),
            iss=token_issuer,
            aud=token_audience,
            jti=token_unique_jwt_id,
            extras=token_extras or {},
            **{"iat": now, **kwargs},
        )
        return token.encode(secret=self.token_secret, algorithm=self.algorithm)


def _links_client(request: Any) -> str:
    return "account-links:" + (request.client.host if request.client else "127.0.0.1")


async def _posts_only(request: Any) -> bool:
    return request.method == "POST"


def account_links_limit(per_minute: int) -> RateLimitConfig:
    """Per client, for the API routes and page forms that ask for or use links by email
    (confirm an address, reset a password): a budget of its own, apart from sign-ins', in
    the same store; the API and the pages share it."""
    return RateLimitConfig(rate_limit=("minute", per_minute), identifier_for_request=_links_client,
                           check_throttle_handler=_posts_only)


class BearerMiddleware(JWTAuthenticationMiddleware):
    """Litestar's JWT middleware, reading the one header it needs from the ASGI scope: its
    own reads it through a Headers object built from every header, on every request."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        name = self.auth_header.lower().encode("latin-1")
        value = next((v for k, v in connection.scope["headers"] if k == name), b"")
        if not value:
            raise NotAuthorizedException(_(NO_TOKEN))
        encoded = value.decode("latin-1").partition(" ")[-1]
        # What authenticate_token would find, taken straight from the two caches it reads: a token
        # verified before (and not expired) naming an account known live. Otherwise, its way.
        token = CachedToken.recall(encoded, self.token_secret)
        if (token is not None and token.extras.get("use") != PAGE_TOKEN_USE and (named := _named_by(token))
                and (user := accounts.get(named))):
            return AuthenticationResult(user=user, auth=token)
        try:
            return await self.authenticate_token(encoded, connection)
        except NotAuthorizedException:  # Litestar's words ("Invalid token", or none) say less
            raise NotAuthorizedException(_(TOKEN_NOT_VALID)) from None


def build_jwt_auth(settings: Settings) -> JWTAuth[CurrentUser, Token]:
    return ClockedJWTAuth(
        authentication_middleware_class=BearerMiddleware,
        token_cls=CachedToken,
        retrieve_user_handler=retrieve_user,
        token_secret=settings.secret_key,
        default_token_expiration=timedelta(minutes=settings.token_ttl_minutes),
        exclude=PUBLIC_PATHS,
        # Keep the OpenAPI document free of secrets but describe the scheme.
        description="Bearer token from POST /api/v1/auth/token",
    )
