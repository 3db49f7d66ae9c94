"""Directory jobs: a queued import of an HSDS file (coord.directory.queued)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from coord.directory import service as directory
from coord.outbox import domain_events as ev
from workers.registry import on
from workers.claims import keep_claim

# A 50,000-service file takes a minute or two; a retry starts over (nothing was committed).
IMPORT_TIMEOUT_S = 15 * 60
IMPORT_TRIES = 3


@on(ev.DirectoryImportQueued, timeout=IMPORT_TIMEOUT_S, max_tries=IMPORT_TRIES)
async def apply_directory_import(ctx: dict[str, Any], event: ev.DirectoryImportQueued, outbox_id: UUID) -> str:
    """Check and apply the stored file of a queued import; returns its outcome. After its last
    try the import is `failed` (with the error), not left `running`."""
    try:
        async with keep_claim(ctx):
            return await directory.run_queued(ctx["pool"], event.import_id)
    except Exception as exc:
        if ctx.get("job_try", 1) >= IMPORT_TRIES:
            await directory.fail_queued(ctx["pool"], event.import_id, f"{type(exc).__name__}: {exc}")
        raise
