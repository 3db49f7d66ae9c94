"""Message builders. Calm, plain wording; no other recipient is ever named."""

from __future__ import annotations

import random
from email.header import Header
from email.message import Message
from email.utils import formataddr, format_datetime
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
from babel import Locale
from babel.dates import format_date
from babel.lists import format_list

from coord import i18n
from coord.i18n import N_, ngettext
from coord.i18n import gettext as _
from coord.i18n.dates import day_in_month, full_day
from coord.kernel import clock
from coord.kernel.config import Settings
from coord.notify import mime, queries
from coord.orgs import crisis

if TYPE_CHECKING:  # for annotations only: plans imports what imports this module
    from coord.notify.plans import MembershipNotice


def reader_html(html: str) -> str:
    """An HTML body marked with the reader's language and direction: mail programs align and
    order an Arabic message right to left only when told, and a screen reader picks its voice
    by `lang`."""
    code = i18n.current()
    return f'<div lang="{code}" dir="{i18n.direction(code)}">{html}</div>'


def paragraphs_to_text_and_html(greeting: str, paragraphs: list[str], link: str,
                                after: list[str] | tuple[str, ...] = ()) -> tuple[str, str]:
    """The greeting and paragraphs, then the link, then the paragraphs `after` it."""
    text = "\n\n".join([greeting, *paragraphs, link, *after]) + "\n"
    html = "".join(f"<p>{escape(p)}</p>" for p in [greeting, *paragraphs])
    html += f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
    html += "".join(f"<p>{escape(p)}</p>" for p in after)
    return text, reader_html(html)


# Messages are compat32 Messages: the modern Message API parses every header through its
# registry, which was most of a worker's CPU per invite (about 2.3 ms of 3.5 ms to build and
# flatten one). Their parts are written as text by coord.notify.mime, not built from
# MIMEText and friends and flattened part by part: 280 -> 70 us to build and flatten an invite.
Attachment = tuple[bytes, str, str, str]  # data, maintype, subtype, filename


def _boundary() -> str:
    """A multipart boundary chosen up front: left unset, the generator makes one and then searches
    the whole flattened body for it (3% of the CPU of sending an invite). Every part is
    base64, whose lines never hold "=_", so this one cannot appear in them."""
    return f"=_coord_{random.getrandbits(96):024x}"


def alternative(text: str, html: str | None, *extra: mime.Part) -> mime.Part:
    """text/plain, text/html and any further renderings of the same content."""
    plain = mime.text(text, "plain")
    if not html and not extra:
        return plain
    parts = [plain, mime.text(html, "html")] if html else [plain]
    return mime.multipart("alternative", _boundary(), [*parts, *extra])


def attachment(data: bytes, maintype: str, subtype: str, filename: str) -> mime.Part:
    part = mime.text(data.decode("utf-8"), subtype) if maintype == "text" else mime.application(data, subtype)
    return mime.attached(part, filename)


class Sender(NamedTuple):
    """Whom a message is from, as the reader's mail program shows it: the organization's
    name (the address stays COORD_MAIL_FROM, which the mail server may send for) and its
    contact address for replies. Account mail with no organization is from "coord"."""

    name: str
    reply_to: str | None = None


def org_sender(row: asyncpg.Record | dict, name: str = "org_name", contact: str = "contact_email") -> Sender:
    """The sender of a message about something of an organization, from a row naming it."""
    return Sender(row[name], row[contact])


# A role as a sentence names it ("Your roles at X are now: participant and volunteer").
ROLE_NAMES = {"admin": N_("admin"), "coordinator": N_("coordinator"), "facilitator": N_("facilitator"),
              "volunteer": N_("volunteer"), "participant": N_("participant")}


def role_name(role: str) -> str:
    return _(ROLE_NAMES[role]) if role in ROLE_NAMES else role


