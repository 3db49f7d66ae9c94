"""A person's own account settings: name, timezone and language; a new email address
(it changes only once the new address confirms); a new password."""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg
from redis.asyncio import Redis

from coord.i18n import gettext as _
from coord.auth import queries, service, tokens
from coord.auth.recovery import count_request
from coord.auth.schemas import EmailChangeIn, EmailChangeOut, MeOut, PasswordChangeIn, ProfileIn
from coord.auth.account_cache import account_changed
from coord.kernel import clock
from coord.kernel.errors import Conflict, FieldError, NotFound, Unprocessable
from coord.outbox.domain_events import LanguageChanged, PasswordChanged
from coord.outbox.record import record


def normal_locale(tag: str) -> str:
    """"ES" -> "es", "pt-br" -> "pt-BR": the language in lower case, a region in upper."""
    first, *rest = tag.split("-")
    return "-".join([first.lower(), *(p.upper() if len(p) == 2 else p for p in rest)])


async def update_profile(conn: asyncpg.Connection, user_id: UUID, data: ProfileIn) -> MeOut:
    display_name = data.display_name.strip() if data.display_name is not None else None
    if display_name == "":
        raise Unprocessable(_("enter a name (a first name or nickname is fine)"), field="display_name")
    timezone = service.check_timezone(data.timezone) if data.timezone is not None else None
    clear_locale = data.locale is None
    locale = normal_locale(data.locale) if isinstance(data.locale, str) else None
    async with conn.transaction():
        before = (await service.me(conn, user_id)).locale if locale or clear_locale else None
        await conn.execute(queries.UPDATE_PROFILE, user_id, display_name, timezone, locale, clear_locale)
        me = await service.me(conn, user_id)
        if (locale or clear_locale) and me.locale != before:  # the words of their feeds change too
            await record(conn, LanguageChanged(user_id))
    await account_changed(conn, user_id)  # API processes keep the name and timezone too
    return me


async def _account_checked(conn: asyncpg.Connection, redis: Redis, user_id: UUID, password: str,
                           field: str) -> asyncpg.Record:
    """The caller's account, locked, once `password` is its current one. Wrong guesses count
    toward the same per-account lock as sign-ins."""
    account = await conn.fetchrow(queries.ACCOUNT_FOR_CHANGE, user_id)
    if account is None:
        raise NotFound(_("no such account"))
    await service.check_not_locked(redis, account["email"])
    if not await service.password_matches(account["password_hash"], password):
        await service.count_failure(redis, account["email"])
        raise Unprocessable(_("this is not your current password"), field=field)
    return account


async def request_email_change(
    conn: asyncpg.Connection, redis: Redis, secret: str, user_id: UUID, data: EmailChangeIn
) -> EmailChangeOut:
    """Mail a link to the new address (and a notice to the current one); the account moves
    to the new address when the link is used, not before."""
    account = await _account_checked(conn, redis, user_id, data.password, "password")
    new = data.email.strip()
    if new.lower() == (account["email"] or "").lower():
        raise Unprocessable(_("this is already your email address"), field="email")
    if await conn.fetchval(queries.EMAIL_TAKEN, new, user_id):
        raise Conflict(_("an account with this email already exists"), errors=[FieldError("email", _("already registered"))])
    await count_request(redis, "change_email", str(user_id))
    await tokens.void(conn, user_id, ("change_email",))  # the latest request is the one that stands
    _unused, expires_at = await tokens.issue(conn, secret, user_id, "change_email", new)
    return EmailChangeOut(pending_email=new, expires_at=expires_at)


async def change_password(conn: asyncpg.Connection, redis: Redis, user_id: UUID, data: PasswordChangeIn) -> int:
    """A new password under the usual rules. Every token and page session issued so far stops
    working (the page that asked gets a fresh one); reset links mailed earlier are void; the
    owner is told. Returns the account's new token version."""
    account = await _account_checked(conn, redis, user_id, data.current_password, "current_password")
    try:
        service.check_password(data.new_password, account["email"])
    except Unprocessable as exc:
        raise Unprocessable(exc.detail, field="new_password") from None
    password_hash = await asyncio.to_thread(service.hasher.hash, data.new_password)
    now = clock.now()
    version = await conn.fetchval(queries.SET_PASSWORD, user_id, password_hash, now, False)
    await tokens.void(conn, user_id, ("reset_password",), now)
    await record(conn, PasswordChanged(user_id=user_id))
    await account_changed(conn, user_id)
    await service.clear_failures(redis, account["email"])
    return version
