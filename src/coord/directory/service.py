"""The directory's services: importing a file (staff of the curating organization, or the
CLI), and reading entries, where a confidential location is never read by anyone but the
curating organization's staff."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import asyncpg

from coord.i18n import gettext as _
from coord.directory import bundle as bd
from coord.directory import importing, queued, reading
from coord.directory import queries as q
from coord.directory.schemas import (
    ImportOut, ImportSummary, LanguageView, Progress, LocationPatch, LocationView, PhoneView, ServicePatch, ServiceView, Written,
)
from coord.groups import service as group_service
from coord.kernel import clock
from coord.kernel.access import STAFF, org_roles, require_role
from coord.kernel.audit import audit
from coord.kernel.errors import DomainError, NotFound, Unprocessable


def _check_source(source: str) -> str:
    source = source.strip()
    if not source or len(source) > 100:
        raise Unprocessable(_("name the source of the file in 1 to 100 characters (e.g. 'county-211')"),
                            field="source")
    return source


async def run_import(conn: asyncpg.Connection, org_id: UUID, actor_id: UUID | None, source: str,
                     read: importing.Reader, *, dry_run: bool = False, full: bool = True,
                     record: bool = True, import_id: UUID | None = None,
                     progress: importing.Progress | None = None) -> ImportOut:
    """Check every record, then apply the file in the caller's transaction, or nothing if any
    record is wrong. `record`: keep the import and its report (GET .../imports/{id}), as a new
    import or as the outcome of the queued one `import_id`."""
    source = _check_source(source)
    await conn.execute(q.LOCK_SOURCE, org_id, source)
    b = bd.Bundle()
    fmt = read(b)
    b.check(await importing.existing_references(conn, org_id, source, b))
    written = Written()
    if b.problems:
        status = "rejected"
    elif dry_run:
        status = "dry_run"
    else:
        status = "applied"
        written = await importing.apply(conn, org_id, source, b, full, progress)
    now = clock.now()
    out = ImportOut(id=import_id, source=source, format=fmt, status=status, full=full, records=b.records,  # type: ignore[arg-type]
                    counts=b.counts(), written=written, problems=b.problems, warnings=b.warnings, created_at=now)
    if record:
        counts = {"records": b.records, "entries": out.counts, "written": written}
        report = {"problems": b.problems, "warnings": b.warnings}
        entries = sum(out.counts.values())
        out.progress = Progress(entries, entries)
        if import_id is None:
            out.id = await conn.fetchval(q.INSERT_IMPORT, org_id, actor_id, source, fmt, status, full, counts,
                                         report, now, entries)
        else:
            out.created_at = await conn.fetchval(q.FINISH_IMPORT, import_id, fmt, status, counts, report, now,
                                                 entries)
        out.finished_at = now
        await audit(conn, org_id, actor_id, "directory.imported", "directory_import", out.id,
                    {"source": source, "status": status, "records": b.records})
    return out


async def import_upload(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, content: bytes, source: str,
                        dry_run: bool, full: bool, background: bool = False) -> ImportOut:
    """An uploaded file (JSON, or a zipped CSV package), by staff of the organization: a small
    one applied now, a large one (or any, with `background`) queued for a worker."""
    await require_role(conn, org_id, actor_id, STAFF)
    source = _check_source(source)
    if not content:
        raise Unprocessable(_("send the file as the request body (HSDS JSON, or a CSV data package as a zip)"),
                            field="file")
    if len(content) > reading.MAX_BYTES:
        raise Unprocessable(_("the file is too large (at most 64 MiB)"), field="file")
    if background or len(content) > queued.INLINE_MAX_BYTES:
        return await queued.queue_import(conn, org_id, actor_id, source, content, dry_run, full)
    return await run_import(conn, org_id, actor_id, source, lambda b: reading.read_bytes(content, b),
                            dry_run=dry_run, full=full)


async def import_path(conn: asyncpg.Connection, org_slug: str, path: Path, source: str, dry_run: bool,
                      full: bool = True) -> ImportOut:
    """The CLI's import of a file or folder; a dry run writes nothing, not even its report."""
    org_id = await conn.fetchval(q.ORG_ID_BY_SLUG, org_slug)
    if org_id is None:
        raise NotFound(_("no organization with the slug %(org_slug)s") % {"org_slug": repr(org_slug)})
    if not path.exists():
        raise Unprocessable(_("there is no file or folder at %(path)s") % {"path": path}, field="path")
    return await run_import(conn, org_id, None, source, lambda b: reading.read_path(path, b), dry_run=dry_run,
                            full=full, record=not dry_run)


