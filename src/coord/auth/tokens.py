"""Single-use links by email: confirm an address, reset a password, move an account to a
new address.

The token in a link is HMAC-SHA256(COORD_SECRET_KEY, nonce) over a random 256-bit nonce,
base64url. The database keeps the nonce and the token's SHA-256 (what a presented link is
looked up by), never the token: a copy of the database alone makes no working link. The
outbox event names the row only; the job that mails the link derives the token from the
row each time it runs, so a retried or resent delivery mails the same link: one request,
one live link, and the token never sits in the outbox, a job's arguments or a log.

Using a link marks it used, and voids every other open link of the same purpose for
that account (single use); changes that make links mailed earlier wrong void them too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

import asyncpg

from coord.i18n import N_, gettext as _, ngettext
from coord.auth import queries
from coord.kernel import clock
from coord.kernel.config import Settings
from coord.kernel.errors import BadRequest, FieldError
from coord.outbox.domain_events import EmailChangeRequested, EmailConfirmationRequested, PasswordResetRequested
from coord.outbox.record import record

Purpose = Literal["confirm_email", "reset_password", "change_email"]
PURPOSES: tuple[Purpose, ...] = ("confirm_email", "reset_password", "change_email")
VALID_FOR: dict[str, timedelta] = {
    "confirm_email": timedelta(hours=48),
    "reset_password": timedelta(hours=1),
    "change_email": timedelta(hours=48),
}
# How long a link's row is kept once it is used, voided or expired (a daily job deletes it
# then, workers/cron.py). For a week, opening an old link still says why it no longer works
# ("already used" or "expired", and where to ask again) instead of "not valid"; after that
# the row (an address, when it was mailed and used) is personal data with no use left.
# A deleted link is still refused: nothing matches its token any more.
SPENT_KEPT_FOR = timedelta(days=7)
# The page the link opens (it shows one button: opening a link never changes anything).
PAGE = {"confirm_email": "/confirm-email", "reset_password": "/reset-password", "change_email": "/confirm-email"}
# Where to ask for a new link, said when one is expired or used.
ASK_AGAIN = {
    "confirm_email": N_("ask for a new one at /confirm-email"),
    "reset_password": N_("ask for a new one at /forgot-password"),
    "change_email": N_("ask again from your account settings at /me/account"),
}
_EVENTS = {
    "confirm_email": EmailConfirmationRequested,
    "reset_password": PasswordResetRequested,
    "change_email": EmailChangeRequested,
}
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_DOMAIN = b"coord account link v1:"


def derive(secret: str, nonce: bytes) -> str:
    mac = hmac.new(secret.encode(), _DOMAIN + nonce, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class LinkInvalid(BadRequest):
    slug, title = "link-invalid", N_("This link cannot be used")

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors=[FieldError("token", detail)])


async def issue(conn: asyncpg.Connection, secret: str, user_id: UUID, purpose: Purpose, email: str) -> tuple[UUID, datetime]:
    """A new link for `email`, mailed by the worker once this transaction commits.
    Returns (its id, when it expires)."""
    now = clock.now()
    nonce = secrets.token_bytes(32)
    expires_at = now + VALID_FOR[purpose]
    token_id = await conn.fetchval(
        queries.INSERT_TOKEN, user_id, purpose, email, nonce, hash_token(derive(secret, nonce)), now, expires_at
    )
    await record(conn, _EVENTS[purpose](token_id=token_id, user_id=user_id))
    return token_id, expires_at


@dataclass(frozen=True)
class Link:
    """A link still to mail: where it goes and what it opens."""

    token_id: UUID
    purpose: Purpose
    to: str  # the address the link goes to (for change_email, the new one)
    account_email: str  # the account's address now
    display_name: str
    url: str
    expires_at: datetime


def _for_this_address(purpose: str, link_email: str, account_email: str | None) -> bool:
    """A confirmation or reset link is for the address it was mailed to: once the account
    moved to another, it is void."""
    return purpose == "change_email" or (account_email or "").lower() == link_email.lower()


async def pending_link(conn: asyncpg.Connection, settings: Settings, token_id: UUID) -> Link | None:
    """The link of this row as mailed, or None when it is used, void or expired."""
    row = await conn.fetchrow(queries.PENDING_TOKEN, token_id, clock.now())
    if row is None or not _for_this_address(row["purpose"], row["email"], row["account_email"]):
        return None
    token = derive(settings.secret_key, bytes(row["nonce"]))
    url = f"{settings.base_url}{PAGE[row['purpose']]}?token={token}"
    return Link(row["id"], row["purpose"], row["email"], row["account_email"], row["display_name"], url,
                row["expires_at"])


async def use(conn: asyncpg.Connection, token: str, purposes: tuple[Purpose, ...]) -> asyncpg.Record:
    """The link's row, locked with its account and marked used (with every other open link of
    its purpose for the account); 400 when it is unknown, used, void or expired."""
    row = None
    if _TOKEN_RE.match(token):
        row = await conn.fetchrow(queries.TOKEN_BY_HASH, hash_token(token))
    if row is None or row["purpose"] not in purposes:
        raise LinkInvalid(_("this link is not valid: check that you copied all of it, or ask for a new one"))
    purpose = row["purpose"]
    now = clock.now()
    if row["used_at"] is not None or not _for_this_address(purpose, row["email"], row["account_email"]):
        raise LinkInvalid(_("this link has already been used (each works once): %(next_step)s") % {"next_step": _(ASK_AGAIN[purpose])})
    if row["expires_at"] <= now:
        hours = int(VALID_FOR[purpose].total_seconds() // 3600)
        raise LinkInvalid(ngettext("this link has expired (it worked for %(num)d hour): %(next_step)s",
                                   "this link has expired (it worked for %(num)d hours): %(next_step)s", hours)
                          % {"num": hours, "next_step": _(ASK_AGAIN[purpose])})
    await void(conn, row["user_id"], (purpose,), now)
    return row


async def void(conn: asyncpg.Connection, user_id: UUID, purposes: tuple[Purpose, ...], now: datetime | None = None) -> None:
    """Every open link of these purposes for this account stops working."""
    await conn.execute(queries.USE_TOKENS, user_id, list(purposes), now or clock.now())


async def purge_spent(conn: asyncpg.Connection, now: datetime | None = None) -> int:
    """Delete the links used, voided or expired more than SPENT_KEPT_FOR ago; how many."""
    status = await conn.execute(queries.PURGE_SPENT_TOKENS, (now or clock.now()) - SPENT_KEPT_FOR)
    return int(status.split()[-1])


async def peek(conn: asyncpg.Connection, token: str) -> Purpose | None:
    """What a link is for, if it can still be used (for the page it opens; changes nothing)."""
    if not _TOKEN_RE.match(token):
        return None
    row = await conn.fetchrow(queries.TOKEN_BY_HASH_READ, hash_token(token))
    if row is None or row["used_at"] is not None or row["expires_at"] <= clock.now():
        return None
    if not _for_this_address(row["purpose"], row["email"], row["account_email"]):
        return None
    return row["purpose"]
