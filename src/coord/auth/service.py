"""Accounts and login. Runs inside the caller's transaction."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY
from redis.asyncio import Redis

from coord.auth import queries
from coord.auth.schemas import MeOut, MembershipOut, RegisterIn, UserOut
from coord.kernel.errors import Conflict, FieldError, TooManyRequests, Unauthorized, Unprocessable

log = logging.getLogger("coord.auth")

MIN_PASSWORD_LENGTH = 10
ACCOUNT_FAILURE_LIMIT = 10  # failed logins per account per window
ACCOUNT_FAILURE_WINDOW_S = 15 * 60

# RFC 9106's second recommended option (argon2id, t=3, 64 MiB, p=4): argon2-cffi's default.
PRODUCTION_PASSWORD_PARAMETERS = RFC_9106_LOW_MEMORY
hasher = PasswordHasher.from_parameters(PRODUCTION_PASSWORD_PARAMETERS)
# Verified against when the email is unknown, so both paths cost the same.
_DUMMY_HASH = hasher.hash("coord-dummy-password-for-timing")


def use_password_parameters(parameters: Parameters) -> None:
    """For the test suite only: hash with cheaper parameters in this process (a hash keeps
    its own parameters, so verifying stays correct either way)."""
    global hasher, _DUMMY_HASH
    hasher = PasswordHasher.from_parameters(parameters)
    _DUMMY_HASH = hasher.hash("coord-dummy-password-for-timing")


def check_timezone(name: str, field: str = "timezone") -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):  # OSError: a name too long for a path
        raise Unprocessable(f"{name!r} is not an IANA timezone such as Europe/London", field=field) from None
    return name


def check_password(password: str, email: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Unprocessable(f"the password must have at least {MIN_PASSWORD_LENGTH} characters", field="password")
    lowered = password.lower()
    local = email.split("@")[0].lower()
    if lowered == email.lower() or (len(local) >= 4 and local in lowered):
        raise Unprocessable("the password must not contain your email address", field="password")


async def register(conn: asyncpg.Connection, data: RegisterIn) -> UserOut:
    email = data.email.strip()
    check_password(data.password, email)
    timezone = check_timezone(data.timezone) if data.timezone else "UTC"
    password_hash = await asyncio.to_thread(hasher.hash, data.password)
    row = await conn.fetchrow(queries.INSERT_USER, email, password_hash, data.display_name.strip(), timezone)
    if row is None:
        raise Conflict("an account with this email already exists", errors=[FieldError("email", "already registered")])
    return UserOut(id=row["id"], email=row["email"], display_name=row["display_name"])


def _account_key(email: str) -> str:
    # Hashed: Redis keys must not hold email addresses.
    return "coord:login-failures:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


async def authenticate(conn: asyncpg.Connection, redis: Redis, email: str, password: str) -> tuple[UUID, int]:
    """Return (user id, token version) or raise 401/429. Failures are counted per account."""
    key = _account_key(email)
    failures = int(await redis.get(key) or 0)
    if failures >= ACCOUNT_FAILURE_LIMIT:
        ttl = await redis.ttl(key)
        raise TooManyRequests(
            "too many failed sign-ins for this account; wait and try again", retry_after=max(int(ttl), 1)
        )
    row = await conn.fetchrow(queries.USER_FOR_LOGIN, email.strip())
    stored = row["password_hash"] if row and row["password_hash"] else _DUMMY_HASH
    try:
        await asyncio.to_thread(hasher.verify, stored, password)
        ok = row is not None and row["password_hash"] is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, ACCOUNT_FAILURE_WINDOW_S)
            await pipe.execute()
        raise Unauthorized("the email or password is not right")
    await redis.delete(key)
    if hasher.check_needs_rehash(stored):
        await conn.execute(queries.UPDATE_PASSWORD_HASH, row["id"], await asyncio.to_thread(hasher.hash, password))
    return row["id"], row["token_version"]


async def revoke_tokens(conn: asyncpg.Connection, user_id: UUID) -> None:
    from coord.auth.security import accounts  # the per-process cache of live accounts

    await conn.execute(queries.REVOKE_TOKENS, user_id)
    accounts.forget(user_id)


async def me(conn: asyncpg.Connection, user_id: UUID) -> MeOut:
    user = await conn.fetchrow("SELECT id, email, display_name, timezone FROM users WHERE id = $1", user_id)
    memberships = [MembershipOut(**dict(r)) for r in await conn.fetch(queries.MEMBERSHIPS, user_id)]
    return MeOut(
        id=user["id"],
        email=user["email"],
        display_name=user["display_name"],
        timezone=user["timezone"],
        memberships=memberships,
    )
