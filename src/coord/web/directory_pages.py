"""The resource directory on the coordination page (issue 17): upload an HSDS file (JSON, or
the CSV package as a zip) with its source's name, or only check it, and read its report."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, post
from litestar.response import Redirect
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from coord.directory import reading, reports
from coord.directory import service as directory_service
from coord.kernel.errors import DomainError
from coord.kernel.params import DB
from coord.orgs import service as orgs_service
from coord.web.forms import domain_errors
from coord.web.org_pages import coordination_page, coordination_url
from coord.web.session import Viewer, signed_in

Slug = FromPath[str]


class OrgDirectoryPages(Controller):
    path = "/orgs"

    @post("/{slug:str}/directory/imports", status_code=200, request_max_body_size=reading.MAX_BYTES)
    async def upload(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Response:
        """Import a directory file, or only check it ("check only"): the report of the import
        (counts, or each wrong record's field and problem when the file is rejected whole)."""
        me = signed_in(request, viewer)
        form = await request.form()
        upload = form.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        source = form.get("source")
        kept: dict[str, Any] = {"source": source if isinstance(source, str) else "",
                                "dry_run": form.get("dry_run") == "yes"}
        try:
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                org = await orgs_service.org_by_slug(db, slug)
                out = await directory_service.import_upload(db, me.id, org.id, content, kept["source"],
                                                            kept["dry_run"], True)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            return await coordination_page(request, me, db, slug, errors={"directory": domain_errors(exc)},
                                           values={"directory": kept}, status_code=exc.status)
        return await coordination_page(request, me, db, slug, directory_report=out, values={"directory": kept},
                                       status_code=422 if out.status == "rejected" else 200)


    @post("/{slug:str}/directory/reports/{report_id:uuid}/resolve", status_code=303)
    async def resolve(self, request: Request, viewer: Viewer, db: DB, slug: Slug, report_id: FromPath[UUID]) -> Redirect:
        """A report dealt with: off the queue."""
        me = signed_in(request, viewer)
        org = await orgs_service.org_by_slug(db, slug)
        await reports.resolve(db, me.id, org.id, report_id)
        return Redirect(coordination_url(slug, anchor="directory-reports-h"), status_code=303)

    @post("/{slug:str}/directory/services/{service_id:uuid}/verified", status_code=303)
    async def verified(self, request: Request, viewer: Viewer, db: DB, slug: Slug, service_id: FromPath[UUID]) -> Redirect:
        """The entry was checked today."""
        me = signed_in(request, viewer)
        org = await orgs_service.org_by_slug(db, slug)
        await reports.verify(db, me.id, org.id, service_id)
        return Redirect(coordination_url(slug, anchor="directory-stale-h"), status_code=303)


CONTROLLERS: list[Any] = [OrgDirectoryPages]
