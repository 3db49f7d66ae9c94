"""Message builders. Calm, plain wording; no other recipient is ever named."""

from __future__ import annotations

from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, format_datetime
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from coord import i18n
from coord.i18n import gettext as _
from coord.i18n.dates import day_in_month, full_day
from coord.kernel import clock
from coord.kernel.config import Settings
from coord.notify import queries

if TYPE_CHECKING:  # for annotations only: plans imports what imports this module
    from coord.notify.plans import MembershipNotice


def paragraphs_to_text_and_html(greeting: str, paragraphs: list[str], link: str) -> tuple[str, str]:
    text = "\n\n".join([greeting, *paragraphs, link]) + "\n"
    html = "".join(f"<p>{escape(p)}</p>" for p in [greeting, *paragraphs])
    html += f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
    return text, html


# Messages are built with the compat32 MIME classes: the modern Message API
# parses every header through its registry, which was most of a worker's CPU per
# invite (about 2.3 ms of 3.5 ms to build and flatten one).
Attachment = tuple[bytes, str, str, str]  # data, maintype, subtype, filename


def alternative(text: str, html: str | None, *extra: Message) -> Message:
    """text/plain, text/html and any further renderings of the same content."""
    plain = MIMEText(text, "plain", "utf-8")
    if not html and not extra:
        return plain
    body = MIMEMultipart("alternative")
    body.attach(plain)
    if html:
        body.attach(MIMEText(html, "html", "utf-8"))
    for part in extra:
        body.attach(part)
    return body


def attachment(data: bytes, maintype: str, subtype: str, filename: str) -> Message:
    part = MIMEText(data.decode("utf-8"), subtype, "utf-8") if maintype == "text" else MIMEApplication(data, subtype)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


class Sender(NamedTuple):
    """Whom a message is from, as the reader's mail program shows it: the organization's
    name (the address stays COORD_MAIL_FROM, which the mail server may send for) and its
    contact address for replies. Account mail with no organization is from "coord"."""

    name: str
    reply_to: str | None = None


def org_sender(row: asyncpg.Record | dict, name: str = "org_name", contact: str = "contact_email") -> Sender:
    """The sender of a message about something of an organization, from a row naming it."""
    return Sender(row[name], row[contact])


def titled(label: str, what: str) -> str:
    """A subject naming the group (or what it is about) first: "Tuesday Circle: the session ... moved"."""
    return f"{label[:1].upper()}{label[1:]}: {what}"


def when(start: datetime, end: datetime, tz: str) -> str:
    """"Tuesday 24 November 2026, 18:30–20:00 (America/New_York)" in the reader's zone."""
    zone = ZoneInfo(tz)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = f"{local_start:%A %-d %B %Y}" if i18n.current() == i18n.DEFAULT else full_day(start, tz)  # CLDR's words
    return f"{day}, {local_start:%H:%M}–{local_end:%H:%M} ({tz})"


def day_of(moment: datetime, tz: str) -> str:
    """"Tue 16 March" in the reader's zone: short enough for a subject ("mar, 16 de marzo")."""
    if i18n.current() != i18n.DEFAULT:
        return day_in_month(moment, tz)
    return f"{moment.astimezone(ZoneInfo(tz)):%a %-d %B}"


def day_and_time(moment: datetime, tz: str) -> str:
    """"Tue 16 March, 18:30" in the reader's zone."""
    return f"{day_of(moment, tz)}, {moment.astimezone(ZoneInfo(tz)):%H:%M}"


def base_message(
    settings: Settings, to: str, subject: str, text: str, html: str | None = None, *,
    extra: tuple[Message, ...] = (), attachments: tuple[Attachment, ...] = (), sender: Sender | None = None,
) -> Message:
    message = alternative(text, html, *extra)
    if attachments:
        mixed = MIMEMultipart("mixed")
        mixed.attach(message)
        for data, maintype, subtype, filename in attachments:
            mixed.attach(attachment(data, maintype, subtype, filename))
        message = mixed
    name, reply_to = sender or Sender("coord")
    # A name in any script, encoded as RFC 2047 asks (the address itself stays ASCII).
    message["From"] = formataddr((name, settings.mail_from), charset="utf-8")
    if reply_to:
        message["Reply-To"] = formataddr((name, reply_to), charset="utf-8")
    message["To"] = to
    message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")
    message["Date"] = format_datetime(clock.now(), usegmt=True)
    message["Auto-Submitted"] = "auto-generated"
    return message


