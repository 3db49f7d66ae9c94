"""Invitation emails (coord.notify.invitation_mail)."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from coord.notify.invitation_mail import send_invitation
from coord.notify.service import Mail
from coord.outbox.domain_events import InvitationSent
from workers.registry import on

log = logging.getLogger("coord.jobs")


@on(InvitationSent)
async def send_invitation_email(ctx: dict[str, Any], event: InvitationSent, outbox_id: UUID) -> str:
    """The invitation's link to the invited address, once (a retry mails the same link)."""
    status = await send_invitation(Mail.of(ctx), event, outbox_id)
    log.info("invitation %s", status, extra={"outbox_id": str(outbox_id), "job": "send_invitation_email"})
    return status