def support_line(crisis_resources: str | None, crisis_lines: Any = None) -> str:
    """The organization's crisis lines, as every calm notice ends: those in the reader's
    language first (issue 16.8), then its own words."""
    return _("If you need support now: %(lines)s") % {
        "lines": crisis.said(crisis_lines, crisis_resources, i18n.current())}


def titled(label: str, what: str) -> str:
    """A subject naming the group (or what it is about) first: "Tuesday Circle: the session ... moved"."""
    return f"{label[:1].upper()}{label[1:]}: {what}"


def when(start: datetime, end: datetime, tz: str) -> str:
    """"Tuesday 24 November 2026, 18:30–20:00 (America/New_York)" in the reader's zone."""
    zone = ZoneInfo(tz)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = f"{local_start:%A %-d %B %Y}" if i18n.current() == i18n.DEFAULT else full_day(start, tz)  # CLDR's words
    return f"{_glued(day, f'{local_start:%H:%M}–{local_end:%H:%M}')} ({tz})"


def _glued(day: str, time: str) -> str:
    """A day and a time as the reader's language joins them ("16 mars, 18:30"; Arabic's comma
    is "،"): CLDR's date-time pattern; English keeps its ", "."""
    if i18n.current() == i18n.DEFAULT:
        return f"{day}, {time}"
    return str(Locale.parse(i18n.current()).datetime_formats["medium"]).replace("{1}", day).replace("{0}", time)


def day_of(moment: datetime, tz: str) -> str:
    """"Tue 16 March" in the reader's zone: short enough for a subject ("mar, 16 de marzo")."""
    if i18n.current() != i18n.DEFAULT:
        return day_in_month(moment, tz)
    return f"{moment.astimezone(ZoneInfo(tz)):%a %-d %B}"


def weekday(moment: datetime, tz: str) -> str:
    """"Tuesday" ("martes", "الثلاثاء") in the reader's zone and language."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%A}" if i18n.current() == i18n.DEFAULT else format_date(local.date(), "EEEE", locale=i18n.current())


def day_and_time(moment: datetime, tz: str) -> str:
    """"Tue 16 March, 18:30" in the reader's zone."""
    return _glued(day_of(moment, tz), f"{moment.astimezone(ZoneInfo(tz)):%H:%M}")


def base_message(
    settings: Settings, to: str, subject: str, text: str, html: str | None = None, *,
    extra: tuple[mime.Part, ...] = (), attachments: tuple[Attachment, ...] = (), sender: Sender | None = None,
) -> Message:
    body = alternative(text, html, *extra)
    if attachments:
        body = mime.multipart("mixed", _boundary(), [body, *(attachment(*each) for each in attachments)])
    message = mime.message(body)
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
    footer = _("If you did not expect this, you can ignore this message or write to %(contact)s.") % {
        "contact": org["contact_email"]}
    text, html = paragraphs_to_text_and_html(_("Hello %(name)s,") % {"name": user["display_name"]}, paragraphs, link,
                                             after=[footer])
    return base_message(settings, user["email"], _("Welcome to %(org)s") % {"org": org_name}, text, html,
                        sender=org_sender(org, "name"))


def hello(recipient: asyncpg.Record | dict) -> str:
    """The greeting every message opens with, in the reader's language."""
    return _("Hello %(name)s,") % {"name": recipient["display_name"]}


def and_list(words: list[str]) -> str:
    """"a, b and c" in the reader's language (CLDR's list pattern; English keeps its own words)."""
    if i18n.current() == i18n.DEFAULT or len(words) < 2:
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return format_list(words, locale=i18n.current())


