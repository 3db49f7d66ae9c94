"""The request's acquire timeout: none while a connection is free, the bound once all are taken."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from coord.kernel.config import load_settings
from coord.kernel.db.pool import ACQUIRE_TIMEOUT_S, acquire_timeout, create_pool


async def test_the_acquire_timeout_applies_exactly_when_every_connection_is_taken(database_url):
    pool = await create_pool(database_url, min_size=1, max_size=3)
    try:
        taken = []
        # One connected and idle, then slots not connected yet: neither makes an acquire wait.
        assert acquire_timeout(pool) is None
        for _ in range(3):
            assert acquire_timeout(pool) is None
            taken.append(await pool.acquire(timeout=acquire_timeout(pool)))
        assert acquire_timeout(pool) == ACQUIRE_TIMEOUT_S
        assert pool.get_idle_size() == 0  # asyncpg's own (slower) answer agrees

        # With all taken, the bound is what a request waits: an acquire with it waits for a
        # release, and one released in time is handed over.
        waiting = asyncio.ensure_future(pool.acquire(timeout=acquire_timeout(pool)))
        await asyncio.sleep(0)
        assert not waiting.done()
        await pool.release(taken.pop())
        taken.append(await asyncio.wait_for(waiting, 5))
        assert acquire_timeout(pool) == ACQUIRE_TIMEOUT_S

        await pool.release(taken.pop())
        assert acquire_timeout(pool) is None and pool.get_idle_size() == 1
        for conn in taken:
            await pool.release(conn)
        assert acquire_timeout(pool) is None and pool.get_idle_size() == 3
    finally:
        await pool.close()


async def test_a_socket_directory_url_is_accepted_and_connects_through_the_socket(database_url, tmp_path_factory):
    """COORD_DATABASE_URL may give a Unix socket's directory instead of a host (how PostgreSQL
    is often reached on its own machine). The test servers listen on TCP only, so a socket
    in a short directory of its own forwards to them; the pool's query goes through it."""
    tcp = urlsplit(database_url)
    directory = Path(tempfile.mkdtemp(prefix="coordpg"))  # a socket path has at most 107 bytes
    relayed: list[int] = []

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        relayed.append(1)
        upstream_reader, upstream_writer = await asyncio.open_connection(tcp.hostname, tcp.port)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer), return_exceptions=True)

    server = await asyncio.start_unix_server(forward, path=str(directory / f".s.PGSQL.{tcp.port}"))
    credentials = tcp.netloc.rpartition("@")[0]
    url = f"postgresql://{credentials}@{tcp.path}?host={directory}&port={tcp.port}"
    try:
        assert load_settings({"COORD_DATA_DIR": str(tmp_path_factory.mktemp("data")),
                              "COORD_DATABASE_URL": url}).database_url == url
        pool = await create_pool(url, min_size=1, max_size=1)
        try:
            assert await pool.fetchval("SELECT current_database()") == tcp.path.lstrip("/")
        finally:
            await pool.close()
        assert relayed, "the pool did not connect through the socket"
    finally:
        server.close()
        await server.wait_closed()
        shutil.rmtree(directory, ignore_errors=True)