async def welcome(
    conn: asyncpg.Connection, settings: Settings, org_id: UUID, user: asyncpg.Record
) -> Message | None:
    org = await conn.fetchrow(queries.ORG_FOR_MAIL, org_id)
    if org is None:
        return None
    org_name = org["name"]
    paragraphs = [
        _("You have been added to %(org)s on coord. You can see your schedule, sign up for shifts "
          "and subscribe to your calendar from your page:") % {"org": org_name},
    ]
    link = f"{settings.base_url}/me"
    text, html = paragraphs_to_text_and_html(_("Hello %(name)s,") % {"name": user["display_name"]}, paragraphs, link)
    footer = _("If you did not expect this, you can ignore this message or write to %(contact)s.") % {
        "contact": org["contact_email"]}
    return base_message(settings, user["email"], _("Welcome to %(org)s") % {"org": org_name}, f"{text}\n{footer}\n",
                        f"{html}<p>{escape(footer)}</p>", sender=org_sender(org, "name"))


def _count(n: int, one: str, many: str) -> str:
    return f"{'one' if n == 1 else n} {one if n == 1 else many}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def membership_changes(notice: MembershipNotice, org_name: str) -> list[str]:
    """What was given up, one sentence a thing; nothing said about what did not happen."""
    said = []
    if notice.shift_places:
        said.append(f"You are no longer signed up for {_count(notice.shift_places, 'upcoming shift', 'upcoming shifts')}"
                    " (a place or a waitlist spot); the next person waiting moves up.")
    if notice.event_places:
        said.append(f"You are no longer registered for {_count(notice.event_places, 'upcoming event', 'upcoming events')}"
                    "; the next person waiting moves up.")
    if notice.groups:
        said.append(f"You are no longer in {_count(notice.groups, 'group', 'groups')}; "
                    + ("its sessions are" if notice.groups == 1 else "their sessions are") + " coming off your calendar.")
    if notice.sessions:
        said.append(f"You are no longer down to facilitate {_count(notice.sessions, 'upcoming session', 'upcoming sessions')}"
                    f"; the coordinators of {org_name} will arrange cover.")
    if notice.feeds:
        said.append(f"Your calendar {'feed' if notice.feeds == 1 else 'feeds'} for {org_name} "
                    f"{'has' if notice.feeds == 1 else 'have'} stopped.")
    return said


async def membership_notice(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, notice: MembershipNotice
) -> Message | None:
    """The one message about a membership that ended or roles that changed; None for a role
    change once the person is no longer a member (the message about leaving says it all)."""
    org = await conn.fetchrow(queries.ORG_FOR_MEMBERSHIP_NOTICE, notice.org_id, recipient["id"])
    if org is None:
        return None
    name = org["name"]
    if notice.left:
        subject = f"Your membership of {name} has ended" if notice.removed else f"You have left {name}"
        opening = (f"{name} has ended your membership, so you are no longer a member there." if notice.removed
                   else f"You have left {name}, as you asked: you are no longer a member there.")
    elif org["roles"]:
        subject = f"Your roles at {name} have changed"
        opening = f"Your roles at {name} are now: {_and(list(org['roles']))}."
    else:
        return None
    changes = membership_changes(notice, name)
    paragraphs = [opening]
    if changes:
        paragraphs += ["What this changes for you:", *changes]
        if notice.shift_places or notice.event_places or notice.groups:
            paragraphs.append("Your calendar gets a separate update for each of these.")
    else:
        paragraphs.append("Nothing you had signed up for has changed.")
    if notice.left:
        paragraphs.append(f"Your past attendance stays in {name}'s records as it is, and is deleted after "
                          f"{org['retention_months']} months, as for everyone.")
    paragraphs.append(f"If this is not what you expected, you can write to {org['contact_email']}.")
    paragraphs.append(f"If you need support now: {org['crisis_resources']}")
    text, html = paragraphs_to_text_and_html(f"Hello {recipient['display_name']},", paragraphs, f"{settings.base_url}/me")
    return base_message(settings, recipient["email"], subject, text, html, sender=org_sender(org, "name"))
