"""Reminders before sessions, shifts and events, as deferred jobs that re-read.

A periodic planner enqueues, for every item starting within its organization's
lead time (default 24 h), a job deferred to `start - lead`, whose id holds the
item's sequence and start: a moved item gets a new job, and the old one, when it
runs, finds the sequence changed and sends nothing. A cancelled item likewise.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import Message
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.config import Settings
from coord.notify import queries
from coord.notify.followups import group_label
from coord.notify.messages import (
    base_message,
    day_and_time,
    hello,
    org_sender,
    paragraphs_to_text_and_html,
    titled,
    when,
)

PLANNER_MARGIN = timedelta(minutes=30)  # the planner runs every 10 minutes; overlap is harmless
TOO_LATE = timedelta(minutes=30)  # an item starting sooner than this gets no reminder
UPCOMING = {"session": queries.UPCOMING_SESSIONS, "shift": queries.UPCOMING_SHIFTS, "event": queries.UPCOMING_EVENTS}
RECIPIENTS = {
    "session": queries.SESSION_REMINDER_RECIPIENTS,
    "shift": queries.SHIFT_REMINDER_RECIPIENTS,
    "event": queries.EVENT_REMINDER_RECIPIENTS,
}
ITEM = {"session": queries.SESSION_FOR_MAIL, "shift": queries.SHIFT_FOR_REMINDER, "event": queries.EVENT_FOR_REMINDER}


def reminder_job_id(kind: str, item_id: UUID, sequence: int, starts_at: datetime) -> str:
    return f"reminder:{kind}:{item_id}:{sequence}:{int(starts_at.timestamp())}"


async def plan_reminders(conn: asyncpg.Connection, redis: ArqRedis, now: datetime | None = None) -> int:
    """Enqueue the deferred reminder jobs for what starts soon; returns how many were new."""
    now = now or clock.now()
    planned = 0
    for kind, query in UPCOMING.items():
        for row in await conn.fetch(query, now, PLANNER_MARGIN):
            if row["starts_at"] - now < TOO_LATE:
                continue
            send_at = max(now, row["starts_at"] - timedelta(minutes=row["lead"]))
            job = await redis.enqueue_job(
                "send_reminder", kind, str(row["id"]), row["sequence"], row["starts_at"].isoformat(),
                _job_id=reminder_job_id(kind, row["id"], row["sequence"], row["starts_at"]),
                _defer_by=send_at - now,  # arq's clock only counts the wait: coord.kernel.clock says when
            )
            planned += job is not None  # None: already planned (arq refuses a known job id)
    return planned


async def current_item(conn: asyncpg.Connection, kind: str, item_id: UUID, sequence: int, starts_at: datetime):
    """The item, if the reminder planned for it is still true; None when moved or cancelled."""
    row = await conn.fetchrow(ITEM[kind], item_id)
    if row is None or row["status"] != "scheduled" or row["sequence"] != sequence or row["starts_at"] != starts_at:
        return None
    if row["starts_at"] <= clock.now():
        return None
    return row


async def recipients(conn: asyncpg.Connection, kind: str, item_id: UUID) -> list[UUID]:
    return [r["user_id"] for r in await conn.fetch(RECIPIENTS[kind], item_id)]


async def reminder_message(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, kind: str, item: asyncpg.Record
) -> Message:
    tz = recipient["timezone"]
    said = {"when": when(item["starts_at"], item["ends_at"], tz)}
    if kind == "session":
        named = await group_label(conn, item, recipient["id"])
        link = f"{settings.base_url}/sessions/{item['id']}"
        paragraphs = [_("A reminder: %(what)s is on %(when)s.") % {**said, "what": named},
                      _("If you cannot come, you can say so on the session page; no explanation needed.")]
    elif kind == "shift":
        named = _("%(role)s shift") % {"role": item["title"]}
        link = f"{settings.base_url}/shifts/{item['id']}"
        paragraphs = [_("A reminder: the %(role)s shift is on %(when)s.") % {**said, "role": item["title"]}]
    else:
        named = item["title"]
        link = f"{settings.base_url}/{kind}s/{item['id']}"
        paragraphs = [_("A reminder: %(what)s is on %(when)s.") % {**said, "what": named}]
    text, html = paragraphs_to_text_and_html(hello(recipient), paragraphs, link)
    subject = titled(named, _("a reminder for %(day)s") % {"day": day_and_time(item["starts_at"], tz)})
    return base_message(settings, recipient["email"], subject, text, html, sender=org_sender(item))
