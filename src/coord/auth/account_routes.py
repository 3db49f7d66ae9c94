"""Account routes of issue 14: links by email (confirm an address, reset a password) and
the person's own settings (profile, email address, password).

The link routes are public and mounted under their own per-client limit (plugin.py),
apart from the sign-in routes' budget: an account locked by someone else's guessing
can still be reset.
"""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, patch, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State

from coord.auth import profile, recovery
from coord.auth.schemas import (
    ConfirmEmailIn,
    EmailChangeIn,
    EmailChangeOut,
    EmailOnlyIn,
    MeOut,
    PasswordChangeIn,
    PasswordResetIn,
    ProfileIn,
)
from coord.kernel.params import DB, AuthedRequest, Body, RedisDep


class LinkRequested(msgspec.Struct):
    detail: str


SENT_IF_KNOWN = "If an account uses this address, a link is on its way to it."


class AccountLinksController(Controller):
    path = "/auth"
    tags = ["identity"]

    @post("/confirm-email", operation_id="confirmEmail", status_code=204, exclude_from_auth=True)
    async def confirm_email(self, data: Body[ConfirmEmailIn], db: DB) -> None:
        """Use the token of a confirmation link (from /confirm-email?token=...): the address is
        confirmed, or the account moves to the new address it confirms. 400 when the link is
        expired, used or unknown."""
        await recovery.confirm_email(db, data.token)

    @post("/confirm-email/resend", operation_id="resendEmailConfirmation", status_code=202, exclude_from_auth=True)
    async def resend(self, data: Body[EmailOnlyIn], redis: RedisDep, state: State) -> Response[LinkRequested]:
        """Mail a new confirmation link to this address if it has an account still to confirm.
        The same answer either way; a few an hour per address (then 429)."""
        await recovery.count_request(redis, "confirm_email", data.email)
        task = BackgroundTask(recovery.send_confirmation_link, state.pool, state.settings, data.email)
        return Response(LinkRequested(SENT_IF_KNOWN), status_code=202, background=task)

    @post("/password-reset", operation_id="requestPasswordReset", status_code=202, exclude_from_auth=True)
    async def request_reset(self, data: Body[EmailOnlyIn], redis: RedisDep, state: State) -> Response[LinkRequested]:
        """Mail a password reset link (/reset-password?token=..., valid for an hour, once) to this
        address if it has an account. The same answer either way; a few an hour per address."""
        await recovery.count_request(redis, "reset_password", data.email)
        task = BackgroundTask(recovery.send_reset_link, state.pool, state.settings, data.email)
        return Response(LinkRequested(SENT_IF_KNOWN), status_code=202, background=task)

    @post("/password-reset/confirm", operation_id="confirmPasswordReset", status_code=204, exclude_from_auth=True)
    async def reset(self, data: Body[PasswordResetIn], db: DB, redis: RedisDep) -> None:
        """Set a new password with a reset link's token. Logs the account out everywhere,
        confirms its address, lifts a sign-in lock, and tells the owner by email."""
        await recovery.reset_password(db, redis, data.token, data.password)


class AccountSettingsController(Controller):
    path = "/me"
    tags = ["identity"]

    @patch("", operation_id="updateMe")
    async def update(self, request: AuthedRequest, data: Body[ProfileIn], db: DB) -> MeOut:
        """Change my name, timezone or preferred language (`locale`, e.g. "es"; null to clear)."""
        return await profile.update_profile(db, request.user.id, data)

    @post("/email", operation_id="changeEmail", status_code=202)
    async def change_email(self, request: AuthedRequest, data: Body[EmailChangeIn], db: DB, redis: RedisDep,
                           state: State) -> EmailChangeOut:
        """Move my account to a new address (current password required): the new address gets a
        confirmation link, the current one a notice; nothing changes until the link is used."""
        return await profile.request_email_change(db, redis, state.settings.secret_key, request.user.id, data)

    @post("/password", operation_id="changePassword", status_code=204)
    async def change_password(self, request: AuthedRequest, data: Body[PasswordChangeIn], db: DB,
                              redis: RedisDep) -> None:
        """A new password (current password required). Every token and page session issued
        before stops working, this token too: sign in again with the new password."""
        await profile.change_password(db, redis, request.user.id, data)
