"""Finding help (issue 17.4) and saying an entry is wrong (17.5): public search, public
reports, and the curators' queue of reports and entries to verify."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter

from coord.directory import reports, search
from coord.directory.schemas import ReportIn, ReportOut, ReportQueue, ResourceSearch
from coord.kernel.params import DB, AuthedRequest, Body, PathId, RedisDep

Text = Annotated[str | None, QueryParameter(max_length=200, description="words to find in names and descriptions "
                                                                        "(English or Spanish, accents ignored)")]
Near = Annotated[str | None, QueryParameter(max_length=60, description="a postal code (e.g. 10001) or "
                                                                       "'latitude,longitude'")]
Radius = Annotated[float | None, QueryParameter(description="km around `near` (default 25, at most 500)")]
Flag = Annotated[bool, QueryParameter(description="only those that are (open now, free, accessible)")]
Language = Annotated[str | None, QueryParameter(max_length=35, description="a language spoken: code or name (es, Spanish)")]
Category = Annotated[str | None, QueryParameter(max_length=100, description="a taxonomy term: its id, code or name")]
Age = Annotated[int | None, QueryParameter(ge=0, le=130, description="a person's age: services open to it")]
PageNumber = Annotated[int, QueryParameter(name="page", ge=1, description="1 for the first page")]
PerPage = Annotated[int, QueryParameter(ge=1, le=100, description="results a page (at most 100)")]


class ResourcesController(Controller):
    path = "/resources"
    tags = ["directory"]

    @get("/", operation_id="searchResources", exclude_from_auth=True)
    async def find(self, db: DB, q: Text = None, near: Near = None, radius_km: Radius = None, open_now: Flag = False,
                   language: Language = None, category: Category = None, age: Age = None, free: Flag = False,
                   accessible: Flag = False, page_number: PageNumber = 1, per_page: PerPage = 20) -> ResourceSearch:
        """Public directory services, nearest first when `near` is given (within `radius_km`),
        else best matches first. Each says its distance, whether it is open now (null when its
        hours are unknown), its phones (with tel: links), address, languages, accessibility,
        cost and when it was last verified. Confidential locations never appear."""
        return await search.search(db, search.Query(
            q=q, near=near, radius_km=radius_km, open_now=open_now, language=language, category=category, age=age,
            free=free, accessible=accessible, page=page_number, per_page=per_page))

    @post("/{service_id:uuid}/reports", operation_id="reportResource", status_code=201, exclude_from_auth=True)
    async def report(self, request: Request[Any, Any, Any], service_id: FromPath[UUID], data: Body[ReportIn], db: DB,
                     redis: RedisDep) -> ReportOut:
        """Say that a public service's entry is wrong (anyone, no account; a few an hour from
        one connection). Its curators see it in their queue."""
        return await reports.report(db, redis, _client(request), service_id, data)


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "127.0.0.1"


class DirectoryReviewController(Controller):
    path = "/orgs/{org_id:uuid}/directory"
    tags = ["directory"]

    @get("/reports", operation_id="listDirectoryReports")
    async def queue(self, request: AuthedRequest, org_id: PathId, db: DB) -> ReportQueue:
        """Open reports about the organization's entries, and entries not verified for six
        months (admins, coordinators)."""
        return await reports.queue(db, request.user.id, org_id)

    @post("/reports/{report_id:uuid}/resolve", operation_id="resolveDirectoryReport", status_code=204)
    async def resolve(self, request: AuthedRequest, org_id: PathId, report_id: FromPath[UUID], db: DB) -> None:
        """Mark a report dealt with (admins, coordinators)."""
        await reports.resolve(db, request.user.id, org_id, report_id)

    @post("/services/{service_id:uuid}/verified", operation_id="verifyDirectoryService", status_code=204)
    async def verified(self, request: AuthedRequest, org_id: PathId, service_id: FromPath[UUID], db: DB) -> None:
        """The entry was checked today: its last verified date becomes today (admins, coordinators)."""
        await reports.verify(db, request.user.id, org_id, service_id)


CONTROLLERS = [ResourcesController, DirectoryReviewController]
