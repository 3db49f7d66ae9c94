"""`coord directory import PATH --org SLUG --source NAME [--dry-run]`, run as a process."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import TEST_SECRET
from tests.support.directory_imports import PACKAGE, directory_rows


def coord(database_url: str, redis_url: str, data_dir, *args: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
    environment.update(COORD_DATABASE_URL=database_url, COORD_REDIS_URL=redis_url, COORD_DATA_DIR=str(data_dir),
                       COORD_SECRET_KEY=TEST_SECRET, COORD_LOG_LEVEL="WARNING")
    return subprocess.run([sys.executable, "-m", "coord", *args], env=environment, capture_output=True, text=True,
                          timeout=60)


async def test_the_import_command_checks_with_dry_run_and_then_imports(api, pool, database_url, redis_url, tmp_path):
    admin = await api.user("admin")
    org = await api.org(admin)
    args = ("directory", "import", str(PACKAGE), "--org", org["slug"], "--source", "county-211")
    dry = coord(database_url, redis_url, tmp_path, *args, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("dry_run: 24 record(s) from 'county-211' (csv)")
    assert all(n == 0 for n in (await directory_rows(pool)).values())
    assert await pool.fetchval("SELECT count(*) FROM directory_imports") == 0

    done = coord(database_url, redis_url, tmp_path, *args)
    assert done.returncode == 0, done.stderr
    assert "written: 24 new, 0 changed, 0 unchanged, 0 marked inactive" in done.stdout
    assert (await directory_rows(pool))["services"] == 3

    missing = coord(database_url, redis_url, tmp_path, "directory", "import", str(PACKAGE), "--org", "nobody",
                    "--source", "x")
    assert missing.returncode == 2 and "no organization with the slug 'nobody'" in missing.stderr
