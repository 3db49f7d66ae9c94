"""The invitation email: which organization invites the person, for what, and the link
(/invitations/T) to accept. Keyed like every message (the event x the invitation's address
x "invitation"), urgent, sent to an address that may have no account (no settings apply).
The link is derived from the invitation's row when the message is built: one accepted,
revoked, expired or renewed since (a resend mails its own) is not sent.
"""

from __future__ import annotations

from email.message import Message
from uuid import UUID

import asyncpg

from coord.notify.account_mail import link_email
from coord.notify.delivery import DeliveryKey, deliver
from coord.notify.messages import Sender
from coord.notify.service import Mail
from coord.orgs.invitations import InvitationMail, pending_mail
from coord.outbox.domain_events import InvitationSent

ROLE_WORDS = {"admin": "an administrator", "coordinator": "a coordinator", "facilitator": "a facilitator",
              "volunteer": "a volunteer", "participant": "a participant"}


def _as(roles: list[str]) -> str:
    words = [ROLE_WORDS.get(r, r) for r in roles]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def invitation_message(mail: Mail, invitation: InvitationMail) -> Message:
    by = f"{invitation.inviter_name} of {invitation.org_name}" if invitation.inviter_name else invitation.org_name
    hello = f"Hello {invitation.display_name}," if invitation.display_name else "Hello,"
    until = invitation.expires_at.strftime("%d %B %Y")
    return link_email(mail.settings, invitation.to, f"{invitation.org_name} invites you to join them on coord", [
        f"{hello} {by} invites you to join {invitation.org_name} on coord as {_as(invitation.roles)}. "
        f"To accept, open this link and follow the page it opens (until {until}; it works once).",
        "New to coord? You choose your name and a password on that page. Already have an account with this "
        "address? Sign in there and accept.",
        f"If you do not want to join, ignore this message. Questions: {invitation.org_contact}.",
    ], invitation.url, sender=Sender(invitation.org_name, invitation.org_contact))


async def send_invitation(mail: Mail, event: InvitationSent, outbox_id: UUID) -> str:
    async def build(conn: asyncpg.Connection, recipient: asyncpg.Record | None) -> Message | None:
        invitation = await pending_mail(conn, mail.settings, event.invitation_id)
        return invitation_message(mail, invitation) if invitation is not None else None

    key = DeliveryKey(outbox_id, None, "invitation", org_id=event.org_id, scope=f"{outbox_id}:{event.invitation_id}")
    return await deliver(mail.pool, mail.mailer, key, build, urgent=True)
