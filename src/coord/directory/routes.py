"""The resource directory (issue 17): importing HSDS files, reading entries, marking a
location confidential."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, QueryParameter

from coord.auth.security import optional_bearer_user
from coord.directory import reading, service
from coord.directory.resource_routes import CONTROLLERS as RESOURCE_CONTROLLERS
from coord.directory.schemas import ImportOut, ImportSummary, LocationPatch, LocationView, ServicePatch, ServiceView
from coord.kernel.params import DB, AuthedRequest, Body, PathId

Source = Annotated[str | None, QueryParameter(description="required: the name of the file's source (e.g. 'county-211'); "
                                                   "entries are matched by source and the file's ids")]
DryRun = Annotated[bool, QueryParameter(description="check the file and report, write nothing")]
Partial = Annotated[bool, QueryParameter(description="the file holds only some of the source's entries: "
                                                     "entries it does not hold stay as they are")]
Background = Annotated[bool, QueryParameter(description="queue the file for a worker even when it is small "
                                                        "(files over 1 MiB always are)")]


class DirectoryImportController(Controller):
    path = "/orgs/{org_id:uuid}/directory"
    tags = ["directory"]

    @post("/imports", operation_id="importDirectory", status_code=202, request_max_body_size=reading.MAX_BYTES)
    async def create(self, request: AuthedRequest, org_id: PathId, db: DB, source: Source = None,
                     dry_run: DryRun = False, partial: Partial = False, background: Background = False) -> ImportOut:
        """Import an HSDS 3.0 file as the body (admins, coordinators): JSON (a service or an
        organization in the official shapes, a list of them, or an HSDS page) or the CSV data
        package as a zip. Every record is checked first; a file with any wrong record is
        `rejected` whole, with a report per record, and writes nothing. Entries are matched by
        (source, id): unchanged ones are not rewritten, and entries of the source that the file no
        longer holds are marked inactive (unless `partial`). Up to 64 MiB. A file up to 1 MiB is
        applied within the request; a larger one (or any, with `background`) is `queued` for a
        worker (about 3,000 services a second): GET .../imports/{id} gives its progress, then
        its outcome and report."""
        content = await request.body()  # the raw file
        return await service.import_upload(db, request.user.id, org_id, content, source or "", dry_run, not partial,
                                           background)

    @get("/imports", operation_id="listDirectoryImports")
    async def index(self, request: AuthedRequest, org_id: PathId, db: DB) -> list[ImportSummary]:
        """The organization's imports, newest first, with their status and progress (admins,
        coordinators)."""
        return await service.list_imports(db, request.user.id, org_id)

    @get("/imports/{import_id:uuid}", operation_id="getDirectoryImport")
    async def view(self, request: AuthedRequest, org_id: PathId, import_id: FromPath[UUID], db: DB) -> ImportOut:
        """An import's outcome and its report per record (admins, coordinators)."""
        return await service.get_import(db, request.user.id, org_id, import_id)

    @patch("/locations/{location_id:uuid}", operation_id="updateDirectoryLocation")
    async def update_location(self, request: AuthedRequest, org_id: PathId, location_id: FromPath[UUID],
                              data: Body[LocationPatch], db: DB) -> LocationView:
        """Mark a location confidential (a shelter: never shown, searched by address or exported)
        or not (admins, coordinators)."""
        return await service.update_location(db, request.user.id, org_id, location_id, data)

    @patch("/services/{service_id:uuid}", operation_id="updateDirectoryService")
    async def update_service(self, request: AuthedRequest, org_id: PathId, service_id: FromPath[UUID],
                             data: Body[ServicePatch], db: DB) -> ServiceView:
        """Link a directory service to one of the organization's coord groups, or unlink it with
        `{group_id: null}` (admins, coordinators)."""
        return await service.update_service(db, request.user.id, org_id, service_id, data)


class DirectoryController(Controller):
    path = "/directory"
    tags = ["directory"]

    @get("/services/{service_id:uuid}", operation_id="getDirectoryService", exclude_from_auth=True)
    async def service_entry(self, request: Request, service_id: FromPath[UUID], db: DB) -> ServiceView:
        """A directory service with its phones, languages and locations (public). Confidential
        locations are left out for all but the curating organization's staff."""
        user = await optional_bearer_user(request)
        return await service.get_service(db, user.id if user else None, service_id)

    @get("/locations/{location_id:uuid}", operation_id="getDirectoryLocation", exclude_from_auth=True)
    async def location_entry(self, request: Request, location_id: FromPath[UUID], db: DB) -> LocationView:
        """One location with its address (public); a confidential one is 404 to all but the
        curating organization's staff."""
        user = await optional_bearer_user(request)
        return await service.get_location(db, user.id if user else None, location_id)


CONTROLLERS = [DirectoryImportController, DirectoryController, *RESOURCE_CONTROLLERS]
