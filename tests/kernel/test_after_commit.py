"""NOTIFY after commit (coord.kernel.db.after_commit): sent once the outermost block has
committed, from another backend than the writing one, never for a rolled-back transaction."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from coord.embedded import free_port
from coord.kernel.db.after_commit import NOTIFY_GAP_S, Notifier
from tests.support import wait_until


async def _listening(database_url: str, *channels: str):
    heard: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
    listener = await asyncpg.connect(database_url)
    for channel in channels:
        await listener.add_listener(channel, lambda _conn, pid, name, _payload: heard.put_nowait((name, pid)))
    return listener, heard


async def test_a_commit_notifies_from_another_backend_and_a_rollback_never(database_url, pool):
    listener, heard = await _listening(database_url, "coord_test_undone", "coord_test_done")
    try:
        async with pool.acquire() as conn:
            with pytest.raises(RuntimeError, match="inside the transaction"):
                conn.notify_after_commit("coord_test_done")
            with pytest.raises(ZeroDivisionError):
                async with conn.transaction():
                    conn.notify_after_commit("coord_test_undone")
                    1 / 0
            async with conn.transaction():
                async with conn.transaction():  # a savepoint: its channel waits for the outer commit
                    conn.notify_after_commit("coord_test_done")
                assert conn.after_commit_channels == {"coord_test_done"}
            writer = conn.get_server_pid()
        # The notifier sends in order, and PostgreSQL delivers in commit order: a notification
        # for the rolled-back block would have come first.
        name, pid = await asyncio.wait_for(heard.get(), 10)
        assert name == "coord_test_done"
        assert pid != writer, "sent from the writing transaction, which would hold the cluster's NOTIFY lock"
        assert heard.empty()
    finally:
        await listener.close()


async def test_every_commit_is_followed_by_a_notification_sent_after_it(database_url, pool):
    """Thirty concurrent commits: the last notification heard comes after the last commit, so
    a listener woken by it sees every row (the notifier coalesces while one is on its way)."""
    listener, heard = await _listening(database_url, "coord_test_many")
    committed: list[float] = []
    loop = asyncio.get_running_loop()

    async def write() -> None:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_sleep(0.01)")
            conn.notify_after_commit("coord_test_many")
        committed.append(loop.time())

    try:
        await asyncio.gather(*(write() for _ in range(30)))
        heard_at: list[float] = []
        while not heard_at or heard_at[-1] < max(committed):
            await asyncio.wait_for(heard.get(), 10)
            heard_at.append(loop.time())
        assert 1 <= len(heard_at) <= 30
    finally:
        await listener.close()


async def test_commits_asking_while_one_is_pending_share_it(database_url, pool):
    listener, heard = await _listening(database_url, "coord_test_shared", "coord_test_end")
    try:
        async with pool.acquire() as conn:
            notifier = conn.notifier
        for _ in range(100):  # a hundred commits asking before the notifier's task first runs
            notifier.soon({"coord_test_shared"})
        await asyncio.wait_for(heard.get(), 10)
        notifier.soon({"coord_test_end"})
        assert (await asyncio.wait_for(heard.get(), 10))[0] == "coord_test_end", "one notification for the hundred"
    finally:
        await listener.close()


async def test_a_busy_process_notifies_at_most_once_a_gap(database_url, pool):
    """Commits one after another, each asking: no more notifications than NOTIFY_GAP_S allows
    in the time taken (one per round trip would be several times more), and the last one still
    comes after the last commit."""
    loop = asyncio.get_running_loop()
    heard_at: list[float] = []
    listener = await asyncpg.connect(database_url)
    await listener.add_listener("coord_test_busy", lambda *_: heard_at.append(loop.time()))
    try:
        async with pool.acquire() as conn:
            notifier = conn.notifier
        started = loop.time()
        for _ in range(100):
            await asyncio.sleep(0.001)  # a commit a millisecond, as under load
            notifier.soon({"coord_test_busy"})
        last_asked = loop.time()
        await wait_until(lambda: heard_at and heard_at[-1] > last_asked, what="a notification after the last commit")
        allowed = (heard_at[-1] - started) / NOTIFY_GAP_S + 1
        assert 2 <= len(heard_at) <= allowed, (len(heard_at), allowed)
    finally:
        await listener.close()


async def test_a_notification_that_cannot_be_sent_is_logged_not_raised(caplog):
    """PostgreSQL away (a port nothing listens on): the commit already succeeded, so the
    notifier says so in the log and the listeners' polling finds the rows."""
    pool = await asyncpg.create_pool(f"postgresql://coord@127.0.0.1:{free_port()}/coord", min_size=0, max_size=1)
    try:
        notifier = Notifier()
        notifier.pool = pool
        notifier.soon({"coord_test_lost"})
        await wait_until(lambda: "could not notify coord_test_lost after commit" in caplog.text,
                         what="the lost notification in the log")
        notifier.soon({"coord_test_again"})  # and it goes on trying for later commits
        await wait_until(lambda: "could not notify coord_test_again after commit" in caplog.text,
                         what="the second lost notification in the log")
    finally:
        await pool.close()
