"""The API's account cache across processes (coord.auth.account_cache): another process's
change reaches it when it commits, and while it cannot hear of changes it keeps nothing."""

from __future__ import annotations

from uuid import UUID, uuid4

import asyncio

from coord.auth.account_cache import CHANNEL, HEARTBEAT_PREFIX, AccountCache, AccountListener, accounts
from coord.kernel.access import CurrentUser
from tests.support import API, wait_until
from tests.support.tcp_proxy import SilentableProxy

LISTENERS = ("SELECT pid FROM pg_stat_activity WHERE application_name = 'coord-accounts' "
             "AND datname = current_database()")


async def _as_another_process(pool, statement: str, user_id: str, *, notify: bool = True) -> None:
    """A change committed by another `coord serve` process: its SQL, and its notice
    (`account_changed`), but none of this process's own forgetting."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(statement, UUID(user_id))
        if notify:
            await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, user_id)


async def test_another_processs_change_reaches_the_cache_when_it_commits(client, api, pool, monkeypatch):
    monkeypatch.setattr(accounts, "ttl", 3600)  # only the notice can end the entry
    await wait_until(lambda: accounts.listening, what="the account listener")
    user = await api.user("Ana")
    assert (await client.get(f"{API}/me", headers=user.headers)).status_code == 200
    assert any(key[0] == UUID(user.id) for key in accounts._entries)  # remembered
    await _as_another_process(pool, "UPDATE users SET token_version = token_version + 1 WHERE id = $1", user.id)

    async def refused() -> bool:
        return (await client.get(f"{API}/me", headers=user.headers)).status_code == 401
    await wait_until(refused, timeout=5, what="the old token refused after another process logged out everywhere")


async def test_an_account_gone_after_the_token_check_is_a_401_not_a_500(client, api, pool, monkeypatch):
    """The window between the bearer check (here from the cache, whose notice of the change has
    not arrived yet) and the profile's read: the account erased in between. GET /me says to
    sign in again instead of failing on a missing row."""
    monkeypatch.setattr(accounts, "ttl", 3600)
    await wait_until(lambda: accounts.listening, what="the account listener")
    user = await api.user("Cai")
    assert (await client.get(f"{API}/me", headers=user.headers)).status_code == 200
    assert any(key[0] == UUID(user.id) for key in accounts._entries)  # the check will pass from here
    await _as_another_process(pool, "DELETE FROM users WHERE id = $1", user.id, notify=False)
    response = await client.get(f"{API}/me", headers=user.headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "sign in again" in response.json()["detail"]


async def test_without_a_listener_nothing_is_cached_and_it_comes_back(client, api, pool, monkeypatch):
    monkeypatch.setattr(accounts, "ttl", 3600)
    await wait_until(lambda: accounts.listening, what="the account listener")
    user = await api.user("Bo")
    assert (await client.get(f"{API}/me", headers=user.headers)).status_code == 200
    async with pool.acquire() as conn:
        gone = {row["pid"] for row in await conn.fetch(LISTENERS)}
        assert gone
        for pid in gone:
            await conn.execute("SELECT pg_terminate_backend($1)", pid)
    await wait_until(lambda: not accounts.listening, what="the cache turned off when its connection went")
    # A change whose notice nobody heard: with nothing cached, the next request sees it.
    await _as_another_process(pool, "UPDATE users SET token_version = token_version + 1 WHERE id = $1", user.id,
                              notify=False)
    assert (await client.get(f"{API}/me", headers=user.headers)).status_code == 401
    await wait_until(lambda: accounts.listening, what="the listener back")

    async def new_listener() -> set[int]:
        return {row["pid"] for row in await pool.fetch(LISTENERS)} - gone
    await wait_until(new_listener, what="a listening connection of its own again")


def test_a_row_read_before_a_change_is_not_kept_after_its_notice():
    cache = AccountCache()
    cache.listening = True
    someone = CurrentUser(id=uuid4(), email="a@example.org", display_name="A", timezone="UTC", email_confirmed=True)
    key = (someone.id, 0)
    read_at = cache.epoch
    cache.forget(someone.id)  # the notice arrives while the row read before it is on its way
    cache.put(key, someone, read_at)
    assert cache.get(key) is None
    cache.put(key, someone, cache.epoch)
    assert cache.get(key) is someone
    cache.listening = False  # not listening: nothing is handed out, nothing kept
    assert cache.get(key) is None


def _someone() -> CurrentUser:
    return CurrentUser(id=uuid4(), email="a@example.org", display_name="A", timezone="UTC", email_confirmed=True)


async def test_a_listener_that_stops_hearing_without_a_close_turns_the_cache_off(database_url):
    """A connection that goes silent (no FIN, no RST) never reports a loss: only the listener's
    own heartbeat, not coming back, shows that notices no longer arrive."""
    proxy = await SilentableProxy.to(database_url)
    cache = AccountCache(ttl=3600)
    listener = AccountListener(proxy.url(database_url), cache, heartbeat_s=0.2, heard_within_s=0.5)
    running = asyncio.create_task(listener.run())
    try:
        await wait_until(lambda: cache.listening, what="the listener on, through the proxy")
        someone = _someone()
        cache.put((someone.id, 0), someone, cache.epoch)
        await wait_until(lambda: listener.heartbeats_heard >= 5, timeout=10, what="five heartbeats heard")
        assert cache.listening and cache.get((someone.id, 0)) is someone  # a healthy connection stays on
        proxy.silence()
        await wait_until(lambda: not cache.listening, timeout=5, what="the cache off once heartbeats stop coming back")
        assert cache.get((someone.id, 0)) is None and not cache._entries
        proxy.resume()
        await wait_until(lambda: cache.listening, timeout=15, what="listening again on a new connection")
    finally:
        listener.stop()
        await running
        await proxy.close()


def test_another_listeners_heartbeat_forgets_nothing():
    cache = AccountCache()
    cache.listening = True
    listener = AccountListener("postgresql://unused", cache)
    someone = _someone()
    cache.put((someone.id, 0), someone, cache.epoch)
    listener._heard(None, 1, CHANNEL, HEARTBEAT_PREFIX + "0123abcd")
    assert cache.get((someone.id, 0)) is someone
    listener._heard(None, 1, CHANNEL, "not an account id")  # a notice it cannot read: forget all
    assert cache.get((someone.id, 0)) is None
