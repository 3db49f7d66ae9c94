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

from coord import i18n
from coord.i18n import N_
from coord.i18n import gettext as _
from coord.i18n.dates import local_date
from coord.notify import queries
from coord.notify.account_mail import link_email
from coord.notify.delivery import DeliveryKey, deliver
from coord.notify.messages import Sender, and_list
from coord.notify.service import Mail
from coord.orgs.invitations import InvitationMail, pending_mail
from coord.outbox.domain_events import InvitationSent

ROLE_WORDS = {"admin": N_("an administrator"), "coordinator": N_("a coordinator"),
              "facilitator": N_("a facilitator"), "volunteer": N_("a volunteer"), "participant": N_("a participant")}


def _as(roles: list[str]) -> str:
    return and_list([_(ROLE_WORDS[r]) if r in ROLE_WORDS else r for r in roles])


def invitation_message(mail: Mail, invitation: InvitationMail) -> Message:
    names = {"inviter": invitation.inviter_name, "org": invitation.org_name, "name": invitation.display_name,
             "roles": _as(invitation.roles), "contact": invitation.org_contact}
    by = _("%(inviter)s of %(org)s") % names if invitation.inviter_name else invitation.org_name
    hello = _("Hello %(name)s,") % names if invitation.display_name else _("Hello,")
    # The date the link stops working, in the invitation's own terms (UTC), in the reader's language.
    until = (invitation.expires_at.strftime("%d %B %Y") if i18n.current() == i18n.DEFAULT
             else local_date(invitation.expires_at, "UTC", "long"))
    return link_email(mail.settings, invitation.to, _("%(org)s invites you to join them on coord") % names, [
        _("%(hello)s %(by)s invites you to join %(org)s on coord as %(roles)s. To accept, open this link and follow "
          "the page it opens (until %(until)s; it works once).") % {**names, "hello": hello, "by": by, "until": until},
        _("New to coord? You choose your name and a password on that page. Already have an account with this "
          "address? Sign in there and accept."),
        _("If you do not want to join, ignore this message. Questions: %(contact)s.") % names,
    ], invitation.url, sender=Sender(invitation.org_name, invitation.org_contact))


async def send_invitation(mail: Mail, event: InvitationSent, outbox_id: UUID) -> str:
    async def build(conn: asyncpg.Connection, recipient: asyncpg.Record | None) -> Message | None:
        invitation = await pending_mail(conn, mail.settings, event.invitation_id)
        if invitation is None:
            return None
        # An address that already has an account reads its owner's language (delivery set the
        # organization's, for an address nobody has yet).
        saved = await conn.fetchval(queries.ADDRESS_LOCALE, invitation.to)
        active = i18n.ACTIVE.get()
        language = i18n.ACTIVE.set(i18n.Choice(saved=saved, org_default=active.org_default if active else None))
        try:
            return invitation_message(mail, invitation)
        finally:
            i18n.ACTIVE.reset(language)

    key = DeliveryKey(outbox_id, None, "invitation", org_id=event.org_id, scope=f"{outbox_id}:{event.invitation_id}")
    return await deliver(mail.pool, mail.mailer, key, build, urgent=True)
