"""Two calm notices about a group (issue 15): its members (and anyone waiting for an answer
to join) hear that it has closed when staff archive it, and a person whose request to join
was declined hears so, kindly. Neither names anyone else; a group with a discreet title, or
a reader in discreet mode, is named as coord.notify.followups.group_label says.

Both are about the person's own membership, so they go whatever kinds the person turned off
(like the notice of a membership ended); the closing respects quiet hours, the answer to a
request goes at once. Each is keyed like every message (the event x the person x the kind),
and built when it goes: a group reopened since, or a person taken in since, gets nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from email.message import Message
from uuid import UUID

import asyncpg

from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel.config import Settings
from coord.notify import queries
from coord.notify.delivery import DeliveryKey, deliver, deliver_each
from coord.notify.followups import group_label
from coord.notify.messages import base_message, hello, org_sender, paragraphs_to_text_and_html, support_line, titled
from coord.notify.service import Mail
from coord.outbox.domain_events import GroupArchived, GroupMemberDeclined

CLOSED_KIND, DECLINED_KIND = "group_closed", "request_declined"
# What a notice says of the group (its row, and how this reader sees it named); None: nothing, now.
Paragraphs = Callable[[asyncpg.Record, str], "list[str] | None"]


async def _notice(conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, group_id: UUID,
                  what: str, paragraphs: Paragraphs) -> Message | None:
    """A notice about the group: `paragraphs(group, label)` (None: it no longer applies), then
    the crisis line and the organization's page, where its other groups are."""
    group = await conn.fetchrow(queries.GROUP_FOR_NOTICE, group_id, recipient["id"])
    if group is None:
        return None
    label = await group_label(conn, group, recipient["id"])
    said = paragraphs(group, label)
    if said is None:
        return None
    said.append(support_line(group["crisis_resources"], group["crisis_lines"]))
    text, html = paragraphs_to_text_and_html(hello(recipient), said, f"{settings.base_url}/orgs/{group['org_slug']}")
    return base_message(settings, recipient["email"], titled(label, _(what)), text, html, sender=org_sender(group))


def _closed(group: asyncpg.Record, label: str) -> list[str] | None:
    if group["archived_at"] is None or group["my_status"] is None:
        return None  # reopened, or they left, since
    names = {"group": label, "org": group["org_name"], "contact": group["contact_email"]}
    if group["my_status"] == "pending":
        said = [_("%(group)s at %(org)s has closed, so your request to join it will not go further.") % names]
    else:
        said = [
            _("%(group)s at %(org)s has closed. Its upcoming sessions are cancelled, and your calendar gets a "
              "separate update that takes them off.") % names,
            _("Nothing is asked of you. Your past sessions stay as they were."),
        ]
    return [p[:1].upper() + p[1:] for p in said] + [
        _("If you would like to keep meeting with others, %(org)s lists its groups on its page below, and you can "
          "write to %(contact)s to talk about what might suit you.") % names,
    ]


def _declined(group: asyncpg.Record, label: str) -> list[str] | None:
    if group["my_status"] is not None:
        return None  # taken in (or asking again) since: this answer is out of date
    names = {"group": label, "org": group["org_name"], "contact": group["contact_email"]}
    return [
        _("Thank you for asking to join %(group)s at %(org)s. The group cannot offer you a place this time. This is "
          "usually about space or what the group focuses on, and it says nothing about you.") % names,
        _("You are welcome to ask again later, or to look at %(org)s's other groups on its page below. If you would "
          "like to talk about what might suit you, write to %(contact)s.") % names,
    ]


async def group_closed(conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record,
                       group_id: UUID) -> Message | None:
    return await _notice(conn, settings, recipient, group_id, N_("the group has closed"), _closed)


async def request_declined(conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record,
                           group_id: UUID) -> Message | None:
    return await _notice(conn, settings, recipient, group_id, N_("your request to join"), _declined)


# Builds one person's message about a group: (conn, settings, recipient) -> the message or None.
GroupMessage = Callable[[asyncpg.Connection, Settings, asyncpg.Record], Awaitable[Message | None]]


async def send_to_group_people(
    mail: Mail, outbox_id: UUID, group_id: UUID, people_sql: str, kind: str, message: GroupMessage
) -> dict[str, int]:
    """One message of `kind` to each person `people_sql` ($1: the group) lists when the job
    runs, keyed per person, respecting quiet hours. {status: count}."""
    async with mail.pool.acquire() as conn:
        people = [r["user_id"] for r in await conn.fetch(people_sql, group_id)]
        org_id = await conn.fetchval(queries.GROUP_ORG, group_id)

    async def build(conn: asyncpg.Connection, recipient: asyncpg.Record | None) -> Message | None:
        assert recipient is not None
        return await message(conn, mail.settings, recipient)

    sends = [(DeliveryKey(outbox_id, person, kind, org_id), build, False) for person in people]
    return await deliver_each(mail.pool, mail.mailer, sends)


async def send_group_closed(mail: Mail, event: GroupArchived, outbox_id: UUID) -> dict[str, int]:
    """Everyone in the group when the job runs, once each. {status: count}."""
    async def message(conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record) -> Message | None:
        return await group_closed(conn, settings, recipient, event.group_id)

    return await send_to_group_people(mail, outbox_id, event.group_id, queries.GROUP_MEMBERS_ALL, CLOSED_KIND, message)


async def send_request_declined(mail: Mail, event: GroupMemberDeclined, outbox_id: UUID) -> str:
    async def build(conn: asyncpg.Connection, recipient: asyncpg.Record | None) -> Message | None:
        assert recipient is not None
        return await request_declined(conn, mail.settings, recipient, event.group_id)

    async with mail.pool.acquire() as conn:
        org_id = await conn.fetchval(queries.GROUP_ORG, event.group_id)
    key = DeliveryKey(outbox_id, event.user_id, DECLINED_KIND, org_id)
    return await deliver(mail.pool, mail.mailer, key, build, urgent=True)
