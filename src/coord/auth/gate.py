"""The confirmation gate: an account whose address is not confirmed yet may browse and
change its settings, but not join a group, sign up for a shift or register for an
event. The services of those call `require_confirmed_email` once they know the object
is the caller's to see (another organization's stays a 404)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from coord.i18n import N_, gettext as _
from coord.auth import queries
from coord.kernel.errors import Forbidden

RESEND_API = "/api/v1/auth/confirm-email/resend"
RESEND_PAGE = "/confirm-email"


class EmailNotConfirmed(Forbidden):
    slug, title = "email-not-confirmed", N_("Confirm your email address first")


async def require_confirmed_email(conn: asyncpg.Connection, user_id: UUID) -> None:
    require_confirmed(await conn.fetchval(queries.EMAIL_CONFIRMED, user_id))


def require_confirmed(email_confirmed: bool) -> None:
    """The gate, for a service that read `users.email_confirmed_at IS NOT NULL` in a
    statement of its own (a signup reads it with the shift it locks)."""
    if not email_confirmed:
        raise EmailNotConfirmed(
            _("Confirm your email address first: open the link in the email we sent you when you signed up. For a new link, go to %(resend_page)s (or POST %(resend_api)s with your email).") % {"resend_page": RESEND_PAGE, "resend_api": RESEND_API},
            extra={"resend": RESEND_API, "resend_page": RESEND_PAGE},
        )