async def run_queued(pool: asyncpg.Pool, import_id: UUID) -> str:
    """The worker's part: apply a queued import in one transaction, its progress written by
    another connection as each batch of rows goes in; returns its outcome."""
    async with pool.acquire() as progress_conn:
        claimed = await progress_conn.fetchrow(q.CLAIM_IMPORT, import_id)
        if claimed is None:
            return "done already"

        async def progress(done: int, total: int) -> None:
            await progress_conn.execute(q.IMPORT_PROGRESS, import_id, done, total)

        content = bytes(claimed["content"])
        try:
            async with pool.acquire() as conn, conn.transaction():
                out = await run_import(conn, claimed["org_id"], claimed["actor_id"], claimed["source"],
                                       lambda b: reading.read_bytes(content, b), dry_run=claimed["dry_run"],
                                       full=claimed["full_import"], import_id=import_id, progress=progress)
                await conn.execute(q.DROP_IMPORT_FILE, import_id)
        except DomainError as exc:  # a file that is not HSDS at all: one problem, nothing written
            field = exc.errors[0]["field"] if exc.errors else None
            problem = bd.Problem(record="file", message=exc.detail, field=field)
            await progress_conn.execute(q.FAIL_IMPORT, import_id, "rejected", exc.detail, clock.now(),
                                        {"problems": [problem], "warnings": []})
            await progress_conn.execute(q.DROP_IMPORT_FILE, import_id)
            return "rejected"
        return out.status


async def fail_queued(pool: asyncpg.Pool, import_id: UUID, error: str) -> None:
    """A queued import the worker could not finish after its last try: `failed`, nothing of it
    written (its transaction rolled back), its file dropped."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(q.FAIL_IMPORT, import_id, "failed", error[:500], clock.now(), {"problems": [], "warnings": []})
        await conn.execute(q.DROP_IMPORT_FILE, import_id)


def _import_out(row: asyncpg.Record) -> ImportOut:
    counts, report = row["counts"], row["report"]
    return ImportOut(id=row["id"], source=row["source"], format=row["format"], status=row["status"],
                     full=row["full_import"], records=counts.get("records", 0), counts=counts.get("entries", {}),
                     written=Written(**counts.get("written", {})),
                     problems=[bd.Problem(**p) for p in report.get("problems", [])],
                     warnings=[bd.Problem(**p) for p in report.get("warnings", [])], created_at=row["created_at"],
                     progress=Progress(row["progress_done"], row["progress_total"]), error=row["error"],
                     finished_at=row["finished_at"])


async def get_import(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, import_id: UUID) -> ImportOut:
    await require_role(conn, org_id, actor_id, STAFF)
    row = await conn.fetchrow(q.IMPORT, import_id, org_id)
    if row is None:
        raise NotFound(_("no such import"))
    return _import_out(row)


async def list_imports(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, limit: int = 50) -> list[ImportSummary]:
    """The organization's imports, newest first (admins, coordinators)."""
    await require_role(conn, org_id, actor_id, STAFF)
    return [ImportSummary(id=r["id"], source=r["source"], format=r["format"], status=r["status"],
                          records=r["counts"].get("records", 0), progress=Progress(r["progress_done"], r["progress_total"]),
                          created_at=r["created_at"], finished_at=r["finished_at"])
            for r in await conn.fetch(q.IMPORTS, org_id, limit)]


