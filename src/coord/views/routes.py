"""HTTP routes of the read models the API serves: coverage gaps, of one group or
across an organization. CONTROLLERS is what the plugin mounts under /api/v1."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get

from coord.kernel.pagination import Page
from coord.kernel.params import DB, AuthedRequest, Paging, PathId, TimeWindow
from coord.views.coverage import CoverageGapOut, coverage_gaps


async def _gaps(
    db: DB, request: AuthedRequest, window: TimeWindow, page: Paging, *,
    group_id: UUID | None = None, org_id: UUID | None = None,
) -> Page[CoverageGapOut]:
    """One read model for both scopes: a group's gaps, or an organization's."""
    return await coverage_gaps(
        db, request.user.id, group_id=group_id, org_id=org_id, from_=window.from_, to=window.to, limit=page.limit,
        cursor=page.cursor,
    )


class CoverageController(Controller):
    path = "/"
    tags = ["sessions"]

    @get("/groups/{group_id:uuid}/coverage-gaps", operation_id="listGroupCoverageGaps")
    async def group_gaps(
        self, request: AuthedRequest, group_id: PathId, db: DB, window: TimeWindow, page: Paging
    ) -> Page[CoverageGapOut]:
        """Scheduled sessions from `from` (default now) with fewer facilitators than the group requires."""
        return await _gaps(db, request, window, page, group_id=group_id)

    @get("/orgs/{org_id:uuid}/coverage-gaps", operation_id="listOrgCoverageGaps")
    async def org_gaps(
        self, request: AuthedRequest, org_id: PathId, db: DB, window: TimeWindow, page: Paging
    ) -> Page[CoverageGapOut]:
        """Understaffed sessions across the organization (staff), or across the caller's own groups (facilitators)."""
        return await _gaps(db, request, window, page, org_id=org_id)


CONTROLLERS: list[Any] = [CoverageController]
