"""US ZIP code centres in PostgreSQL, from the zipcodes package (migration 0032).

`near=19103` on a directory with no public address in 19103 falls back to the code's centre.
The API reads it from the table: asked of the package in the API, the first lookup held the
process's event loop for 0.3-1.5 s while the package unpacked its data (its Rust code keeps
the GIL), and the data then stayed in every API process. Filling the table once per database,
when `coord migrate` runs, moves that second to a command nobody waits on."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from coord.directory import search_queries as sq

log = logging.getLogger(__name__)


def _package_centres() -> list[tuple[str, float, float]]:
    import zipcodes

    return [(z["zip_code"], float(z["lat"]), float(z["long"]))
            for z in zipcodes.list_all() if z.get("lat") and z.get("long")]


async def fill(conn: asyncpg.Connection) -> int:
    """Fill an empty `us_zip_centres` (safe to run from several places at once, and again);
    returns the number of codes added."""
    async with conn.transaction():
        await conn.execute(sq.LOCK_US_ZIP_CENTRES)
        if await conn.fetchval(sq.ANY_US_ZIP_CENTRE):
            return 0
        centres = await asyncio.to_thread(_package_centres)
        await conn.copy_records_to_table("us_zip_centres", records=centres, columns=sq.US_ZIP_CENTRE_COLUMNS)
    log.info("stored the centres of %d US ZIP codes (for near= in the resource directory)", len(centres))
    return len(centres)
