"""Invitations by email (issue 14): POST/GET /orgs/{id}/invitations, DELETE and resend one,
the CSV import; and the link's own routes, GET /invitations/{token} and .../accept. Also a
group's invitation link (issue 15): GET /group-links/{token} and .../join, which may make
the person a member of the organization too."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from coord.auth.security import optional_bearer_user
from coord.groups import links as group_links
from coord.groups.schemas import GroupLinkView, LinkJoinOut
from coord.kernel.params import DB, AuthedRequest, Body, PathId
from coord.orgs import invitation_import, invitations
from coord.orgs.group_links import join_through_link
from coord.orgs.invitation_schemas import (
    AcceptedOut,
    AcceptIn,
    ImportReport,
    InvitationIn,
    InvitationList,
    InvitationOut,
    InvitationView,
)

Apply = Annotated[Literal["valid"] | None, QueryParameter(
    description="'valid': invite the valid rows of a file that has invalid ones too")]


class InvitationController(Controller):
    path = "/orgs/{org_id:uuid}/invitations"
    tags = ["organizations"]

    @post("", operation_id="createInvitation", status_code=201)
    async def create(self, request: AuthedRequest, org_id: PathId, data: Body[InvitationIn], db: DB,
                     state: State) -> Response[InvitationOut]:
        """Invite an address with roles (admins, coordinators; only admins invite admins), whether or
        not it has an account: it gets a link to /invitations/T, valid 14 days. Inviting an address
        already invited renews its invitation (roles merged, a new link). 200 with status
        `already_member` (nothing sent) when the address is a member with these roles."""
        invitation, sent = await invitations.invite(db, state.settings, request.user.id, org_id, data)
        return Response(invitation, status_code=201 if sent else 200)

    @get("", operation_id="listInvitations")
    async def list_all(self, request: AuthedRequest, org_id: PathId, db: DB) -> InvitationList:
        """Pending (and expired) invitations first, then those accepted or revoked in the last 90 days
        (admins, coordinators); 90 days after one is accepted, revoked or expires, it is deleted."""
        return InvitationList(items=await invitations.list_invitations(db, request.user.id, org_id))

    @delete("/{invitation_id:uuid}", operation_id="revokeInvitation", status_code=204)
    async def revoke(self, request: AuthedRequest, org_id: PathId, invitation_id: FromPath[UUID], db: DB) -> None:
        """Revoke an invitation: its link stops working. 409 if accepted or revoked already."""
        await invitations.revoke(db, request.user.id, org_id, invitation_id)

    @post("/{invitation_id:uuid}/resend", operation_id="resendInvitation", status_code=200)
    async def resend(self, request: AuthedRequest, org_id: PathId, invitation_id: FromPath[UUID], db: DB,
                     state: State) -> InvitationOut:
        """Mail the invitation again with a new link (the old one stops working), valid 14 days."""
        return await invitations.resend(db, state.settings, request.user.id, org_id, invitation_id)

    @post("/import", operation_id="importInvitations", status_code=200)
    async def import_csv(
        self, request: AuthedRequest, org_id: PathId, db: DB, state: State, apply: Apply = None,
    ) -> ImportReport:
        """Invite from a CSV file (`text/csv`; columns email,name,roles with a header; roles separated
        by ';'; UTF-8, BOM or not; up to 2,000 rows). Every row is checked first; the answer reports
        each row. A file with any invalid row invites nobody unless `apply=valid`."""
        content = await request.body()  # the raw file: Litestar would read a body as JSON
        return await invitation_import.import_csv(db, state.settings, request.user.id, org_id, content,
                                                  apply == "valid")


class InvitationLinkController(Controller):
    path = "/invitations"
    tags = ["organizations"]

    @get("/{token:str}", operation_id="getInvitation", exclude_from_auth=True)
    async def view(self, token: FromPath[str], db: DB) -> InvitationView:
        """What an invitation link is for (changes nothing). 400 when used, revoked or expired."""
        return await invitations.view(db, token)

    @post("/{token:str}/accept", operation_id="acceptInvitation", exclude_from_auth=True, status_code=200)
    async def accept(self, request: Request, token: FromPath[str], db: DB, state: State,
                     data: Body[AcceptIn | None] = None) -> Response[AcceptedOut]:
        """Accept: a new person sends {display_name, password} (201, their account is made, its address
        confirmed, with a bearer token); a person with an account sends a Bearer token of that account
        (200). 403 when signed in as another address; 409 for a new person whose address has an account."""
        user = await optional_bearer_user(request)
        if user is not None:
            done = await invitations.accept_existing(db, token, user)
            return Response(AcceptedOut(done.org_id, done.org_slug, done.user_id, done.roles), status_code=200)
        done = await invitations.accept_new(db, token, data or AcceptIn())
        auth = state.jwt_auth
        bearer = auth.create_token(identifier=str(done.user_id), token_extras={"tv": 0})
        return Response(AcceptedOut(done.org_id, done.org_slug, done.user_id, done.roles, access_token=bearer,
                                    expires_in=int(auth.default_token_expiration.total_seconds())), status_code=201)


class GroupLinkController(Controller):
    path = "/group-links/{token:str}"
    tags = ["groups"]

    @get("", operation_id="getGroupLink", exclude_from_auth=True)
    async def view(self, token: FromPath[str], db: DB) -> GroupLinkView:
        """What a group's invitation link opens: the group's name and its organization (changes
        nothing). 400 when the link was revoked or the group archived."""
        return await group_links.view(db, token)

    @post("/join", operation_id="joinGroupByLink", status_code=201)
    async def join(self, request: AuthedRequest, token: FromPath[str], db: DB) -> Response[LinkJoinOut]:
        """Ask to join the link's group (or join it, when its policy is open), becoming a participant
        of its organization first when needed (`org_joined`). Asking again answers 200."""
        membership, created = await join_through_link(db, token, request.user.id)
        return Response(membership, status_code=201 if created else 200)


CONTROLLERS = [InvitationController, InvitationLinkController, GroupLinkController]
