"""Invitation emails (coord.notify.invitation_mail)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from coord.notify.invitation_mail import send_invitation
from coord.notify.service import Mail
from coord.outbox.domain_events import InvitationSent
from workers.registry import on


@on(InvitationSent)
async def send_invitation_email(ctx: dict[str, Any], event: InvitationSent, outbox_id: UUID) -> str:
    """The invitation's link to the invited address, once (a retry mails the same link)."""
    return await send_invitation(Mail.of(ctx), event, outbox_id)
