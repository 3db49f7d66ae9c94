"""Imports run by a worker: a large upload (or any, when asked) is stored with its import row
and an outbox event in the request's transaction; the worker (workers/directory_jobs.py)
claims it, checks and applies the whole file in one transaction while it writes its progress
through another connection, and drops the stored file once done. A worker killed midway
commits nothing; the job runs again from the start."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from coord.directory import queries as q
from coord.directory import reading
from coord.directory.schemas import ImportOut, Written
from coord.kernel import clock
from coord.kernel.audit import audit
from coord.outbox.domain_events import DirectoryImportQueued
from coord.outbox.record import record

# Files up to this size are applied within the request (about a thousand services); larger
# ones, which take more than a second or two, by a worker.
INLINE_MAX_BYTES = 1024 * 1024


async def queue_import(conn: asyncpg.Connection, org_id: UUID, actor_id: UUID, source: str, content: bytes,
                       dry_run: bool, full: bool) -> ImportOut:
    """Store the file with a queued import (in the caller's transaction); a worker applies it."""
    fmt = "csv" if content.startswith(reading.ZIP_MAGIC) else "json"
    now = clock.now()
    import_id = await conn.fetchval(q.QUEUE_IMPORT, org_id, actor_id, source, fmt, full, dry_run, now)
    await conn.execute(q.STORE_IMPORT_FILE, import_id, content)
    await record(conn, DirectoryImportQueued(import_id=import_id, org_id=org_id))
    await audit(conn, org_id, actor_id, "directory.import_queued", "directory_import", import_id,
                {"source": source, "bytes": len(content)})
    return ImportOut(id=import_id, source=source, format=fmt, status="queued", full=full, records=0,  # type: ignore[arg-type]
                     counts={}, written=Written(), problems=[], warnings=[], created_at=now)
