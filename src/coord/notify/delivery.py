"""Exactly-once effects over at-least-once jobs.

`deliver` keys every message (event x recipient x kind) in `deliveries`, locks
that row while sending, and records the outcome. A job that runs twice finds the
row sent and does nothing. SMTP trouble is retried with backoff by arq; after
`MAX_ATTEMPTS` the row is `failed`, for an admin to see and retry.

Each message is built in its recipient's language (coord.i18n), whoever caused it.
The recipient's own settings apply here, for every kind of message: a kind they
turned off is `skipped`, and a non-urgent message in their quiet hours waits
(the job is deferred to the end of the quiet hours, the row stays pending).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from email.utils import parseaddr
from typing import Any, Awaitable, Callable, Sequence
from uuid import UUID

import asyncpg
from arq import Retry

from coord import i18n
from coord.kernel import clock
from coord.notify import queries
from coord.notify.mailer import Mailer, PermanentMailError, TransientMailError
from coord.notify.preferences import preferences_of
from coord.notify.quiet_hours import release_time

log = logging.getLogger("coord.delivery")

MAX_ATTEMPTS = 5
# Until an address is confirmed it gets nothing but the links that confirm it (a reset
# link does too, and a new address's link goes to that address, not the account's).
TO_UNCONFIRMED = frozenset({"email_confirmation", "password_reset", "email_change_confirmation"})
BACKOFF_S = (5, 30, 120, 600, 1800)


@dataclass(frozen=True)
class DeliveryKey:
    """What makes a message unique: by default the event it answers; messages not
    caused by one event (reminders, follow-ups) name their own `scope`."""

    event_id: UUID | None
    user_id: UUID | None  # None: a message to an address without an account (an invitation)
    kind: str
    org_id: UUID | None = None
    scope: str | None = None
    # Messages of different kinds that exclude each other (a follow-up's thanks or check-in)
    # share a slot instead of their kind: whichever goes first is the only one.
    slot: str | None = None
    # What the message is about (a coord.notify.plans value): a group held in one language
    # speaks it to those who chose none (see `_language`). Not part of the key.
    about: Any = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return f"{self.scope or self.event_id}:{self.user_id}:{self.slot or self.kind}"


# Builds the message for the (locked-in) recipient; returns None when it no longer
# applies (the state changed since the event).
Builder = Callable[[asyncpg.Connection, asyncpg.Record | None], Awaitable[Message | None]]


class QuietHours(Exception):
    def __init__(self, release: datetime) -> None:
        self.release = release


async def deliver(
    pool: asyncpg.Pool, mailer: Mailer, key: DeliveryKey, build: Builder, *, urgent: bool = False
) -> str:
    """Send one keyed message; return the delivery status afterwards."""
    try:
        return await _deliver(pool, mailer, key, build, urgent)
    except QuietHours as waiting:
        delay = max((waiting.release - clock.now()).total_seconds(), 1.0)
        raise Retry(defer=delay) from None


async def deliver_each(
    pool: asyncpg.Pool, mailer: Mailer, sends: Sequence[tuple[DeliveryKey, Builder, bool]], *, retry: bool = True
) -> dict[str, int]:
    """Deliver (key, build, urgent) to several people; one in quiet hours does not hold up
    the others. Returns {status: count}. With `retry`, raises arq's Retry for when the
    earliest quiet hours end (the others are keyed as sent by then); a cron job passes
    retry=False (arq runs a cron job once): its next run plans the waiting sends again,
    and their keys keep the rest from going twice."""
    outcome: dict[str, int] = {}
    waits: list[float] = []
    for key, build, urgent in sends:
        try:
            status = await deliver(pool, mailer, key, build, urgent=urgent)
        except Retry as deferred:
            waits.append(deferred.defer_score or 1000)
            status = "deferred"
        outcome[status] = outcome.get(status, 0) + 1
    if waits and retry:
        raise Retry(defer=min(waits) / 1000)
    return outcome


async def _skip_reason(conn: asyncpg.Connection, key: DeliveryKey, recipient: asyncpg.Record | None,
                       urgent: bool) -> str | None:
    """Why the account's own state or settings hold this message back; QuietHours to wait."""
    if recipient is None:
        return "recipient erased"
    if not recipient["email_confirmed"] and key.kind not in TO_UNCONFIRMED:
        return "address not confirmed"
    prefs = preferences_of(recipient)  # LOCK_DELIVERY reads them along
    if key.kind in prefs.disabled_kinds:
        return "turned off by the recipient"
    now = clock.now()
    release = now if urgent else release_time(now, recipient["timezone"], prefs.quiet_start, prefs.quiet_end)
    if release > now:
        raise QuietHours(release)
    return None


