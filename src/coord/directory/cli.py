"""`coord directory import PATH --org SLUG --source NAME [--dry-run] [--partial]`: the report
on standard output, one line per problem; exit 0 when applied (or a clean dry run), 1 when
the file was rejected, 2 when it could not be read or the organization does not exist."""

from __future__ import annotations

from pathlib import Path

import click

from coord.directory import service
from coord.directory.schemas import ImportOut
from coord.kernel.config import Settings
from coord.kernel.db.pool import create_pool, transaction
from coord.kernel.errors import DomainError


def describe(out: ImportOut) -> list[str]:
    entries = ", ".join(f"{n} {t}" for t, n in out.counts.items()) or "no entries"
    lines = [f"{out.status}: {out.records} record(s) from {out.source!r} ({out.format}): {entries}"]
    if out.status == "applied":
        w = out.written
        lines.append(f"written: {w.inserted} new, {w.updated} changed, {w.unchanged} unchanged, "
                     f"{w.deactivated} marked inactive")
    for kind, problems in (("problem", out.problems), ("warning", out.warnings)):
        for p in problems:
            field = f" {p.field}:" if p.field else ""
            lines.append(f"{kind}: {p.record}{f' (id {p.id})' if p.id else ''}:{field} {p.message}")
    if out.status == "rejected":
        lines.append("nothing was written: fix the records above and import the file again")
    return lines


async def import_command(settings: Settings, path: Path, org_slug: str, source: str, dry_run: bool,
                         full: bool) -> int:
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        async with transaction(pool) as conn:
            out = await service.import_path(conn, org_slug, path, source, dry_run, full)
    except DomainError as exc:
        click.echo(f"coord: {exc.detail}", err=True)
        return 2
    finally:
        await pool.close()
    for line in describe(out):
        click.echo(line)
    return 1 if out.status == "rejected" else 0
