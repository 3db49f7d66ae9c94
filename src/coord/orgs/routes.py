from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from coord.feeds.routes import forget_feeds
from coord.kernel.params import DB, AuthedRequest, Body, Paging, PathId
from coord.orgs import invitations, offboarding, service
from coord.orgs.invitation_schemas import InvitationOut
from coord.orgs.schemas import (
    AuditEntryOut,
    DeliveryOut,
    MemberIn,
    MemberOut,
    OrgIn,
    OrgOut,
    OrgSettingsIn,
    RolesIn,
    VenueIn,
    VenueOut,
    VenuePatch,
)
from coord.kernel.pagination import Page


class OrgController(Controller):
    path = "/orgs"
    tags = ["organizations"]

    @post("", operation_id="createOrg", status_code=201)
    async def create(self, request: AuthedRequest, data: Body[OrgIn], db: DB) -> OrgOut:
        """Create an organization; the caller becomes its admin."""
        return await service.create_org(db, request.user.id, data)

    @get("/{org_id:uuid}", operation_id="getOrg")
    async def get_org(self, request: AuthedRequest, org_id: PathId, db: DB) -> OrgOut:
        """An organization the caller belongs to."""
        return await service.get_org(db, request.user.id, org_id)

    @patch("/{org_id:uuid}", operation_id="updateOrg")
    async def update_org(self, request: AuthedRequest, org_id: PathId, data: Body[OrgSettingsIn], db: DB) -> OrgOut:
        """Change an organization's details and settings (admins): timezone, reminder lead time,
        shift cancellation cutoff, attendance retention, crisis resources shown to members."""
        return await service.update_org(db, request.user.id, org_id, data)

    @get("/{org_id:uuid}/audit", operation_id="listAudit")
    async def audit(self, request: AuthedRequest, org_id: PathId, db: DB, page: Paging) -> Page[AuditEntryOut]:
        """Who read or changed attendance and rosters, newest first (admins). Read-only."""
        return await service.list_audit(db, request.user.id, org_id, page.limit, page.cursor)

    @get("/{org_id:uuid}/deliveries", operation_id="listDeliveries")
    async def deliveries(
        self,
        request: AuthedRequest,
        org_id: PathId,
        db: DB,
        page: Paging,
        status: Annotated[Literal["failed", "pending", "sent", "skipped"], QueryParameter()] = "failed",
    ) -> Page[DeliveryOut]:
        """Messages by delivery status, newest first (admins, coordinators); failed ones by default."""
        return await service.list_deliveries(db, request.user.id, org_id, status, page.limit, page.cursor)

    @post("/{org_id:uuid}/deliveries/{delivery_id:uuid}/retry", operation_id="retryDelivery", status_code=200)
    async def retry_delivery(
        self, request: AuthedRequest, org_id: PathId, delivery_id: FromPath[UUID], db: DB
    ) -> DeliveryOut:
        """Send a failed message again (admins); 409 if it has not failed."""
        return await service.retry_delivery(db, request.user.id, org_id, delivery_id)

    @post("/{org_id:uuid}/members", operation_id="addOrgMember", status_code=201)
    async def add_member(
        self, request: AuthedRequest, org_id: PathId, data: Body[MemberIn], db: DB, state: State
    ) -> Response[MemberOut | InvitationOut]:
        """Add an account with a confirmed address to the organization with roles (admins,
        coordinators). Adding roles to someone already a member answers 200 with the merged roles.
        For an address without an account, or not confirmed yet, an invitation is mailed instead:
        202 with the invitation (see createInvitation).
        """
        invitation = await invitations.add_or_invite(db, state.settings, request.user.id, org_id, data.email,
                                                     list(data.roles))
        if invitation is not None:
            return Response(invitation, status_code=202)
        member, created = await service.add_member(db, request.user.id, org_id, data)
        return Response(member, status_code=201 if created else 200)

    @get("/{org_id:uuid}/members", operation_id="listOrgMembers")
    async def list_members(self, request: AuthedRequest, org_id: PathId, db: DB, page: Paging) -> Page[MemberOut]:
        """Members and their roles (admins, coordinators)."""
        return await service.list_members(db, request.user.id, org_id, page.limit, page.cursor)

    @put("/{org_id:uuid}/members/{user_id:uuid}", operation_id="setOrgMemberRoles")
    async def set_member_roles(
        self, request: AuthedRequest, org_id: PathId, user_id: PathId, data: Body[RolesIn], db: DB
    ) -> MemberOut:
        """Replace a member's roles (admins, coordinators; only admins grant, change or take the admin
        role). What only the roles taken away allowed is given up at once: a volunteer's shift places
        (waitlists move on), a facilitator's facilitations and facilitator memberships (coverage gaps),
        a participant's groups. The member is told; audited. 409 for the last admin."""
        return await offboarding.set_roles(db, request.user.id, org_id, user_id, data.roles)

    @delete("/{org_id:uuid}/members/me", operation_id="leaveOrg", status_code=204)
    async def leave(self, request: AuthedRequest, org_id: PathId, state: State) -> None:
        """Leave the organization. Places on shifts and events ahead are given up (the next people
        waiting get them), groups are left (calendars get a CANCEL), sessions ahead lose you as their
        facilitator (coordinators are alerted to the gap), your feeds of the organization stop, and you
        get one message saying so. Past attendance stays, under the retention rules. 409 for the last admin."""
        await _offboard(state, request.user.id, org_id, request.user.id)

    @delete("/{org_id:uuid}/members/{user_id:uuid}", operation_id="removeOrgMember", status_code=204)
    async def remove_member(self, request: AuthedRequest, org_id: PathId, user_id: PathId, state: State) -> None:
        """Remove a member (admins, coordinators; only admins remove an admin), with every consequence
        of leaving (see leaveOrg), audited. Your own id is the same as leaving. 409 for the last admin."""
        await _offboard(state, request.user.id, org_id, user_id)

    @post("/{org_id:uuid}/venues", operation_id="createVenue", status_code=201)
    async def create_venue(
        self, request: AuthedRequest, org_id: PathId, data: Body[VenueIn], db: DB
    ) -> VenueOut:
        """Add an in-person or virtual venue (admins, coordinators)."""
        return await service.create_venue(db, request.user.id, org_id, data)

    @patch("/{org_id:uuid}/venues/{venue_id:uuid}", operation_id="updateVenue")
    async def update_venue(
        self, request: AuthedRequest, org_id: PathId, venue_id: PathId, data: Body[VenuePatch], db: DB
    ) -> VenueOut:
        """Change a venue (admins, coordinators). A new name, address or link re-sends the
        invites of every series and event still ahead there, with a higher SEQUENCE."""
        return await service.update_venue(db, request.user.id, org_id, venue_id, data)

    @get("/{org_id:uuid}/venues", operation_id="listVenues")
    async def list_venues(self, request: AuthedRequest, org_id: PathId, db: DB, page: Paging) -> Page[VenueOut]:
        """Venues with addresses and links (staff and facilitators)."""
        return await service.list_venues(db, request.user.id, org_id, page.limit, page.cursor)


async def _offboard(state: State, actor_id: UUID, org_id: UUID, user_id: UUID) -> None:
    """Its own transaction, as erasure's: the stopped feeds' cached renders are dropped after
    the commit, so that no render that read them before can be stored afterwards."""
    async with state.pool.acquire() as conn, conn.transaction():
        feed_hashes = await offboarding.remove_member(conn, actor_id, org_id, user_id)
    await forget_feeds(state, feed_hashes)
