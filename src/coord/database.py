"""A database made ready for coord: its migrations, then the reference data they create the
tables for and leave to fill (US ZIP code centres). `coord migrate`, `coord dev`, the tests
and the benchmarks all prepare their databases here."""

from __future__ import annotations

import asyncpg

from coord.directory import zip_centres
from coord.kernel.db.migrate import migrate


async def prepare(dsn: str) -> list[str]:
    """Apply pending migrations, then fill what is still empty; returns the migrations applied."""
    applied = await migrate(dsn)
    conn = await asyncpg.connect(dsn)
    try:
        await zip_centres.fill(conn)
    finally:
        await conn.close()
    return applied
