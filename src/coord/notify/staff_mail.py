"""Messages to the people who run things (issue 15, point 8).

A group's facilitators hear when someone asks to join it: a short note with a link to the
group's page, where they approve or decline. It names nobody (the page does, for them),
respects quiet hours, and is not sent once the request has been answered or withdrawn.

Coordinators and admins get a daily digest of what needs them at their organization:
requests to join waiting for an answer, sessions of the next 7 days still short of
facilitators, and messages that could not be delivered in the last day. An hourly cron job,
at the organization's digest hour in its zone (`digest_hour`, 08:00 unless an admin chose
another), enqueues one job per reader, keyed by the local date
(`DigestDue`), so it goes once a day; it is built when it goes (after the reader's quiet
hours) and not sent at all when there is nothing to say. Each reader can turn it off
(the `daily_digest` kind), as facilitators can the `join_request` note.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import Message
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from coord.i18n import gettext as _
from coord.i18n import ngettext
from coord.kernel import clock
from coord.kernel.config import Settings
from coord.notify import queries
from coord.notify.delivery import DeliveryKey, deliver
from coord.notify.followups import group_label
from coord.notify.group_notices import send_to_group_people
from coord.notify.messages import base_message, hello, org_sender, paragraphs_to_text_and_html, titled, when
from coord.notify.preferences import get_preferences
from coord.notify.rosters import mail_label
from coord.notify.service import Mail
from coord.outbox.domain_events import GroupMemberRequested

JOIN_REQUEST_KIND, DIGEST_KIND = "join_request", "daily_digest"
GAPS_AHEAD = timedelta(days=7)
FAILED_WITHIN = timedelta(days=1)  # since the day before's digest


# --- a request to join, to the group's facilitators ------------------------------------


async def join_request_notice(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, group_id: UUID, requester: UUID
) -> Message | None:
    group = await conn.fetchrow(queries.JOIN_REQUEST_FOR_NOTICE, group_id, requester, recipient["id"])
    if group is None:
        return None  # answered or withdrawn since, or they no longer facilitate it
    label = await group_label(conn, group, recipient["id"])
    paragraphs = [_("Someone has asked to join %(group)s. You can approve or decline the request on the group's "
                    "page.") % {"group": label}]
    if group["waiting"] > 1:
        paragraphs.append(ngettext("%(num)s request is waiting for an answer there.",
                                   "%(num)s requests are waiting for an answer there.", group["waiting"])
                          % {"num": group["waiting"]})
    text, html = paragraphs_to_text_and_html(hello(recipient), paragraphs, f"{settings.base_url}/groups/{group_id}")
    return base_message(settings, recipient["email"], titled(label, _("a request to join")), text, html,
                        sender=org_sender(group))


async def send_join_request_notice(mail: Mail, event: GroupMemberRequested, outbox_id: UUID) -> dict[str, int]:
    """Each facilitator of the group, once. {status: count}."""
    async def message(conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record) -> Message | None:
        return await join_request_notice(conn, settings, recipient, event.group_id, event.user_id)

    return await send_to_group_people(
        mail, outbox_id, event.group_id, queries.GROUP_FACILITATORS, JOIN_REQUEST_KIND, message
    )


# --- the daily digest ----------------------------------------------------------------


class DigestDue(msgspec.Struct, frozen=True):
    """One reader's digest for one day of their organization, built and sent in a job of its own."""

    org_id: UUID
    user_id: UUID
    day: str  # the organization's local date

    @property
    def scope(self) -> str:
        return f"digest:{self.org_id}:{self.day}"

    @property
    def job_id(self) -> str:
        return f"{self.scope}:{self.user_id}"


def digest_day(now: datetime, org_tz: str, digest_hour: int, *, force: bool = False) -> str | None:
    """The organization's local date when it is its digest hour there (the cron runs hourly)."""
    local = now.astimezone(ZoneInfo(org_tz))
    return local.date().isoformat() if force or local.hour == digest_hour else None


