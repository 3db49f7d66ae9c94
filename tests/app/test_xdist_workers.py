"""`make test` (`-n auto`) on one shared PostgreSQL starts no more workers than it can serve."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import psutil

from tests.conftest import CONNECTIONS_PER_WORKER, workers_for_server


def _free_connections(url: str) -> int:
    async def ask() -> int:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchval(
                "SELECT current_setting('max_connections')::int - (SELECT count(*) FROM pg_stat_activity)")
        finally:
            await conn.close()

    return asyncio.run(ask())


def test_workers_are_what_the_servers_free_connections_hold(server_urls):
    free = _free_connections(server_urls[0])
    many = workers_for_server(server_urls[0], 64)
    assert 1 <= many < 64 and abs(many - max(1, free // CONNECTIONS_PER_WORKER)) <= 1  # others come and go
    assert workers_for_server(server_urls[0], 1) == 1


def test_dash_n_auto_asks_the_shared_server_not_the_cores(pytestconfig, server_urls, monkeypatch):
    """On 64 cores xdist alone would start 64 workers on a server of 100 connections."""
    monkeypatch.setenv("COORD_TEST_DATABASE_URL", server_urls[0])
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(64)))
    monkeypatch.setattr(psutil, "cpu_count", lambda logical=True: 64)  # what xdist's own count reads
    workers = pytestconfig.hook.pytest_xdist_auto_num_workers(config=pytestconfig)
    assert workers == workers_for_server(server_urls[0], 64) < 64
    monkeypatch.delenv("COORD_TEST_DATABASE_URL")  # embedded servers, one per worker: xdist's count
    assert pytestconfig.hook.pytest_xdist_auto_num_workers(config=pytestconfig) == 64
