"""The append-only audit log: who read or changed what (ids only, never names)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

INSERT_AUDIT = """
INSERT INTO audit_log (org_id, actor_id, action, subject_type, subject_id, detail)
VALUES ($1, $2, $3, $4, $5, $6::jsonb)
"""


async def audit(conn: asyncpg.Connection, org_id: UUID, actor_id: UUID | None, action: str, subject_type: str,
                subject_id: UUID | None, detail: dict[str, Any] | None = None) -> None:
    """One entry, in the caller's transaction: it exists only if the change does."""
    await conn.execute(INSERT_AUDIT, org_id, actor_id, action, subject_type, subject_id, detail or {})
