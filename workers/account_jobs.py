"""Account emails: a link to confirm an address, reset a password or move to a new
address, and the note that a password changed (coord.notify.account_mail)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from coord.notify.account_mail import LinkEvent, send_link, send_password_changed
from coord.notify.service import Mail
from coord.outbox.domain_events import (
    EmailChangeRequested,
    EmailConfirmationRequested,
    PasswordChanged,
    PasswordResetRequested,
)
from workers.registry import on


@on(EmailConfirmationRequested, PasswordResetRequested, EmailChangeRequested)
async def send_account_link(ctx: dict[str, Any], event: LinkEvent, outbox_id: UUID) -> dict[str, int]:
    """The link to the address it is for, once (a retry mails the same link)."""
    return await send_link(Mail.of(ctx), event, outbox_id)


@on(PasswordChanged)
async def send_password_changed_note(ctx: dict[str, Any], event: PasswordChanged, outbox_id: UUID) -> str:
    """Tell the owner their password changed (if it was not them, they can reset it)."""
    return await send_password_changed(Mail.of(ctx), event, outbox_id)
