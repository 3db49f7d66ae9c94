"""HTTP routes of support groups; CONTROLLERS is what the plugin mounts under /api/v1."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Response, Router, delete, get, post
from litestar.datastructures import State
from litestar.params import QueryParameter

from coord.i18n import gettext as _
from coord.groups import links, service
from coord.groups.schemas import GroupIn, GroupMemberIn, GroupMemberOut, GroupOut, InviteLinkOut, JoinOut
from coord.kernel.errors import NotFound
from coord.kernel.params import DB, AuthedRequest, Body, LanguageFilter, Paging, PathId
from coord.kernel.pagination import Page


class OrgGroupController(Controller):
    path = "/orgs/{org_id:uuid}/groups"

    @post("", operation_id="createGroup", status_code=201)
    async def create(self, request: AuthedRequest, org_id: PathId, data: Body[GroupIn], db: DB) -> GroupOut:
        """Create a support group (admins, coordinators); its timezone defaults to the organization's."""
        return await service.create_group(db, request.user.id, org_id, data)

    @get("", operation_id="listGroups")
    async def list_groups(self, request: AuthedRequest, org_id: PathId, db: DB, page: Paging,
                          language: LanguageFilter = None) -> Page[GroupOut]:
        """Groups the caller may see: all for staff; public ones and their own for everyone else.
        `?language=es`: only those held in Spanish."""
        return await service.list_groups(db, request.user.id, org_id, page.limit, page.cursor, language)


class GroupController(Controller):
    """One group. PATCH /groups/{id} (a change, archiving) is in coord.sessions.routes: archiving
    ends the group's schedule, which is the sessions domain's."""

    path = "/groups/{group_id:uuid}"

    @get("", operation_id="getGroup")
    async def get_group(self, request: AuthedRequest, group_id: PathId, db: DB) -> GroupOut:
        """One group, with the caller's own membership; a private group is 404 to non-members."""
        return await service.get_group(db, request.user.id, group_id)

    @post("/members", operation_id="addGroupMember", status_code=201)
    async def add_member(
        self, request: AuthedRequest, group_id: PathId, data: Body[GroupMemberIn], db: DB
    ) -> Response[GroupMemberOut]:
        """Add an organization member as facilitator or participant (coordinators, admins).

        Someone already in the group gets the new role and is made active: 200.
        """
        member, created = await service.add_member(db, request.user.id, group_id, data)
        return Response(member, status_code=201 if created else 200)

    @get("/members", operation_id="listGroupMembers")
    async def list_members(
        self,
        request: AuthedRequest,
        group_id: PathId,
        db: DB,
        page: Paging,
        status: Annotated[Literal["active", "pending"] | None, QueryParameter(description="only this status")] = None,
    ) -> Page[GroupMemberOut]:
        """The group's roster, pending requests included (staff and the group's facilitators; audited)."""
        return await service.list_members(db, request.user.id, group_id, status, page.limit, page.cursor)

    @post("/join", operation_id="joinGroup", status_code=201)
    async def join(self, request: AuthedRequest, group_id: PathId, db: DB) -> Response[JoinOut]:
        """Join an open group (active) or ask to join one that needs approval (pending).

        Joining again answers 200 with the current membership.
        """
        membership, created = await service.join(db, request.user.id, group_id)
        return Response(membership, status_code=201 if created else 200)

    @post("/members/{user_id:uuid}/approve", operation_id="approveGroupMember", status_code=200)
    async def approve(self, request: AuthedRequest, group_id: PathId, user_id: PathId, db: DB) -> GroupMemberOut:
        """Accept a pending request to join (staff and the group's facilitators)."""
        return await service.approve(db, request.user.id, group_id, user_id)

    @post("/members/{user_id:uuid}/decline", operation_id="declineGroupMember", status_code=200)
    async def decline(self, request: AuthedRequest, group_id: PathId, user_id: PathId, db: DB) -> GroupMemberOut:
        """Decline a pending request to join (staff and the group's facilitators); the person is told
        kindly and may ask again. 409 for someone already a member (remove them instead)."""
        return await service.decline(db, request.user.id, group_id, user_id)

    @delete("/members/me", operation_id="leaveGroup", status_code=204)
    async def leave(self, request: AuthedRequest, group_id: PathId, db: DB) -> None:
        """Leave the group, or withdraw your request to join; your future sessions come off your calendar."""
        await service.remove_member(db, request.user.id, group_id, request.user.id)

    @get("/invite-link", operation_id="getGroupInviteLink")
    async def invite_link(self, request: AuthedRequest, group_id: PathId, db: DB, state: State) -> InviteLinkOut:
        """The group's invitation link (coordinators, admins); 404 when it has none."""
        link = await links.get_link(db, state.settings, request.user.id, group_id)
        if link is None:
            raise NotFound(_("this group has no invitation link"))
        return link

    @post("/invite-link", operation_id="createGroupInviteLink", status_code=201)
    async def create_invite_link(
        self, request: AuthedRequest, group_id: PathId, db: DB, state: State
    ) -> Response[InviteLinkOut]:
        """An invitation link for a private or unlisted group (coordinators, admins): whoever opens it
        sees the group's name and may ask to join, joining the organization too when needed.

        A group has one link at a time: asking again answers 200 with it. 409 for a public group.
        """
        link, created = await links.create_link(db, state.settings, request.user.id, group_id)
        return Response(link, status_code=201 if created else 200)

    @delete("/invite-link", operation_id="revokeGroupInviteLink", status_code=204)
    async def revoke_invite_link(self, request: AuthedRequest, group_id: PathId, db: DB) -> None:
        """Revoke the group's invitation link: it stops working at once (people who joined stay)."""
        await links.revoke_link(db, request.user.id, group_id)

    @delete("/members/{user_id:uuid}", operation_id="removeGroupMember", status_code=204)
    async def remove(self, request: AuthedRequest, group_id: PathId, user_id: PathId, db: DB) -> None:
        """Leave a group (your own id), decline a request, or remove someone (staff; facilitators for participants).

        Future session assignments of the person are dropped.
        """
        await service.remove_member(db, request.user.id, group_id, user_id)


# One router for the domain: its tag is declared once, for every controller in it.
CONTROLLERS: list[Any] = [Router("/", tags=["groups"], route_handlers=[OrgGroupController, GroupController])]
