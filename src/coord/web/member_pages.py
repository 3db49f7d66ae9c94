"""Membership pages: leaving an organization, and (coordinators, admins) changing a member's
roles or removing them. Each first shows what will happen (coord.orgs.offboarding.preview)
on a page whose button does it; no step needs JavaScript."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote
from uuid import UUID

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coord.feeds.routes import forget_feeds
from coord.i18n import N_, ngettext
from coord.i18n import gettext as _
from coord.kernel.access import ROLES, CurrentUser
from coord.kernel.errors import DomainError
from coord.kernel.params import DB, PathId
from coord.orgs import offboarding
from coord.orgs import service as orgs_service
from coord.orgs.offboarding import MemberChange
from coord.orgs.schemas import PublicOrg
from coord.web.forms import form_fields
from coord.web.render import page
from coord.web.session import Viewer, signed_in
from coord.web.words import role_names

Slug = FromPath[str]


def _pick(own: bool, yours: str, theirs: str) -> str:
    """The sentence said to the person (own) or about them, translated."""
    return _(yours) if own else _(theirs)


def consequences(change: MemberChange, org_name: str) -> list[str]:
    """What the change does, one sentence a thing: to the person (own), or about them."""
    own, r = change.own, change.released
    said = []
    if change.leaving:
        said.append(_("You will no longer be a member of %(org)s.") % {"org": org_name} if own else
                    _("%(name)s will no longer be a member of %(org)s.")
                    % {"name": change.display_name or _("This member"), "org": org_name})
    else:
        if change.roles_taken:
            said.append(_pick(own, N_("Your roles will no longer include: %(roles)s."),
                              N_("Their roles will no longer include: %(roles)s."))
                        % {"roles": role_names(change.roles_taken)})
        if change.roles_given:
            said.append(_pick(own, N_("You will also be: %(roles)s."), N_("They will also be: %(roles)s."))
                        % {"roles": role_names(change.roles_given)})
    # One ngettext a case, spelled out whole (gettext finds only literal strings).
    if r.shift_places:
        said.append((
            ngettext("Your places and waitlist spots on one upcoming shift are given up; the next person waiting "
                     "moves up and is told.",
                     "Your places and waitlist spots on %(num)s upcoming shifts are given up; the next person "
                     "waiting moves up and is told.", r.shift_places) if own else
            ngettext("Their places and waitlist spots on one upcoming shift are given up; the next person waiting "
                     "moves up and is told.",
                     "Their places and waitlist spots on %(num)s upcoming shifts are given up; the next person "
                     "waiting moves up and is told.", r.shift_places)) % {"num": r.shift_places})
    if r.event_places:
        said.append((
            ngettext("Your registrations for one upcoming event are cancelled; the next person waiting moves up "
                     "and is told.",
                     "Your registrations for %(num)s upcoming events are cancelled; the next person waiting moves "
                     "up and is told.", r.event_places) if own else
            ngettext("Their registrations for one upcoming event are cancelled; the next person waiting moves up "
                     "and is told.",
                     "Their registrations for %(num)s upcoming events are cancelled; the next person waiting moves "
                     "up and is told.", r.event_places)) % {"num": r.event_places})
    if r.groups:
        said.append((
            ngettext("You leave one group; your calendar gets a cancellation of its sessions.",
                     "You leave %(num)s groups; your calendar gets a cancellation of their sessions.",
                     r.groups) if own else
            ngettext("They leave one group; their calendar gets a cancellation of its sessions.",
                     "They leave %(num)s groups; their calendar gets a cancellation of their sessions.",
                     r.groups)) % {"num": r.groups})
    if r.sessions:
        said.append((
            ngettext("You no longer facilitate one upcoming session; a session left short shows as a coverage gap "
                     "and coordinators are alerted.",
                     "You no longer facilitate %(num)s upcoming sessions; a session left short shows as a coverage "
                     "gap and coordinators are alerted.", r.sessions) if own else
            ngettext("They no longer facilitate one upcoming session; a session left short shows as a coverage gap "
                     "and coordinators are alerted.",
                     "They no longer facilitate %(num)s upcoming sessions; a session left short shows as a coverage "
                     "gap and coordinators are alerted.", r.sessions)) % {"num": r.sessions})
    if r.feeds:
        said.append((
            ngettext("Your calendar feed of %(org)s stops working.", "Your calendar feeds of %(org)s stop working.",
                     r.feeds) if own else
            ngettext("Their calendar feed of %(org)s stops working.", "Their calendar feeds of %(org)s stop working.",
                     r.feeds)) % {"num": r.feeds, "org": org_name})
    if not r.anything:
        said.append(_pick(own, N_("Nothing you signed up for changes."), N_("Nothing they signed up for changes.")))
    said.append(_pick(own, N_("You get one message saying what changed."),
                      N_("They get one message saying what changed.")))
    if change.leaving:
        said.append(_("Past attendance stays in %(org)s's records, under its retention rules.") % {"org": org_name})
    return said


# The refusals a member change can meet on these pages, said by coord.orgs.offboarding in
# English (for the API): the same words in the reader's language.
REFUSALS = {
    "You are the only admin of this organization: make someone else an admin first":
        N_("You are the only admin of this organization: make someone else an admin first"),
    "This person is the only admin of this organization: make someone else an admin first":
        N_("This person is the only admin of this organization: make someone else an admin first"),
}


def refusal(detail: str) -> str:
    return _(REFUSALS[detail]) if detail in REFUSALS else detail


def _leave_url(slug: str) -> str:
    return f"/orgs/{quote(slug)}/leave"


def _member_url(slug: str, user_id: UUID, action: str) -> str:
    return f"/orgs/{quote(slug)}/members/{user_id}/{action}"


def _coordination(slug: str, done: str) -> str:
    return f"/orgs/{quote(slug)}/coordination?done={done}#members"


Kind = Literal["leave", "remove", "roles"]  # which confirmation page


async def _confirm_page(request: Request, viewer: CurrentUser, db: asyncpg.Connection, org: PublicOrg, user_id: UUID,
                        kind: Kind, roles: list[str] | None = None, *, problem: str | None = None,
                        status_code: int = 200) -> Template:
    """The confirmation step: what the change will do, and the button that does it. A change
    that cannot be made (the last admin, no role chosen) shows why, without the button;
    403 and 404 stay errors."""
    change: MemberChange | None = None
    if kind != "roles" or roles:
        try:
            change = await offboarding.preview(db, viewer.id, org.id, user_id, roles)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            problem, status_code = refusal(exc.detail), exc.status
    name = change.display_name if change and change.display_name else None
    if kind == "leave":
        title = button = _("Leave %(org)s") % {"org": org.name}
        action = _leave_url(org.slug)
    elif kind == "remove":
        title = _("Remove %(name)s from %(org)s") % {"name": name or _("a member"), "org": org.name}
        action, button = _member_url(org.slug, user_id, "remove"), _("Remove %(name)s") % {"name": name or _("this member")}
    else:
        title = (_("Change your roles") if viewer.id == user_id
                 else _("Change the roles of %(name)s") % {"name": name or _("a member")})
        action, button = _member_url(org.slug, user_id, "roles"), _("Change the roles")
    back = "/me" if kind == "leave" else f"/orgs/{quote(org.slug)}/coordination#members"
    return page(request, "member_change.html", viewer=viewer, title=title, crisis_line=org.crisis_resources,
                status_code=status_code, org=org, change=change, roles=roles or [], action=action, button=button,
                back=back, problem=problem, said=consequences(change, org.name) if change else [])


def _roles(fields: dict[str, Any]) -> list[str]:
    chosen = fields.get("roles") or []
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    return [r for r in ROLES if r in chosen]  # in a stable order; anything else is not a role


async def _offboard(state: State, viewer: CurrentUser, org: PublicOrg, user_id: UUID) -> None:
    """Its own transaction, as in the API: the stopped feeds' cached renders go after the commit."""
    async with state.pool.acquire() as conn, conn.transaction():
        feed_hashes = await offboarding.remove_member(conn, viewer.id, org.id, user_id)
    await forget_feeds(state, feed_hashes)