async def _is_staff(conn: asyncpg.Connection, org_id: UUID, viewer_id: UUID | None) -> bool:
    return viewer_id is not None and bool(set(STAFF) & await org_roles(conn, org_id, viewer_id))


def _location(row: asyncpg.Record) -> LocationView:
    return LocationView(
        id=row["id"], name=row["name"], description=row["description"], latitude=row["latitude"],
        longitude=row["longitude"], address_1=row["address_1"], address_2=row["address_2"], city=row["city"],
        state_province=row["state_province"], postal_code=row["postal_code"], country=row["country"],
        last_verified=row["last_verified"], active=row["active"], confidential=row["confidential"],
    )


async def get_service(conn: asyncpg.Connection, viewer_id: UUID | None, service_id: UUID) -> ServiceView:
    """A directory service with its phones, languages and locations: active ones for anyone;
    confidential locations (and their addresses) only for the curating organization's staff."""
    row = await conn.fetchrow(q.SERVICE, service_id)
    staff = row is not None and await _is_staff(conn, row["org_id"], viewer_id)
    if row is None or not (row["active"] or staff):
        raise NotFound(_("no such service"))
    locations = await conn.fetch(q.SERVICE_LOCATIONS, service_id, staff)
    phones = await conn.fetch(q.SERVICE_PHONES, service_id)
    languages = await conn.fetch(q.SERVICE_LANGUAGES, service_id)
    return ServiceView(
        id=row["id"], name=row["name"], description=row["description"], status=row["status"], url=row["url"],
        email=row["email"], organization_name=row["organization_name"], last_verified=row["last_verified"],
        minimum_age=float(row["minimum_age"]) if row["minimum_age"] is not None else None,
        maximum_age=float(row["maximum_age"]) if row["maximum_age"] is not None else None,
        active=row["active"], group_id=row["group_id"],
        phones=[PhoneView(p["number"], p["extension"], p["type"]) for p in phones],
        languages=[LanguageView(r["code"], r["name"]) for r in languages],
        locations=[_location(r) for r in locations],
    )


async def get_location(conn: asyncpg.Connection, viewer_id: UUID | None, location_id: UUID) -> LocationView:
    """One location; a confidential one is 'no such location' to all but the curators' staff."""
    org_id = await conn.fetchval(q.LOCATION_ORG, location_id)
    staff = org_id is not None and await _is_staff(conn, org_id, viewer_id)
    row = await conn.fetchrow(q.LOCATION, location_id, staff)
    if row is None:
        raise NotFound(_("no such location"))
    return _location(row)


async def update_location(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, location_id: UUID,
                          patch: LocationPatch) -> LocationView:
    """A coordinator marks a location confidential (a shelter) or not."""
    await require_role(conn, org_id, actor_id, STAFF)
    if await conn.fetchval(q.LOCATION_ORG, location_id) != org_id:
        raise NotFound(_("no such location"))
    await conn.execute(q.SET_LOCATION_CONFIDENTIAL, location_id, patch.confidential, clock.now())
    await audit(conn, org_id, actor_id, "directory.location_confidential", "directory_location", location_id,
                {"confidential": patch.confidential})
    return await get_location(conn, actor_id, location_id)


async def update_service(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, service_id: UUID,
                         patch: ServicePatch) -> ServiceView:
    """A coordinator links a directory service to one of the organization's groups (or unlinks it)."""
    await require_role(conn, org_id, actor_id, STAFF)
    if await conn.fetchval(q.SERVICE_ORG, service_id) != org_id:
        raise NotFound(_("no such service"))
    if patch.group_id is not None:
        group = (await group_service.load_group(conn, patch.group_id, actor_id)).group
        if group.org_id != org_id:
            raise Unprocessable(_("the group belongs to another organization"), field="group_id")
    await conn.execute(q.SET_SERVICE_GROUP, service_id, patch.group_id, clock.now())
    await audit(conn, org_id, actor_id, "directory.service_group", "directory_service", service_id,
                {"group_id": str(patch.group_id) if patch.group_id else None})
    return await get_service(conn, actor_id, service_id)
