"""Real PostgreSQL and Redis for every test.

Embedded servers (the same code `make run` uses) start once per session in a
temporary directory, unless COORD_TEST_DATABASE_URL / COORD_TEST_REDIS_URL name
others. Each session gets its own freshly migrated database (from migrations/,
never a separate schema); each test starts from empty tables and an empty Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import email
from email import policy

import asyncpg
import pytest
from aiosmtpd.controller import Controller
from arq import create_pool as create_arq_pool
from litestar.testing import AsyncTestClient

from argon2.profiles import CHEAPEST

from coord.app import create_app
from coord.auth.service import use_password_parameters
from coord.kernel.config import Settings, load_settings
from coord.database import prepare
from coord.kernel.db.pool import create_pool
from coord.kernel.redis_settings import connection_settings
from coord.embedded import EmbeddedServers, free_port
from tests.support import Api


warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
# Production hashing costs ~100 ms a password; tests make hundreds of accounts. The `coord serve`
# processes the suite starts hash as cheaply (tests.support.CHEAP_HASHING_COORD); other processes
# of coord's own keep the production parameters, which test_auth checks.
use_password_parameters(CHEAPEST)
TEST_SECRET = "test-secret-key-with-at-least-32-characters"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests (marked slow) run first, the rest in their usual order. With pytest-xdist
    handing out one test at a time (--maxschedchunk 1, pyproject), the two workers then share
    the long ones from the start and end together on short ones, rather than one worker still
    running a minute-long test while the other has nothing left to do."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# What one xdist worker may hold at its peak on a shared test server: its pool and the app's
# (up to 40 each, seldom both full), the account listener, and the coord processes that the
# scale-out and drill tests start. -n 2 peaks near 90 on a server of 100.
CONNECTIONS_PER_WORKER = 45


def workers_for_server(database_url: str, cores: int) -> int:
    """How many xdist workers one PostgreSQL can serve: its free connections over what a
    worker may hold, between 1 and the number of cores."""
    async def free() -> int:
        conn = await asyncpg.connect(database_url, timeout=10)
        try:
            return await conn.fetchval(
                "SELECT current_setting('max_connections')::int - (SELECT count(*) FROM pg_stat_activity)")
        finally:
            await conn.close()

    return max(1, min(cores, asyncio.run(free()) // CONNECTIONS_PER_WORKER))


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` against one shared PostgreSQL (COORD_TEST_DATABASE_URL): no more workers than
    its connections hold, or on a many-core machine the run fails on 'too many clients'
    (a server of 100 holds two). Embedded servers are one per worker: xdist's own count."""
    url = os.environ.get("COORD_TEST_DATABASE_URL")
    if not url or os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    try:
        return workers_for_server(url, len(os.sched_getaffinity(0)))
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError):
        return None  # the session's own fixtures will say what is wrong with the server


def _worker_redis(url: str | None, worker: str) -> str | None:
    """Under pytest-xdist every worker flushes its Redis before each test, so workers sharing
    one external Redis each take a database of their own (gw0 -> 1, gw1 -> 2, ...)."""
    if url is None or not worker.startswith("gw"):
        return url
    return urlunsplit(urlsplit(url)._replace(path=f"/{int(worker[2:]) + 1}"))


@pytest.fixture(scope="session")
def server_urls(tmp_path_factory: pytest.TempPathFactory, worker_id: str):
    # Under xdist each worker starts embedded servers of its own (its own temp dir).
    embedded = EmbeddedServers(tmp_path_factory.mktemp("coord-servers"), persist_redis=False)
    urls = embedded.ensure(
        os.environ.get("COORD_TEST_DATABASE_URL"), _worker_redis(os.environ.get("COORD_TEST_REDIS_URL"), worker_id)
    )
    yield urls
    embedded.stop()


# Not emptied between tests: the migrations applied, and reference data (coord.database.prepare).
KEPT_TABLES = ["schema_migrations", "us_zip_centres"]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
async def database_url(server_urls):
    """A database of its own for this test session, migrated with the real files and its
    reference data filled (coord.database.prepare)."""
    admin_url = server_urls[0]
    name = f"coord_test_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(admin_url, name)
    await prepare(url)
    yield url
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


@pytest.fixture
async def fresh_database(server_urls):
    """An empty database of its own (no migrations applied), dropped afterwards."""
    admin_url = server_urls[0]
    name = f"coord_mig_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    yield _with_database(admin_url, name)
    await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    await admin.close()


@pytest.fixture(scope="session")
def redis_url(server_urls) -> str:
    return server_urls[1]


@pytest.fixture(scope="session")
async def emptying_sql(database_url) -> str:
    """One statement batch that empties every table: DELETE with triggers off (foreign keys
    and the audit log's guard are triggers), which for a test's few rows costs a few
    milliseconds where TRUNCATE of every table cost ~200 ms. Needs a superuser, as the
    embedded server and the CI servers give; otherwise TRUNCATE."""
    conn = await asyncpg.connect(database_url)
    try:
        tables = [r["tablename"] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> ALL($1::text[])", KEPT_TABLES
        )]
        superuser = await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    finally:
        await conn.close()
    if not superuser:
        return "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
    deletes = "".join(f'DELETE FROM "{t}";' for t in tables)
    return f"SET session_replication_role = replica;{deletes}RESET session_replication_role;"


def make_settings(database_url: str, redis_url: str, data_dir: Path, **env: str) -> Settings:
    base = {
        "COORD_DATA_DIR": str(data_dir),
        "COORD_SECRET_KEY": TEST_SECRET,
        "COORD_LOGIN_ATTEMPTS_PER_MINUTE": "100000",
        "COORD_BASE_URL": "http://coord.test",
    }
    return load_settings({**base, **env}).with_urls(database_url, redis_url)


@pytest.fixture(scope="session")
def settings(database_url, redis_url, tmp_path_factory) -> Settings:
    """The default settings; tests that need others build them with make_settings."""
    return make_settings(database_url, redis_url, tmp_path_factory.mktemp("coord-data"))


@pytest.fixture
async def pool(database_url, emptying_sql):
    """A pool on the test database, every table emptied first."""
    pool = await create_pool(database_url, min_size=1, max_size=40)
    await pool.execute(emptying_sql)
    yield pool
    await pool.close()


@pytest.fixture
async def redis(redis_url):
    client = await create_arq_pool(connection_settings(redis_url))
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def shared_app(settings):
    """Building the app (routes, templates, OpenAPI) costs ~150 ms: once per session. Each
    test's client still runs its lifespan, so pools are fresh; state lives in the emptied
    database and Redis."""
    return create_app(settings)


@pytest.fixture
async def app(shared_app, pool, redis):
    return shared_app


@pytest.fixture
async def client(app):
    async with AsyncTestClient(app=app, base_url="http://coord.test") as client:
        yield client


@pytest.fixture
def api(client) -> Api:
    return Api(client)


class MailSink:
    """A real SMTP server on loopback that records what it accepts."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse_with: list[str] = []  # replies to give instead of accepting, in order

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_with:
            return self.refuse_with.pop(0)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextlib.contextmanager
def serving(sink: MailSink) -> Iterator[MailSink]:
    """`sink` answering SMTP on loopback (its address in sink.url) until the block ends."""
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.url = f"smtp://127.0.0.1:{controller.port}"
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp():
    with serving(MailSink()) as sink:
        yield sink


@pytest.fixture
def mail_settings(database_url, redis_url, tmp_path, smtp):
    return make_settings(database_url, redis_url, tmp_path, COORD_SMTP_URL=smtp.url)