async def _language(conn: asyncpg.Connection, key: DeliveryKey, recipient: asyncpg.Record | None,
                    org_locale: str | None) -> i18n.Choice:
    """A message is built in the recipient's saved language, never the actor's. Someone who chose
    none reads a message about a group (its sessions, its series) or an event held in exactly
    one language in that language (issue 16.7: a group held in Spanish is announced in
    Spanish), else in their organization's default."""
    held_in = await _held_in(conn, key.about)
    only = held_in[0] if len(held_in) == 1 else None
    return i18n.Choice(saved=(recipient["locale"] if recipient else None) or only, org_default=org_locale)


async def _held_in(conn: asyncpg.Connection, about: Any) -> list[str]:
    if about is None:
        return []
    ids = {name: getattr(about, name, None) for name in ("group_id", "session_id", "series_id", "event_id")}
    if (item := getattr(about, "item", None)) in ("session", "event"):  # a reminder
        ids[f"{item}_id"] = about.item_id
    if not any(ids.values()):
        return []
    return list(await conn.fetchval(queries.HELD_IN, *ids.values()) or [])


def _sender_domain(message: Message) -> str:
    return parseaddr(str(message["From"]))[1].rpartition("@")[2] or "coord.invalid"


async def _deliver(pool: asyncpg.Pool, mailer: Mailer, key: DeliveryKey, build: Builder, urgent: bool) -> str:
    async with pool.acquire() as conn:
        await conn.execute(queries.ENSURE_DELIVERY, key.key, key.event_id, key.user_id, key.org_id, key.kind)
        async with conn.transaction():
            row = await conn.fetchrow(queries.LOCK_DELIVERY, key.key, key.user_id, key.org_id)
            if row["status"] in ("sent", "skipped", "failed"):
                return "already_" + row["status"]  # a duplicate or retried job: nothing to do
            # The recipient's columns came along (all NULL for an erased account). user_id None:
            # to an address, not an account (an invitation).
            recipient = row if row["id"] is not None else None
            if key.user_id is not None and (skip := await _skip_reason(conn, key, recipient, urgent)) is not None:
                await conn.execute(queries.MARK_SKIPPED, row["delivery_id"], skip)
                return "skipped"
            language = i18n.ACTIVE.set(await _language(conn, key, recipient, row["org_locale"]))
            try:
                message = await build(conn, recipient)
            finally:
                i18n.ACTIVE.reset(language)
            if message is None:
                await conn.execute(queries.MARK_SKIPPED, row["delivery_id"], "no longer applies")
                return "skipped"
            # Same id on a resend after a crash, so mail clients fold duplicates; on the right, the
            # sender's domain (RFC 5322 wants a domain there, and spam filters check for one).
            message["Message-ID"] = f"<{row['delivery_id']}@{_sender_domain(message)}>"
            try:
                await mailer.send(message)
            except TransientMailError as exc:
                give_up = row["attempts"] + 1 >= MAX_ATTEMPTS
                await conn.execute(queries.MARK_ATTEMPT_FAILED, row["delivery_id"], str(exc)[:500], give_up)
                log.warning("delivery %s attempt %s failed: %s", key.kind, row["attempts"] + 1, exc)
                if give_up:
                    return "failed"
                failure = exc
            except PermanentMailError as exc:
                await conn.execute(queries.MARK_ATTEMPT_FAILED, row["delivery_id"], str(exc)[:500], True)
                log.warning("delivery %s failed for good: %s", key.kind, exc)
                return "failed"
            else:
                await conn.execute(queries.MARK_SENT, row["delivery_id"])
                return "sent"
    # Outside the transaction, so the attempt count above is committed before the retry.
    raise Retry(defer=BACKOFF_S[min(row["attempts"], len(BACKOFF_S) - 1)]) from failure
