"""The US ZIP code centres behind `near=` (a code the directory has no address with): a table
filled once per database from the zipcodes package (migration 0032, coord.directory.zip_centres),
so the API never unpacks the package's data while requests wait."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import asyncpg

from coord.directory import zip_centres
from coord.kernel.db.migrate import migrate
from tests.support import API, assert_problem, expect


async def test_preparing_a_database_stores_every_code_of_the_package_once(fresh_database):
    import zipcodes

    await migrate(fresh_database)
    conns = [await asyncpg.connect(fresh_database) for _ in range(3)]
    try:
        # Three at once (as `coord migrate` from several places): one fills, the others wait and add nothing.
        added = sorted(await asyncio.gather(*(zip_centres.fill(conn) for conn in conns)))
        assert added[:2] == [0, 0] and added[2] == len(zipcodes.list_all()) > 40_000
        assert await zip_centres.fill(conns[0]) == 0  # and again: nothing
        stored = await conns[0].fetchrow("SELECT count(*), count(DISTINCT code) FROM us_zip_centres")
        assert stored[0] == stored[1] == added[2]
        assert tuple(await conns[0].fetchrow("SELECT latitude, longitude FROM us_zip_centres WHERE code = '10001'")) \
            == (40.7484, -73.9967)
    finally:
        for conn in conns:
            await conn.close()


async def test_near_reads_a_zip_codes_centre_from_the_table(client, pool, directory_world):
    # 99998 is no ZIP code the package knows: found only because the table says where it is
    # (the Café's own block in Philadelphia), so the table, not the package, answered.
    assert_problem(await client.get(f"{API}/resources?near=99998"), 422)
    await pool.execute("INSERT INTO us_zip_centres VALUES ('99998', 39.9526, -75.1652)")
    try:
        found = expect(await client.get(f"{API}/resources?near=99998-0001&radius_km=5"), 200)
        assert [r["name"] for r in found["results"]] == ["Café Counseling"]
        assert (found["near"]["latitude"], found["near"]["longitude"]) == (39.9526, -75.1652)
    finally:
        await pool.execute("DELETE FROM us_zip_centres WHERE code = '99998'")
    # The shape of a ZIP code with no centre, and codes of other shapes: a problem that says what to give.
    for near in ("00000", "ABCDE", "1234"):
        assert_problem(await client.get(f"{API}/resources?near={near}"), 422)


def test_a_lookup_in_the_api_never_loads_the_package(database_url):
    # In a fresh interpreter, as an API process is: the package's data (about 40 MB, a second
    # of the GIL to unpack) stays out of it.
    probe = ("import asyncio, sys, asyncpg\n"
             "from coord.directory.search import resolve_place\n"
             "async def main():\n"
             "    conn = await asyncpg.connect(sys.argv[1])\n"
             "    place = await resolve_place(conn, '19103')\n"
             "    await conn.close()\n"
             "    assert 39.9 < place.latitude < 40.0, place\n"
             "    assert 'zipcodes' not in sys.modules, 'the API loaded the zipcodes package'\n"
             "asyncio.run(main())\n")
    subprocess.run([sys.executable, "-c", probe, database_url], check=True, env={**os.environ}, timeout=60)
