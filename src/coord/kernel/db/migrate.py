"""A small migration runner: numbered .sql files, applied in order, once.

Each file runs in its own transaction under a PostgreSQL advisory lock, so two
runners at once never both apply a file: the second waits, then finds nothing
left to do. A file's checksum is recorded; an applied file that was edited stops
the runner (write a new migration instead).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

log = logging.getLogger("coord.migrate")

# Any constant that no other coord lock uses; pg_advisory_lock takes a bigint.
MIGRATION_LOCK_ID = 0x636F6F7264  # "coord"
FILE_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def migrations_dir() -> Path:
    """migrations/ at the repository root (installed editable) or beside the package."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[4] / "migrations", here.parents[2] / "migrations"):
        if candidate.is_dir():
            return candidate
    raise MigrationError("cannot find the migrations/ directory")


def load_migrations(directory: Path | None = None) -> list[Migration]:
    directory = directory or migrations_dir()
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = FILE_RE.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_words.sql")
        found.append(Migration(match.group(1), path.name, path.read_text()))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a number")
    return found


async def migrate(dsn_or_conn: str | asyncpg.Connection, directory: Path | None = None) -> list[str]:
    """Apply what is missing; return the names applied by this call."""
    migrations = load_migrations(directory)
    conn = await asyncpg.connect(dsn_or_conn) if isinstance(dsn_or_conn, str) else dsn_or_conn
    applied_now: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
        try:
            await conn.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version text PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """
            )
            done = {r["version"]: r for r in await conn.fetch("SELECT version, name, checksum FROM schema_migrations")}
            for migration in migrations:
                previous = done.get(migration.version)
                if previous is not None:
                    if previous["checksum"] != migration.checksum:
                        raise MigrationError(
                            f"{migration.name} was edited after it was applied "
                            f"(checksum {previous['checksum'][:12]} in the database, {migration.checksum[:12]} on disk); "
                            "never edit an applied migration, add a new one"
                        )
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
                log.info("applied migration %s", migration.name)
                applied_now.append(migration.name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_ID)
    finally:
        if isinstance(dsn_or_conn, str):
            await conn.close()
    return applied_now


async def check_applied(conn: asyncpg.Connection, directory: Path | None = None) -> None:
    """Refuse to serve on a database whose migrations differ from the code's."""
    migrations = load_migrations(directory)
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    done = {}
    if exists:
        done = {r["version"]: r["checksum"] for r in await conn.fetch("SELECT version, checksum FROM schema_migrations")}
    for migration in migrations:
        if migration.version not in done:
            raise MigrationError(f"{migration.name} is not applied: run `coord migrate`")
        if done[migration.version] != migration.checksum:
            raise MigrationError(f"{migration.name} was edited after it was applied; add a new migration instead")