def membership_changes(notice: MembershipNotice, org_name: str) -> list[str]:
    """What was given up, one sentence a thing; nothing said about what did not happen.
    "one" in English for a single thing (n == 1), the number otherwise."""
    said = []
    org = {"org": org_name}
    if notice.shift_places:
        n = notice.shift_places
        said.append(_("You are no longer signed up for one upcoming shift (a place or a waitlist spot); the next "
                      "person waiting moves up.") if n == 1 else
                    ngettext("You are no longer signed up for %(num)s upcoming shift (a place or a waitlist spot); "
                             "the next person waiting moves up.",
                             "You are no longer signed up for %(num)s upcoming shifts (a place or a waitlist spot); "
                             "the next person waiting moves up.", n) % {"num": n})
    if notice.event_places:
        n = notice.event_places
        said.append(_("You are no longer registered for one upcoming event; the next person waiting moves up.")
                    if n == 1 else
                    ngettext("You are no longer registered for %(num)s upcoming event; the next person waiting "
                             "moves up.",
                             "You are no longer registered for %(num)s upcoming events; the next person waiting "
                             "moves up.", n) % {"num": n})
    if notice.groups:
        n = notice.groups
        said.append(_("You are no longer in one group; its sessions are coming off your calendar.") if n == 1 else
                    ngettext("You are no longer in %(num)s group; their sessions are coming off your calendar.",
                             "You are no longer in %(num)s groups; their sessions are coming off your calendar.",
                             n) % {"num": n})
    if notice.sessions:
        n = notice.sessions
        said.append((_("You are no longer down to facilitate one upcoming session; the coordinators of %(org)s "
                       "will arrange cover.") if n == 1 else
                     ngettext("You are no longer down to facilitate %(num)s upcoming session; the coordinators of "
                              "%(org)s will arrange cover.",
                              "You are no longer down to facilitate %(num)s upcoming sessions; the coordinators of "
                              "%(org)s will arrange cover.", n)) % {"num": n, **org})
    if notice.feeds:
        said.append(ngettext("Your calendar feed for %(org)s has stopped.",
                             "Your calendar feeds for %(org)s have stopped.", notice.feeds) % org)
    return said


async def membership_notice(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, notice: MembershipNotice
) -> Message | None:
    """The one message about a membership that ended or roles that changed; None for a role
    change once the person is no longer a member (the message about leaving says it all)."""
    org = await conn.fetchrow(queries.ORG_FOR_MEMBERSHIP_NOTICE, notice.org_id, recipient["id"])
    if org is None:
        return None
    name = {"org": org["name"]}
    if notice.left:
        subject = (_("Your membership of %(org)s has ended") if notice.removed else _("You have left %(org)s")) % name
        opening = (_("%(org)s has ended your membership, so you are no longer a member there.") if notice.removed
                   else _("You have left %(org)s, as you asked: you are no longer a member there.")) % name
    elif org["roles"]:
        subject = _("Your roles at %(org)s have changed") % name
        opening = _("Your roles at %(org)s are now: %(roles)s.") % {
            **name, "roles": and_list([role_name(r) for r in org["roles"]])}
    else:
        return None
    changes = membership_changes(notice, org["name"])
    paragraphs = [opening]
    if changes:
        paragraphs += [_("What this changes for you:"), *changes]
        if notice.shift_places or notice.event_places or notice.groups:
            paragraphs.append(_("Your calendar gets a separate update for each of these."))
    else:
        paragraphs.append(_("Nothing you had signed up for has changed."))
    if notice.left:
        months = org["retention_months"]
        paragraphs.append(ngettext("Your past attendance stays in %(org)s's records as it is, and is deleted after "
                                   "%(num)s month, as for everyone.",
                                   "Your past attendance stays in %(org)s's records as it is, and is deleted after "
                                   "%(num)s months, as for everyone.", months) % {**name, "num": months})
    paragraphs.append(_("If this is not what you expected, you can write to %(contact)s.") % {
        "contact": org["contact_email"]})
    paragraphs.append(support_line(org["crisis_resources"], org["crisis_lines"]))
    text, html = paragraphs_to_text_and_html(hello(recipient), paragraphs, f"{settings.base_url}/me")
    return base_message(settings, recipient["email"], subject, text, html, sender=org_sender(org, "name"))
