"""Applying a checked file: one transaction (the caller's), every row upserted by
(organization, source, external id), unchanged rows left alone, and, for a full import, what
the file no longer holds marked inactive. Nothing is written when any record is wrong."""

from __future__ import annotations

import hashlib
from typing import Any, Awaitable, Callable
from uuid import UUID, uuid5

import asyncpg
import msgspec

from coord.directory import bundle as bd
from coord.directory import queries as q
from coord.directory import taxonomy
from coord.directory.schemas import Written
from coord.kernel import clock

NAMESPACE = UUID("5b0f3c1e-8a47-4d4a-9a49-3f1d6c2e7b10")
Reader = Callable[[bd.Bundle], str]
Progress = Callable[[int, int], Awaitable[None]]  # (entries written so far, entries in the file)
CHUNK = 5000  # rows per upsert statement: a queued import's progress moves at least this often


def entry_id(org_id: UUID | None, source: str, table: str, external_id: str) -> UUID:
    """An entry's id, the same on every import of the same source."""
    return uuid5(NAMESPACE, f"{org_id or '-'}/{source}/{table}/{external_id}")


async def existing_references(conn: asyncpg.Connection, org_id: UUID, source: str, b: bd.Bundle) -> dict[str, set[str]]:
    """Entries the file refers to without holding them, that the directory has from this source."""
    wanted: dict[str, set[str]] = {}
    for rows in b.rows.values():
        for row in rows.values():
            for column, ext in row.refs.items():
                target = bd.target_of(row, column)
                if target is not None and ext not in b.rows[target]:
                    wanted.setdefault(target, set()).add(ext)
    found: dict[str, set[str]] = {}
    for table, exts in wanted.items():
        found[table] = {r["external_id"] for r in await conn.fetch(q.EXISTING[table], org_id, source, sorted(exts))}
    return found


def _records(org_id: UUID, source: str, table: str, b: bd.Bundle) -> list[dict[str, Any]]:
    records = []
    for row in b.rows[table].values():
        cols = dict(row.cols)
        last_verified = cols.pop("last_verified", None)
        for column, ext in row.refs.items():
            cols[column] = entry_id(org_id, source, bd.target_of(row, column) or "", ext)
        if table == "taxonomy_terms" and row.parent_ext:
            cols["parent_id"] = entry_id(org_id, source, "taxonomy_terms", row.parent_ext)
        digest = hashlib.sha256(msgspec.json.encode([cols, row.data, last_verified], order="sorted")).hexdigest()
        records.append({**cols, "id": entry_id(org_id, source, table, row.external_id), "org_id": org_id,
                        "source": source, "external_id": row.external_id, "content_hash": digest,
                        "last_verified": last_verified, "data": row.data})
    return records


async def apply(conn: asyncpg.Connection, org_id: UUID, source: str, b: bd.Bundle, full: bool,
                progress: Progress | None = None) -> Written:
    await ensure_default_taxonomy(conn)
    now = clock.now()
    written = Written()
    done, total = 0, sum(len(rows) for rows in b.rows.values())
    for table in bd.TABLES:  # parents before children
        records = _records(org_id, source, table, b)
        for start in range(0, len(records), CHUNK):
            chunk = records[start:start + CHUNK]
            changed = await conn.fetch(q.UPSERT[table], chunk, now)
            inserted = sum(1 for r in changed if r["inserted"])
            written.inserted += inserted
            written.updated += len(changed) - inserted
            written.unchanged += len(chunk) - len(changed)
            done += len(chunk)
            if progress is not None:
                await progress(done, total)
    if full:
        for table in reversed(bd.TABLES):
            status = await conn.execute(q.DEACTIVATE[table], org_id, source, list(b.rows[table]), now)
            written.deactivated += int(status.split()[-1])
    await conn.execute(q.REFRESH_SEARCH_FACETS, org_id)
    return written


async def ensure_default_taxonomy(conn: asyncpg.Connection) -> None:
    """Open Eligibility, loaded once for every organization."""
    if await conn.fetchval(q.DEFAULT_TAXONOMY_LOADED, taxonomy.SOURCE):
        return
    now = clock.now()
    source = taxonomy.SOURCE
    taxonomy_id = entry_id(None, source, "taxonomies", source)
    await conn.execute(q.INSERT_DEFAULT_TAXONOMY, taxonomy_id, source, taxonomy.VERSION, now, taxonomy.NAME,
                       taxonomy.URI, taxonomy.VERSION, taxonomy.ATTRIBUTION)
    seen: dict[str, dict[str, Any]] = {}
    for term in taxonomy.terms():
        seen.setdefault(term["code"], term)  # the file gives one code twice: the first is kept
    terms = list(seen.values())

    def term_id(code: str | None) -> UUID | None:
        return entry_id(None, source, "taxonomy_terms", code) if code else None

    await conn.execute(q.INSERT_DEFAULT_TERMS, source, taxonomy.VERSION, now, taxonomy_id, taxonomy.NAME,
                       [term_id(t["code"]) for t in terms], [t["code"] for t in terms], [t["name"] for t in terms],
                       [term_id(t["parent"]) for t in terms], [t["facet"] for t in terms])