class MemberPages(Controller):
    path = "/orgs/{slug:str}"

    @get("/leave", name="leave-org")
    async def leave_form(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Template:
        """What leaving the organization does, and the button that does it (members)."""
        viewer = signed_in(request, viewer)
        org = await orgs_service.org_by_slug(db, slug)
        return await _confirm_page(request, viewer, db, org, viewer.id, "leave")

    @post("/leave", status_code=303)
    async def leave(self, request: Request, viewer: Viewer, db: DB, state: State, slug: Slug) -> Response:
        """Leave the organization, from its confirmation page."""
        viewer = signed_in(request, viewer)
        org = await orgs_service.org_by_slug(db, slug)
        return await self._remove(request, viewer, db, state, org, viewer.id, "leave", "/me?done=org_left")

    @get("/members/{user_id:uuid}/remove", name="remove-member")
    async def remove_form(self, request: Request, viewer: Viewer, db: DB, slug: Slug, user_id: PathId) -> Response:
        """What removing this member does, and the button that does it (admins, coordinators)."""
        viewer = signed_in(request, viewer)
        org = await orgs_service.org_by_slug(db, slug)
        if user_id == viewer.id:  # removing oneself is leaving
            return Redirect(_leave_url(org.slug), status_code=303)
        return await _confirm_page(request, viewer, db, org, user_id, "remove")

    @post("/members/{user_id:uuid}/remove", status_code=303)
    async def remove(self, request: Request, viewer: Viewer, db: DB, state: State, slug: Slug,
                     user_id: PathId) -> Response:
        """Remove the member, from its confirmation page (admins, coordinators)."""
        viewer = signed_in(request, viewer)
        org = await orgs_service.org_by_slug(db, slug)
        done = "/me?done=org_left" if user_id == viewer.id else _coordination(org.slug, "removed")
        return await self._remove(request, viewer, db, state, org, user_id, "remove", done)

    async def _remove(self, request: Request, viewer: CurrentUser, db: DB, state: State, org: PublicOrg,
                      user_id: UUID, kind: Kind, done: str) -> Response:
        fields = await form_fields(request)
        if fields.get("confirm") != "yes":  # not sent from the confirmation page: show it
            return await _confirm_page(request, viewer, db, org, user_id, kind, status_code=422,
                                       problem=_("Nothing has changed yet. Read what will happen, then confirm below."))
        try:
            await _offboard(state, viewer, org, user_id)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            return await _confirm_page(request, viewer, db, org, user_id, kind, problem=refusal(exc.detail),
                                       status_code=exc.status)
        return Redirect(done, status_code=303)

    @post("/members/{user_id:uuid}/roles", status_code=303)
    async def change_roles(self, request: Request, viewer: Viewer, db: DB, slug: Slug, user_id: PathId) -> Response:
        """Change a member's roles (admins, coordinators). Taking a role away first shows what
        that will do; the button there (confirm=yes) makes the change. Adding roles goes at once."""
        viewer = signed_in(request, viewer)
        org = await orgs_service.org_by_slug(db, slug)
        fields = await form_fields(request)
        roles = _roles(fields)
        if not roles:
            try:  # who may not change this membership learns that first (403, 404), as for any change
                await offboarding.preview(db, viewer.id, org.id, user_id)
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
            return await _confirm_page(request, viewer, db, org, user_id, "roles", status_code=422,
                                       problem=_("Nothing has changed: choose at least one role. To take every "
                                                 "role away, remove the member instead."))
        try:
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                change = await offboarding.preview(db, viewer.id, org.id, user_id, roles)
                if change.roles_taken and fields.get("confirm") != "yes":
                    return await _confirm_page(request, viewer, db, org, user_id, "roles", roles)
                await offboarding.set_roles(db, viewer.id, org.id, user_id, roles)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            return await _confirm_page(request, viewer, db, org, user_id, "roles", roles, problem=refusal(exc.detail),
                                       status_code=exc.status)
        return Redirect(_coordination(org.slug, "roles"), status_code=303)


CONTROLLERS: list[Any] = [MemberPages]
