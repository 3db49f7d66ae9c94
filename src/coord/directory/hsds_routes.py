"""The public, read-only HSDS 3.0 API at /hsds/ (issue 17.3; CONTRACT "Resources and
referrals"): no account, public entries only, the HSDS page envelope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Router, get
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter

from coord.i18n import gettext as _
from coord.directory import hsds_feed
from coord.kernel.db.deps import provide_db
from coord.kernel.errors import Unprocessable
from coord.kernel.params import DB

Search = Annotated[str | None, QueryParameter(max_length=200, description="words in names and descriptions")]
TermId = Annotated[str | None, QueryParameter(max_length=100, description="only services with this taxonomy term")]
ModifiedAfter = Annotated[str | None, QueryParameter(description="only entries changed after this ISO 8601 instant")]
PageNumber = Annotated[int, QueryParameter(name="page", ge=1, description="1 for the first page")]
PerPage = Annotated[int, QueryParameter(ge=1, le=hsds_feed.MAX_PER_PAGE, description="entries a page")]
Document = dict[str, Any]


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Unprocessable(_("modified_after is an ISO 8601 instant with its offset, e.g. 2026-01-01T00:00:00Z"),
                            field="modified_after")
    return moment


class HsdsController(Controller):
    path = "/"
    tags = ["hsds"]

    @get("/", operation_id="hsdsMeta", exclude_from_auth=True)
    async def meta(self, request: Request[Any, Any, Any]) -> Document:
        """Which HSDS version this API speaks, and where its description is."""
        base = str(request.base_url).rstrip("/")
        return {"version": hsds_feed.HSDS_VERSION, "profile": hsds_feed.PROFILE,
                "openapi_url": f"{base}/schema/openapi.json"}

    @get("/services", operation_id="hsdsServices", exclude_from_auth=True)
    async def services(self, db: DB, search: Search = None, taxonomy_term_id: TermId = None,
                       modified_after: ModifiedAfter = None, page_number: PageNumber = 1, per_page: PerPage = 50) -> Document:
        """Public services (the directory's, and coord's public support groups), one-to-one fields."""
        return await hsds_feed.services_page(db, search=search, taxonomy_term_id=taxonomy_term_id,
                                             modified_after=_instant(modified_after), page=page_number,
                                             per_page=per_page)

    @get("/services/{service_id:uuid}", operation_id="hsdsService", exclude_from_auth=True)
    async def service(self, db: DB, service_id: FromPath[UUID]) -> Document:
        """A fully nested public service; a group's schedules are its RRULEs."""
        return await hsds_feed.service(db, service_id)

    @get("/organizations", operation_id="hsdsOrganizations", exclude_from_auth=True)
    async def organizations(self, db: DB, search: Search = None, modified_after: ModifiedAfter = None,
                            page_number: PageNumber = 1,
                            per_page: PerPage = 50) -> Document:
        return await hsds_feed.organizations_page(db, search=search, modified_after=_instant(modified_after),
                                                  page=page_number, per_page=per_page)

    @get("/organizations/{organization_id:uuid}", operation_id="hsdsOrganization", exclude_from_auth=True)
    async def organization(self, db: DB, organization_id: FromPath[UUID]) -> Document:
        return await hsds_feed.organization(db, organization_id)

    @get("/taxonomy_terms", operation_id="hsdsTaxonomyTerms", exclude_from_auth=True)
    async def taxonomy_terms(self, db: DB, search: Search = None,
                             page_number: PageNumber = 1,
                             per_page: PerPage = 50) -> Document:
        """Taxonomy terms: Open Eligibility (the default) and those imported with entries."""
        return await hsds_feed.taxonomy_terms_page(db, search=search, page=page_number, per_page=per_page)


HSDS_ROUTER = Router(path="/hsds", route_handlers=[HsdsController], dependencies={"db": Provide(provide_db)})
