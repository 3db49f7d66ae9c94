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

from coord.auth import queries, tokens
from coord.auth.account_cache import account_changed
from coord.auth.schemas import MeOut, MembershipOut, RegisterIn, UserOut
from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.config import Settings
from coord.kernel.errors import Conflict, FieldError, TooManyRequests, Unauthorized, Unprocessable

log = logging.getLogger("coord.auth")

MIN_PASSWORD_LENGTH = 10
# What check_password checks, in the words the forms show beside the password field.
# Marked for translation (pages show it in the reader's language with gettext); the number
# is MIN_PASSWORD_LENGTH, which tests/web/test_pages_findable.py checks.
PASSWORD_RULE = N_("At least 10 characters. It cannot be your email address, and cannot contain "
                   "the part before the @ when that part has 4 or more characters (for sam.lee@example.org, "
                   "not \u201csam.lee\u201d). Spaces are allowed: a few words make a good password.")
ACCOUNT_FAILURE_LIMIT = 10  # failed logins per account per window
ACCOUNT_FAILURE_WINDOW_S = 15 * 60

# RFC 9106's second recommended option (argon2id, t=3, 64 MiB, p=4): argon2-cffi's default.
PRODUCTION_PASSWORD_PARAMETERS = RFC_9106_LOW_MEMORY
hasher = PasswordHasher.from_parameters(PRODUCTION_PASSWORD_PARAMETERS)
# Verified against when the email is unknown, so both paths cost the same. Made once with the
# production parameters (tests/auth/test_auth.py checks they are still PRODUCTION_PASSWORD_PARAMETERS)
# rather than hashed at every start: that cost each process ~0.2 s of CPU, and the test suite
# starts dozens. Verifying against it costs what verifying a real password hash costs.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$tOtWPuAL/EYQ/ZF4pGROKQ$Klu7Wg6VoLK9FPvM0DTV7n7wvjUIo2/8CHq+VoBfgWc"


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
        raise Unprocessable(_("“%(name)s” is not a timezone coord knows: choose one from the list, like "
                              "America/Chicago.") % {"name": name}, field=field) from None
    return name


def check_password(password: str, email: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Unprocessable(_("Choose a longer password: at least %(n)d characters. A few words make a good "
                              "one.") % {"n": MIN_PASSWORD_LENGTH}, field="password")
    lowered = password.lower()
    local = email.split("@")[0].lower()
    if lowered == email.lower() or (len(local) >= 4 and local in lowered):
        raise Unprocessable(_("Choose a password that does not contain your email address or the part of it "
                              "before the @."), field="password")


async def register(
    conn: asyncpg.Connection, data: RegisterIn, *, settings: Settings | None = None, confirmed: bool = False
) -> UserOut:
    """A new account. Its address gets a confirmation link (`settings` signs it) unless
    `confirmed` (the demo's accounts): until the link is used coord sends it nothing else."""
    email = data.email.strip()
    check_password(data.password, email)
    timezone = check_timezone(data.timezone) if data.timezone else "UTC"
    password_hash = await asyncio.to_thread(hasher.hash, data.password)
    confirmed_at = clock.now() if confirmed else None
    row = await conn.fetchrow(queries.INSERT_USER, email, password_hash, data.display_name.strip(), timezone, confirmed_at)
    if row is None:
        raise Conflict(_("An account with this email address already exists. Log in, or choose “Forgot your "
                         "password?” if you cannot."),
                       errors=[FieldError("email", _("An account with this email address already exists."))])
    if not confirmed:
        if settings is None:
            raise ValueError("an account that is not confirmed needs the settings that sign its link")
        await tokens.issue(conn, settings.secret_key, row["id"], "confirm_email", row["email"])
    return UserOut(id=row["id"], email=row["email"], display_name=row["display_name"],
                   email_confirmed=row["email_confirmed"])


def _account_key(email: str) -> str:
    # Hashed: Redis keys must not hold email addresses.
    return "coord:login-failures:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


async def check_not_locked(redis: Redis, email: str) -> None:
    """429 while the account is locked by failed passwords (from any client); a reset link
    still works then, and clears the lock."""
    key = _account_key(email)
    failures = int(await redis.get(key) or 0)
    if failures >= ACCOUNT_FAILURE_LIMIT:
        ttl = await redis.ttl(key)
        raise TooManyRequests(
            _("Too many failed sign-ins for this account. Wait a few minutes and try again, or get a link "
              "that sets a new password at /forgot-password."),
            retry_after=max(int(ttl), 1),
        )


async def count_failure(redis: Redis, email: str) -> None:
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(_account_key(email))
        pipe.expire(_account_key(email), ACCOUNT_FAILURE_WINDOW_S)
        await pipe.execute()


async def clear_failures(redis: Redis, email: str) -> None:
    await redis.delete(_account_key(email))


async def password_matches(stored: str | None, password: str) -> bool:
    """Checked against a dummy hash when there is none, so both cost the same."""
    try:
        await asyncio.to_thread(hasher.verify, stored or _DUMMY_HASH, password)
        return stored is not None
    except (VerificationError, InvalidHashError):
        return False


async def authenticate(conn: asyncpg.Connection, redis: Redis, email: str, password: str) -> tuple[UUID, int]:
    """Return (user id, token version) or raise 401/429. Failures are counted per account."""
    await check_not_locked(redis, email)
    row = await conn.fetchrow(queries.USER_FOR_LOGIN, email.strip())
    stored = row["password_hash"] if row and row["password_hash"] else None
    if not await password_matches(stored, password):
        await count_failure(redis, email)
        raise Unauthorized(_("the email or password is not right"))
    await clear_failures(redis, email)
    if hasher.check_needs_rehash(stored):
        await conn.execute(queries.UPDATE_PASSWORD_HASH, row["id"], await asyncio.to_thread(hasher.hash, password))
    return row["id"], row["token_version"]


async def revoke_tokens(conn: asyncpg.Connection, user_id: UUID) -> None:
    await conn.execute(queries.REVOKE_TOKENS, user_id)
    await account_changed(conn, user_id)


async def me(conn: asyncpg.Connection, user_id: UUID) -> MeOut:
    rows = await conn.fetch(queries.ME, user_id, clock.now())
    if not rows:  # erased (or gone) between the token's check and this read: as the check would say now
        raise Unauthorized(_("this account no longer exists: sign in again, or register"))
    user = rows[0]
    memberships = [MembershipOut(org_id=row["org_id"], org_slug=row["org_slug"], roles=row["roles"])
                   for row in rows if row["org_id"] is not None]
    return MeOut(
        id=user["id"],
        email=user["email"],
        display_name=user["display_name"],
        timezone=user["timezone"],
        memberships=memberships,
        locale=user["locale"],
        email_confirmed=user["email_confirmed"],
        pending_email=user["pending_email"],
    )