async def digests_due(conn: asyncpg.Connection, now: datetime, *, force: bool = False) -> list[DigestDue]:
    due = []
    for org in await conn.fetch(queries.DIGEST_ORGS):
        if (day := digest_day(now, org["timezone"], org["digest_hour"], force=force)) is not None:
            due += [DigestDue(org["id"], r["user_id"], day) for r in await conn.fetch(queries.DIGEST_READERS, org["id"])]
    return due


async def digest_message(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, org_id: UUID
) -> Message | None:
    """What needs the reader at the organization now; None when nothing does (or they are no
    longer its coordinator or admin)."""
    org = await conn.fetchrow(queries.DIGEST_ORG, org_id, recipient["id"])
    if org is None:
        return None
    now = clock.now()
    requests = await conn.fetch(queries.DIGEST_REQUESTS, org_id)
    gaps = await conn.fetch(queries.DIGEST_GAPS, org_id, now, GAPS_AHEAD)
    failed = await conn.fetchval(queries.DIGEST_FAILED, org_id, now, FAILED_WITHIN)
    if not requests and not gaps and not failed:
        return None
    discreet = (await get_preferences(conn, recipient["id"])).discreet
    base, tz = settings.base_url, recipient["timezone"]
    coordination = f"{base}/orgs/{org['slug']}/coordination"
    said, paragraphs = [], [_("Here is what needs you at %(org)s today.") % {"org": org["org_name"]}]
    if requests:
        waiting = sum(r["waiting"] for r in requests)
        said.append(ngettext("%(num)s request to join", "%(num)s requests to join", waiting) % {"num": waiting})
        paragraphs.append(_("Requests to join waiting for an answer (approve or decline on the group's page):"))
        paragraphs += [_("%(group)s: %(num)s waiting, %(link)s") % {
            "group": mail_label(r["group_name"], r["discreet_title"], discreet), "num": r["waiting"],
            "link": f"{base}/groups/{r['id']}"} for r in requests]
    if gaps:
        said.append(ngettext("%(num)s session short of facilitators", "%(num)s sessions short of facilitators",
                             len(gaps)) % {"num": len(gaps)})
        paragraphs.append(_("Sessions in the next 7 days still short of facilitators:"))
        paragraphs += [_("%(when)s: %(group)s needs %(num)s more, %(link)s") % {
            "when": when(g["starts_at"], g["ends_at"], tz), "num": g["short_by"],
            "group": mail_label(g["group_name"], g["discreet_title"], discreet),
            "link": f"{base}/sessions/{g['id']}"} for g in gaps]
    if failed:
        said.append(ngettext("%(num)s message not delivered", "%(num)s messages not delivered", failed) % {"num": failed})
        paragraphs.append(ngettext("%(num)s message could not be delivered in the last day. You can see why and send "
                                   "it again on the coordination page: %(link)s",
                                   "%(num)s messages could not be delivered in the last day. You can see why and "
                                   "send them again on the coordination page: %(link)s", failed)
                          % {"num": failed, "link": f"{coordination}#deliveries"})
    paragraphs.append(_("This summary comes only on days when something needs you. You can turn it off in your "
                        "notification settings: %(link)s") % {"link": f"{base}/me/notifications"})
    text, html = paragraphs_to_text_and_html(hello(recipient), paragraphs, coordination)
    subject = _("What needs you today: %(what)s") % {"what": ", ".join(said)}
    return base_message(settings, recipient["email"], subject, text, html, sender=org_sender(org))


async def send_digest(mail: Mail, due: DigestDue) -> str:
    """One reader's digest: after their quiet hours (arq runs the job again then), once a day."""
    async def build(conn: asyncpg.Connection, recipient: asyncpg.Record | None) -> Message | None:
        assert recipient is not None
        return await digest_message(conn, mail.settings, recipient, due.org_id)

    key = DeliveryKey(None, due.user_id, DIGEST_KIND, due.org_id, scope=due.scope)
    return await deliver(mail.pool, mail.mailer, key, build)
