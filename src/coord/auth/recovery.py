"""Confirming an address, asking for a new confirmation link, and resetting a password.

Asking for a link answers the same whether or not the address has an account: the
caller counts the request against the address's own budget (`count_request`, the same
work either way) and answers at once; `send_confirmation_link` / `send_reset_link` run
after the answer is sent (a background task), so its timing says nothing about the
address either.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

import asyncpg
from redis.asyncio import Redis

from coord.i18n import gettext as _
from coord.auth import queries, service, tokens
from coord.auth.account_cache import account_changed
from coord.kernel import clock
from coord.kernel.config import Settings
from coord.kernel.errors import Conflict, FieldError, TooManyRequests
from coord.outbox.domain_events import PasswordChanged
from coord.outbox.record import record

log = logging.getLogger("coord.auth")

# Links an address (or an account, for a change of address) may be sent per window: the
# reset path's own limit, apart from the sign-in lock, so an account locked by someone
# else's guessing can still be reset.
REQUEST_LIMIT = 5
REQUEST_WINDOW_S = 60 * 60


async def count_request(redis: Redis, purpose: str, who: str) -> None:
    """One more link asked for `who` (an address, or an account id); 429 past the budget.
    Addresses are hashed: Redis keys hold none."""
    key = f"coord:account-links:{purpose}:" + hashlib.sha256(who.strip().lower().encode()).hexdigest()[:32]
    count = await redis.incr(key)
    if count == 1:
        await redis.expire(key, REQUEST_WINDOW_S)
    if count > REQUEST_LIMIT:
        ttl = max(int(await redis.ttl(key)), 1)
        raise TooManyRequests(
            _("at most %(request_limit)s such emails an hour go to one address; wait and try again") % {"request_limit": REQUEST_LIMIT}, retry_after=ttl
        )


async def _in_background(name: str, work, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        await work(*args)
    except Exception:  # after the answer: nobody to tell but the log (which names no address)
        log.exception("%s failed", name)


async def _send_confirmation_link(pool: asyncpg.Pool, settings: Settings, email: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(queries.LIVE_ACCOUNT_BY_EMAIL, email.strip())
        if row is not None and not row["email_confirmed"]:
            await tokens.issue(conn, settings.secret_key, row["id"], "confirm_email", row["email"])


async def _send_reset_link(pool: asyncpg.Pool, settings: Settings, email: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(queries.LIVE_ACCOUNT_BY_EMAIL, email.strip())
        if row is not None:
            await tokens.issue(conn, settings.secret_key, row["id"], "reset_password", row["email"])


async def send_confirmation_link(pool: asyncpg.Pool, settings: Settings, email: str) -> None:
    """A new confirmation link, if this address has an account still to confirm."""
    await _in_background("confirmation link", _send_confirmation_link, pool, settings, email)


async def send_reset_link(pool: asyncpg.Pool, settings: Settings, email: str) -> None:
    """A password reset link, if this address has an account."""
    await _in_background("reset link", _send_reset_link, pool, settings, email)


@dataclass(frozen=True)
class Confirmed:
    user_id: UUID
    what: Literal["confirmed", "changed"]  # the address confirmed, or the account moved to it


async def confirm_email(conn: asyncpg.Connection, token: str) -> Confirmed:
    """Use a link to confirm an address: the account's own, or the new one it moves to."""
    row = await tokens.use(conn, token, ("confirm_email", "change_email"))
    user_id, now = row["user_id"], clock.now()
    if row["purpose"] == "confirm_email":
        await conn.execute(queries.CONFIRM_EMAIL, user_id, now)
        await account_changed(conn, user_id)
        return Confirmed(user_id, "confirmed")
    taken = Conflict(_("another account uses this address now; nothing was changed"),
                     errors=[FieldError("email", _("already registered"))])
    if await conn.fetchval(queries.EMAIL_TAKEN, row["email"], user_id):
        raise taken
    try:
        async with conn.transaction():
            await conn.execute(queries.CHANGE_EMAIL, user_id, row["email"], now)
    except asyncpg.UniqueViolationError:  # taken at the same moment
        raise taken from None
    # Links mailed to the old address (a reset, a confirmation) are void from now.
    await tokens.void(conn, user_id, tokens.PURPOSES, now)
    await account_changed(conn, user_id)
    return Confirmed(user_id, "changed")


async def reset_password(conn: asyncpg.Connection, redis: Redis, token: str, password: str) -> UUID:
    """Set a new password with a reset link: every session ends, the address counts as
    confirmed (the link reached it), the sign-in lock is lifted, and the owner is told."""
    row = await tokens.use(conn, token, ("reset_password",))
    service.check_password(password, row["account_email"])  # a refusal rolls the use back
    password_hash = await asyncio.to_thread(service.hasher.hash, password)
    now = clock.now()
    await conn.execute(queries.SET_PASSWORD, row["user_id"], password_hash, now, True)
    await tokens.void(conn, row["user_id"], ("reset_password", "confirm_email"), now)
    await record(conn, PasswordChanged(user_id=row["user_id"]))
    await account_changed(conn, row["user_id"])
    await service.clear_failures(redis, row["account_email"])
    return row["user_id"]


async def confirm_address(conn: asyncpg.Connection, user_id: UUID) -> None:
    """The account's address is confirmed by another link that reached it (an invitation)."""
    await conn.execute(queries.CONFIRM_EMAIL, user_id, clock.now())
    await account_changed(conn, user_id)
