"""The account emails: a link to confirm an address or reset a password, the notice to the
old address when someone asks to move the account, and the note that a password changed.

Each is keyed in `deliveries` like every message (the event x the account x the kind),
urgent (no quiet hours) and not one a person can turn off. The link is read from its row
when the message is built (coord.auth.tokens.pending_link): a link used, void or expired
by then is not sent. Until an address is confirmed it gets the links only
(coord.notify.delivery.TO_UNCONFIRMED).
"""

from __future__ import annotations

from email.message import Message
from html import escape
from uuid import UUID

import asyncpg

from coord.auth.tokens import Link, pending_link
from coord.i18n import gettext as _
from coord.kernel.config import Settings
from coord.notify.delivery import DeliveryKey, deliver, deliver_each
from coord.notify.messages import Sender, base_message, reader_html
from coord.notify.service import Mail
from coord.outbox.domain_events import (
    EmailChangeRequested,
    EmailConfirmationRequested,
    PasswordChanged,
    PasswordResetRequested,
)

LinkEvent = EmailConfirmationRequested | PasswordResetRequested | EmailChangeRequested
# The deliveries' kinds (none of them one a person can turn off).
LINK_KIND = {EmailConfirmationRequested: "email_confirmation", PasswordResetRequested: "password_reset",
             EmailChangeRequested: "email_change_confirmation"}


def link_email(
    settings: Settings, to: str, subject: str, paragraphs: list[str], link: str | None = None, sender: Sender | None = None
) -> Message:
    """Paragraphs, with the link (if any) after the first, as text and HTML; from coord unless
    an organization is the `sender`."""
    text = "\n\n".join(paragraphs[:1] + ([link] if link else []) + paragraphs[1:]) + "\n"
    html = "".join(f"<p>{escape(p)}</p>" for p in paragraphs[:1])
    if link:
        html += f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
    html += "".join(f"<p>{escape(p)}</p>" for p in paragraphs[1:])
    return base_message(settings, to, subject, text, reader_html(html), sender=sender)


def masked(address: str) -> str:
    """"nell@example.org" -> "n***@example.org": enough to recognise, not to read off."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def link_message(settings: Settings, link: Link) -> Message:
    if link.purpose == "confirm_email":  # in the language the person signed up in
        return link_email(settings, link.to, _("Confirm your email address for coord"), [
            _("Hello %(name)s, please confirm that this is your email address: open this link and press the "
              "button on the page it opens. The link works once, for 48 hours.") % {"name": link.display_name},
            _("Until you do, coord sends nothing else to this address, and you cannot join groups, sign up "
              "for shifts or register for events yet."),
            _("If you did not create an account on coord, ignore this message: nothing more will be sent."),
        ], link.url)
    if link.purpose == "reset_password":
        return link_email(settings, link.to, _("Reset your coord password"), [
            _("Hello %(name)s, someone asked to reset the password of your coord account. To choose a new one, "
              "open this link. It works once, for 1 hour.") % {"name": link.display_name},
            _("Resetting signs you out on every device. If you did not ask for this, ignore this message: "
              "your password stays as it is."),
        ], link.url)
    return link_email(settings, link.to, _("Confirm your new email address for coord"), [
        _("Hello %(name)s, to move your coord account to this address, open this link and press the button on the "
          "page it opens. It works once, for 48 hours; until then your account keeps its current address.")
        % {"name": link.display_name},
        _("If you did not ask for this, ignore this message."),
    ], link.url)


def change_notice(settings: Settings, recipient: asyncpg.Record, link: Link) -> Message:
    said = {"name": recipient["display_name"], "address": masked(link.to),
            "link": f"{settings.base_url}/forgot-password"}
    return link_email(settings, recipient["email"], _("Your coord account's email address is about to change"), [
        _("Hello %(name)s, someone signed in to your coord account asked to move it to a new address "
          "(%(address)s). Nothing changes until that address confirms it.") % said,
        _("If this was not you, change your password now at %(link)s: the link to the new address then stops "
          "working.") % said,
    ])


def password_changed(settings: Settings, recipient: asyncpg.Record) -> Message:
    said = {"name": recipient["display_name"], "link": f"{settings.base_url}/forgot-password"}
    return link_email(settings, recipient["email"], _("Your coord password was changed"), [
        _("Hello %(name)s, the password of your coord account was just changed, and every device signed in to it "
          "was signed out.") % said,
        _("If this was not you, reset your password now at %(link)s, and write to the coordinator of your "
          "organization.") % said,
    ])


async def send_link(mail: Mail, event: LinkEvent, outbox_id: UUID) -> dict[str, int]:
    """The link of `event`'s row to the address it is for; for a move to a new address, also a
    notice to the current one. {status: count}."""
    settings = mail.settings
    link_kind = LINK_KIND[type(event)]

    async def build_link(conn: asyncpg.Connection, recipient: asyncpg.Record) -> Message | None:
        link = await pending_link(conn, settings, event.token_id)
        return link_message(settings, link) if link is not None else None

    async def build_notice(conn: asyncpg.Connection, recipient: asyncpg.Record) -> Message | None:
        link = await pending_link(conn, settings, event.token_id)
        return change_notice(settings, recipient, link) if link is not None else None

    sends = [(DeliveryKey(outbox_id, event.user_id, link_kind), build_link, True)]
    if isinstance(event, EmailChangeRequested):
        sends.append((DeliveryKey(outbox_id, event.user_id, "email_change_notice"), build_notice, True))
    return await deliver_each(mail.pool, mail.mailer, sends)


async def send_password_changed(mail: Mail, event: PasswordChanged, outbox_id: UUID) -> str:
    async def build(conn: asyncpg.Connection, recipient: asyncpg.Record) -> Message | None:
        return password_changed(mail.settings, recipient)

    key = DeliveryKey(outbox_id, event.user_id, "password_changed")
    return await deliver(mail.pool, mail.mailer, key, build, urgent=True)
