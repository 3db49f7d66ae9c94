"""Running a group from the pages (issue 15), for coordinators and admins: create a group
(/orgs/{slug}/groups/new), change it (/groups/{id}/edit), archive it after a confirmation
(/groups/{id}/archive) or reopen it; and, from the group's page, add its people from the
organization's members, remove them, answer requests to join (the group's facilitators
too), and make, copy or revoke its invitation link. Every form calls the same services as
the API; a refused form is shown again with what was typed, saying why."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from coord.groups import links
from coord.groups import service as groups_service
from coord.groups.schemas import GroupIn, GroupMemberIn, GroupOut, GroupPatch
from coord.i18n import gettext as _
from coord.kernel.access import STAFF, CurrentUser, require_role
from coord.kernel.errors import Forbidden
from coord.kernel.params import DB, PathId
from coord.orgs import service as orgs_service
from coord.orgs.schemas import PublicOrg
from coord.sessions import archive
from coord.views.group_page import archive_preview
from coord.web.forms import FormInvalid, Refusal, submit, to_struct
from coord.web.group_forms import (
    FORMATS,
    JOIN_POLICIES,
    VISIBILITIES,
    group_values,
    read_group_form,
    translated,
)
from coord.web.group_pages import _again
from coord.web.render import page
from coord.web.session import Viewer, signed_in
from coord.web.zones import picker

Slug = FromPath[str]
NEW_GROUP = {"format": "peer_led", "visibility": "public", "join_policy": "open", "facilitators_required": "1"}


async def _form_page(request: Request, viewer: CurrentUser, db: DB, org: PublicOrg, group: GroupOut | None,
                     values: dict[str, Any], errors: dict[str, str], status_code: int = 200) -> Template:
    """The group form: a new group of `org`, or `group` to change."""
    venues = (await orgs_service.list_venues(db, viewer.id, org.id, 200, None)).items
    title = _("Change %(group)s") % {"group": group.name} if group else _("Create a group: %(org)s") % {"org": org.name}
    action = f"/groups/{group.id}/edit" if group else f"/orgs/{org.slug}/groups"
    return page(request, "group_form.html", viewer=viewer, title=title, crisis_line=org.crisis_resources,
                status_code=status_code, org=org, g=group, values=values, errors=errors, venues=venues,
                zones=picker(values.get("timezone"), org.timezone, chosen=True), action=action,
                formats=translated(FORMATS), visibilities=translated(VISIBILITIES),
                join_policies=translated(JOIN_POLICIES))


async def _staff_group(db: DB, group_id: UUID, viewer: CurrentUser) -> tuple[GroupOut, PublicOrg]:
    access = await groups_service.load_group(db, group_id, viewer.id)  # another organization's: 404
    if not access.is_staff:
        raise Forbidden(_("only coordinators and admins change a group"))
    return access.group, await orgs_service.public_org(db, access.group.org_id)


def _form_again(request: Request, db: DB, org: PublicOrg, group: GroupOut | None) -> Any:
    async def again(me: CurrentUser, fields: dict[str, Any], refusal: Refusal) -> Template:
        if refusal.status == 403:
            raise refusal.cause
        return await _form_page(request, me, db, org, group, fields, refusal.errors, status_code=refusal.status)
    return again


class OrgGroupPages(Controller):
    path = "/orgs/{slug:str}/groups"

    @get("/new", name="group-new")
    async def new_group(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Template:
        """The form to create a group (admins, coordinators)."""
        viewer = signed_in(request, viewer)
        org = await orgs_service.org_by_slug(db, slug)
        await require_role(db, org.id, viewer.id, STAFF)
        return await _form_page(request, viewer, db, org, None, {**NEW_GROUP, "timezone": org.timezone}, {})

    @post("", status_code=303)
    async def create(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Response:
        """Create the group; then its page, to schedule it and add its people."""
        org = await orgs_service.org_by_slug(db, slug)

        async def act(me: CurrentUser, fields: dict[str, Any]) -> GroupOut:
            return await groups_service.create_group(db, me.id, org.id, to_struct(read_group_form(fields), GroupIn))
        return await submit(request, viewer, db, act, again=_form_again(request, db, org, None),
                            done=lambda group: f"/groups/{group.id}?created=1")


class GroupAdminPages(Controller):
    path = "/groups/{group_id:uuid}"

    @get("/edit", name="group-edit")
    async def edit_form(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Template:
        """Everything about the group a coordinator can change, in one form."""
        viewer = signed_in(request, viewer)
        group, org = await _staff_group(db, group_id, viewer)
        return await _form_page(request, viewer, db, org, group, group_values(group), {})

    @post("/edit", status_code=303)
    async def edit(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Response:
        """Save the form: it holds every value, so an emptied optional field is cleared."""
        me = signed_in(request, viewer)
        group, org = await _staff_group(db, group_id, me)

        async def act(me: CurrentUser, fields: dict[str, Any]) -> None:
            await archive.update_group(db, me.id, group_id, to_struct(read_group_form(fields), GroupPatch))
        return await submit(request, viewer, db, act, again=_form_again(request, db, org, group),
                            done=lambda _: f"/groups/{group_id}?changed=1")

    @get("/archive", name="group-archive")
    async def archive_form(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Template:
        """What archiving the group does, and the button that does it."""
        viewer = signed_in(request, viewer)
        return await self._confirm(request, viewer, db, group_id)

    async def _confirm(self, request: Request, viewer: CurrentUser, db: DB, group_id: UUID, *,
                       problem: str | None = None, status_code: int = 200) -> Template:
        preview = await archive_preview(db, viewer.id, group_id)
        return page(request, "group_archive.html", viewer=viewer, title=_("Archive %(group)s") % {"group": preview.group.name},
                    crisis_line=preview.org.crisis_resources, status_code=status_code, preview=preview,
                    g=preview.group, problem=problem)

    @post("/archive", status_code=303)
    async def archive(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Response:
        """Archive the group, from its confirmation page."""
        async def act(me: CurrentUser, fields: dict[str, Any]) -> None:
            if fields.get("confirm") != "yes":
                raise FormInvalid({"form": _("Nothing has changed yet. Read what will happen, then confirm below.")},
                                  "not confirmed")
            await archive.update_group(db, me.id, group_id, GroupPatch(archived=True))

        async def again(me: CurrentUser, fields: dict[str, Any], refusal: Refusal) -> Template:
            if refusal.status in (403, 404):
                raise refusal.cause
            return await self._confirm(request, me, db, group_id, problem=refusal.problem, status_code=refusal.status)
        return await submit(request, viewer, db, act, again=again, done=lambda _: f"/groups/{group_id}?archived=1")

    @post("/reopen", status_code=303)
    async def reopen(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Response:
        """Reopen an archived group: listed again, and it may be scheduled and joined."""
        async def act(me: CurrentUser, fields: dict[str, Any]) -> None:
            await archive.update_group(db, me.id, group_id, GroupPatch(archived=False))
        return await submit(request, viewer, db, act, again=_again(request, db, group_id),
                            done=lambda _: f"/groups/{group_id}?reopened=1")

    @post("/members", status_code=303)
    async def add_member(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Response:
        """Add a member of the organization as a participant or a facilitator (admins, coordinators)."""
        async def act(me: CurrentUser, fields: dict[str, Any]) -> None:
            if not fields.get("user_id"):
                raise FormInvalid({"user_id": _("Choose a person from the list.")}, _("Choose a person from the list."))
            await groups_service.add_member(db, me.id, group_id, to_struct(fields, GroupMemberIn))
        return await submit(request, viewer, db, act, again=_again(request, db, group_id),
                            done=lambda _: f"/groups/{group_id}?added=1#people")

    @post("/members/{user_id:uuid}/remove", status_code=303)
    async def remove_member(self, request: Request, viewer: Viewer, db: DB, group_id: PathId,
                            user_id: PathId) -> Response:
        """Take someone out of the group (admins, coordinators; facilitators for participants), as
        the API does: their answers to sessions ahead and their facilitations there go too."""
        async def act(me: CurrentUser, fields: dict[str, Any]) -> None:
            await groups_service.remove_member(db, me.id, group_id, user_id)
        return await submit(request, viewer, db, act, again=_again(request, db, group_id),
                            done=lambda _: f"/groups/{group_id}?removed=1#people")

    @post("/members/{user_id:uuid}/decline", status_code=303)
    async def decline(self, request: Request, viewer: Viewer, db: DB, group_id: PathId, user_id: PathId) -> Response:
        """Say no to a request to join (the group's facilitators, coordinators, admins); the person is told kindly."""
        async def act(me: CurrentUser, fields: dict[str, Any]) -> None:
            await groups_service.decline(db, me.id, group_id, user_id)
        return await submit(request, viewer, db, act, again=_again(request, db, group_id),
                            done=lambda _: f"/groups/{group_id}?declined=1#requests")

    @post("/invite-link", status_code=303)
    async def create_link(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Response:
        """Make the group's invitation link (or keep the one it has)."""
        async def act(me: CurrentUser, fields: dict[str, Any]) -> None:
            await links.create_link(db, request.app.state.settings, me.id, group_id)
        return await submit(request, viewer, db, act, again=_again(request, db, group_id),
                            done=lambda _: f"/groups/{group_id}?link=1#invite-link")

    @post("/invite-link/revoke", status_code=303)
    async def revoke_link(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Response:
        """Revoke the invitation link: it stops working at once."""
        async def act(me: CurrentUser, fields: dict[str, Any]) -> None:
            await links.revoke_link(db, me.id, group_id)
        return await submit(request, viewer, db, act, again=_again(request, db, group_id),
                            done=lambda _: f"/groups/{group_id}?link_revoked=1#invite-link")


CONTROLLERS: list[Any] = [OrgGroupPages, GroupAdminPages]
