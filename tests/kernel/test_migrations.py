"""The migration runner: ordered, locked, checksummed, and what the tests use."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys

import asyncpg
import pytest

from coord.kernel.db.migrate import MigrationError, check_applied, load_migrations, migrate, migrations_dir

# fresh_database (an empty database of its own) is a fixture of tests/conftest.py.


async def test_applies_every_file_once_in_order(fresh_database):
    names = [m.name for m in load_migrations()]
    assert names == sorted(names) and names[0].startswith("0001_")
    assert await migrate(fresh_database) == names
    assert await migrate(fresh_database) == []
    conn = await asyncpg.connect(fresh_database)
    try:
        rows = await conn.fetch("SELECT version, checksum FROM schema_migrations ORDER BY version")
        assert [r["version"] for r in rows] == [n[:4] for n in names]
        assert all(len(r["checksum"]) == 64 for r in rows)
        await check_applied(conn)
    finally:
        await conn.close()


async def test_runners_at_once_apply_each_file_exactly_once(fresh_database):
    results = await asyncio.gather(*(migrate(fresh_database) for _ in range(4)))
    applied = [name for result in results for name in result]
    assert sorted(applied) == [m.name for m in load_migrations()]


async def test_an_edited_applied_file_stops_the_runner(fresh_database, tmp_path):
    copy = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), copy)
    await migrate(fresh_database, copy)
    first = sorted(copy.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(MigrationError, match="edited"):
        await migrate(fresh_database, copy)
    conn = await asyncpg.connect(fresh_database)
    try:
        with pytest.raises(MigrationError, match="edited"):
            await check_applied(conn, copy)
    finally:
        await conn.close()


async def test_a_failing_file_leaves_nothing_half_applied(fresh_database, tmp_path):
    copy = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), copy)
    (copy / "9999_broken.sql").write_text("CREATE TABLE half_done (id int); SELECT no_such_function();")
    with pytest.raises(asyncpg.PostgresError):
        await migrate(fresh_database, copy)
    conn = await asyncpg.connect(fresh_database)
    try:
        assert await conn.fetchval("SELECT to_regclass('half_done')") is None
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations WHERE version = '9999'") == 0
    finally:
        await conn.close()


async def test_serving_an_unmigrated_database_is_refused(fresh_database, redis_url, tmp_path):
    conn = await asyncpg.connect(fresh_database)
    try:
        with pytest.raises(MigrationError, match="coord migrate"):
            await check_applied(conn)
    finally:
        await conn.close()
    # And `coord serve` itself refuses to start on it, with one line saying what to run.
    from coord.embedded import free_port

    env = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
    env.update(COORD_DATA_DIR=str(tmp_path), COORD_DATABASE_URL=fresh_database, COORD_REDIS_URL=redis_url,
               COORD_PORT=str(free_port()))
    result = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "coord", "serve"], env=env,
                                     capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "coord migrate" in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_badly_named_files_are_refused(tmp_path):
    (tmp_path / "1_init.sql").write_text("SELECT 1")
    with pytest.raises(MigrationError, match="NNNN"):
        load_migrations(tmp_path)
