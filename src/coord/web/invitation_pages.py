"""Invitations as pages (issue 14): the link's page /invitations/T (a GET changes nothing)
and its accept form, which signs a new person in; and, on the coordination page, the
forms to invite one address, withdraw or resend an invitation and invite from a CSV file."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coord.auth.service import PASSWORD_RULE
from coord.auth.tokens import LinkInvalid
from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel.access import CurrentUser
from coord.kernel.errors import DomainError
from coord.kernel.params import DB, PathId
from coord.orgs import invitation_import, invitations
from coord.orgs import service as orgs_service
from coord.orgs.invitation_schemas import AcceptIn, InvitationIn, InvitationView
from coord.orgs.schemas import PublicOrg
from coord.web.forms import FormInvalid, domain_errors, form_fields, to_struct
from coord.web.org_pages import coordination_page, form_post
from coord.web.render import page
from coord.web.session import Viewer, login_url, session_cookie, signed_in
from coord.web.zones import picker

Token = FromPath[str]
Slug = FromPath[str]
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}  # the address holds the token


# Why a link cannot be used, by the start of the service's reason (its words are English, for
# the API): the sentence the page shows, in the reader's language.
INVALID = {
    "this invitation link is not valid": N_("This invitation link is not valid: check that you copied all of it, "
                                            "or ask the person who invited you to send it again."),
    "this invitation has already been accepted": N_("This invitation has already been accepted (each link works "
                                                    "once): sign in at /login."),
    "this invitation was withdrawn": N_("This invitation was withdrawn: ask the organization if you should still "
                                        "join."),
    "this invitation has expired": N_("This invitation has expired (it worked for 14 days): ask the person who "
                                      "invited you to send it again."),
}


def invalid_reason(detail: str) -> str:
    said = next((text for start, text in INVALID.items() if detail.startswith(start)), None)
    return _(said) if said else detail[:1].upper() + detail[1:] + "."


def welcome_url(slug: str) -> str:
    return f"/orgs/{quote(slug)}?welcome=1"


def _state(view: InvitationView, viewer: CurrentUser | None) -> str:
    """new (the name and password form), accept (the button), login (sign in first),
    other (signed in as another address)."""
    if viewer is not None:
        return "accept" if viewer.email.lower() == view.email.lower() else "other"
    return "login" if view.account_exists else "new"


async def _link_page(request: Request, viewer: CurrentUser | None, db: DB, token: str, *,
                     values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                     status_code: int = 200) -> Template:
    """The invitation, or why its link cannot be used (200 when just opened; the refusal's
    status when a form was sent)."""
    try:
        view = await invitations.view(db, token)
    except LinkInvalid as exc:
        response = page(request, "invitation.html", viewer=viewer, title=_("This invitation cannot be used"),
                        status_code=status_code if request.method == "POST" else 200, view=None,
                        invalid=invalid_reason(exc.detail), state="invalid", token=token, values={}, errors={},
                        password_rule=PASSWORD_RULE, login="")
    else:
        # A new person's timezone: the organization's without JavaScript, the browser's with it (coord.js).
        chosen = (values or {}).get("timezone")
        response = page(request, "invitation.html", viewer=viewer, title=_("Join %(org)s") % {"org": view.org_name},
                        timezone=view.org_timezone, status_code=status_code, view=view, invalid="",
                        state=_state(view, viewer), token=token,
                        values=values or {}, errors=errors or {}, password_rule=PASSWORD_RULE,
                        login=login_url(f"/invitations/{token}"),
                        zones=picker(chosen, view.org_timezone, chosen=bool(chosen)))
    response.headers.update(PRIVATE)
    return response


class InvitationLinkPages(Controller):
    path = "/invitations"

    @get("/{token:str}", name="invitation-page")
    async def show(self, request: Request, viewer: Viewer, db: DB, token: Token) -> Template:
        """Which organization invites, with which roles, and the one way to accept that fits
        (new person, signed in, signed out, signed in as someone else). Changes nothing."""
        return await _link_page(request, viewer, db, token)

    @post("/{token:str}/accept", status_code=303)
    async def accept(self, request: Request, viewer: Viewer, db: DB, state: State, token: Token) -> Response:
        """Accept: signed in as the invited address, join; a new person sends a name and a
        password, gets an account (the address confirmed) and is signed in. Then the welcome."""
        fields = await form_fields(request)
        kept = {k: fields[k] for k in ("display_name", "timezone") if k in fields}
        try:
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                if viewer is not None:
                    done = await invitations.accept_existing(db, token, viewer)
                else:
                    data = to_struct({k: v for k, v in fields.items() if k in ("display_name", "password", "timezone")},
                                     AcceptIn)
                    done = await invitations.accept_new(db, token, data)
        except FormInvalid as exc:
            return await _link_page(request, viewer, db, token, values=kept, errors=exc.errors, status_code=422)
        except DomainError as exc:
            return await _link_page(request, viewer, db, token, values=kept, errors=domain_errors(exc),
                                    status_code=exc.status)
        cookies = [session_cookie(request, done.user_id, 0)] if done.created_account else []
        return Redirect(welcome_url(done.org_slug), status_code=303, cookies=cookies)


def _checked_roles(fields: dict[str, Any]) -> list[str]:
    roles = fields.get("roles")
    if not roles:
        raise FormInvalid({"roles": _("choose at least one role")}, "roles: choose at least one role")
    return [roles] if isinstance(roles, str) else list(roles)


class OrgInvitationPages(Controller):
    path = "/orgs"

    @post("/{slug:str}/invitations", status_code=303)
    async def invite(self, request: Request, viewer: Viewer, db: DB, state: State, slug: Slug) -> Response:
        """Invite an address with roles, whether or not it has an account (the link works 14 days)."""
        async def action(me: CurrentUser, org: PublicOrg, fields: dict[str, Any]) -> bool:
            data = to_struct({**fields, "roles": _checked_roles(fields)}, InvitationIn)
            return (await invitations.invite(db, state.settings, me.id, org.id, data))[1]
        return await form_post(request, viewer, db, slug, "invite", action,
                               done=lambda sent: "invite" if sent else "invite_member")

    @post("/{slug:str}/invitations/{invitation_id:uuid}/revoke", status_code=303)
    async def revoke(self, request: Request, viewer: Viewer, db: DB, slug: Slug, invitation_id: PathId) -> Response:
        """Withdraw an invitation: its link stops working."""
        async def action(me: CurrentUser, org: PublicOrg, fields: dict[str, Any]) -> None:
            await invitations.revoke(db, me.id, org.id, invitation_id)
        return await form_post(request, viewer, db, slug, "invitations", action, done=lambda _: "invitation_revoked")

    @post("/{slug:str}/invitations/{invitation_id:uuid}/resend", status_code=303)
    async def resend(self, request: Request, viewer: Viewer, db: DB, state: State, slug: Slug,
                     invitation_id: PathId) -> Response:
        """Mail the invitation again with a new link, valid 14 days (the old link stops working)."""
        async def action(me: CurrentUser, org: PublicOrg, fields: dict[str, Any]) -> None:
            await invitations.resend(db, state.settings, me.id, org.id, invitation_id)
        return await form_post(request, viewer, db, slug, "invitations", action, done=lambda _: "invitation_resent")

    @post("/{slug:str}/invitations/import", status_code=200)
    async def import_csv(self, request: Request, viewer: Viewer, db: DB, state: State, slug: Slug) -> Response:
        """Invite from a CSV file (email,name,roles; roles separated by ';'): the report of every
        row. A file with an invalid row invites nobody; the report offers to invite the valid
        rows (the file's content comes back in the form, as a file input cannot be refilled)."""
        me = signed_in(request, viewer)
        form = await request.form()
        upload = form.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        if not content:
            text = form.get("content")
            content = text.encode() if isinstance(text, str) else b""
        apply_valid = form.get("apply") == "valid"
        try:
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                org = await orgs_service.org_by_slug(db, slug)
                if not content:
                    raise FormInvalid({"file": _("choose a CSV file")}, "file: choose a CSV file")
                report = await invitation_import.import_csv(db, state.settings, me.id, org.id, content, apply_valid)
        except FormInvalid as exc:
            return await coordination_page(request, me, db, slug, errors={"import": exc.errors}, status_code=422)
        except DomainError as exc:
            if exc.status == 404:
                raise
            return await coordination_page(request, me, db, slug, errors={"import": domain_errors(exc)},
                                           status_code=exc.status)
        kept = "" if report.applied else content.decode("utf-8-sig", errors="replace")
        return await coordination_page(request, me, db, slug, report=report, import_content=kept,
                                       status_code=200 if report.applied else 422)


CONTROLLERS: list[Any] = [InvitationLinkPages, OrgInvitationPages]
