"""The `coord` command: serve, worker, migrate, dev, demo, directory import."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import click

from coord.kernel.config import ConfigError, Settings, load_settings
from coord.kernel.db.migrate import MigrationError
from coord.embedded import EmbeddedError
from coord.kernel.observability import configure_logging


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """coord: coordination for community mental-health programs."""


@cli.command()
def serve() -> None:
    """Serve the HTTP API and pages on COORD_HOST:COORD_PORT."""
    from coord.runner import check_port_free, resolved, serve as run_serve

    settings = _settings()
    check_port_free(settings)  # before any embedded server starts
    with resolved(settings) as ready:
        run_serve(ready)


@cli.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (tests, one-off catch-up).")
@click.option("--check", is_flag=True, help="Exit 0 if a worker reported itself healthy recently (health checks).")
def worker(burst: bool, check: bool) -> None:
    """Run the arq worker and the outbox relay."""
    from coord.runner import resolved, run_worker

    settings = _settings()
    if check:
        from arq.worker import async_check_health

        from coord.kernel.redis_settings import connection_settings

        if not settings.redis_url:
            raise click.UsageError("--check needs COORD_REDIS_URL")
        sys.exit(asyncio.run(async_check_health(connection_settings(settings.redis_url))))
    with resolved(settings) as ready:
        if ready.worker_concurrency > 1 and not burst:
            from coord.runner import workers

            sys.exit(workers(ready))
        _run_fast(run_worker(ready, burst=burst))


def _run_fast(main: Any) -> None:
    """asyncio.run on uvloop where it is installed: the worker's many small PostgreSQL, Redis
    and SMTP round trips cost less CPU there (bench invites)."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


@cli.command()
def migrate() -> None:
    """Apply pending migrations, then fill reference data still empty (US ZIP code centres);
    safe to run from several places at once."""
    from coord.runner import resolved, run_migrations

    settings = _settings()
    with resolved(settings) as ready:
        applied = asyncio.run(run_migrations(ready))
    click.echo(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))


@cli.command()
@click.option("--demo", is_flag=True, help="Load the demo organization first.")
def dev(demo: bool) -> None:
    """All in one: embedded servers when no URL is set, migrations, API, worker, relay."""
    from coord.runner import dev as run_dev

    sys.exit(run_dev(_settings(), demo=demo))


@cli.command()
def demo() -> None:
    """Load a realistic demo organization (idempotent)."""
    from coord.demo import load_demo
    from coord.runner import resolved, run_migrations

    settings = _settings()
    with resolved(settings) as ready:
        asyncio.run(run_migrations(ready))
        summary = asyncio.run(load_demo(ready))
    click.echo(summary)


@cli.group()
def directory() -> None:
    """The resource directory (HSDS 3.0)."""


@directory.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--org", "org_slug", required=True, help="The slug of the organization that curates the entries.")
@click.option("--source", required=True, help="The name of the file's source (e.g. county-211).")
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--partial", is_flag=True, help="The file holds only some entries: leave the others active.")
def directory_import(path: Path, org_slug: str, source: str, dry_run: bool, partial: bool) -> None:
    """Import an HSDS 3.0 JSON file, or a CSV data package (a folder or a zip)."""
    from coord.directory.cli import import_command
    from coord.runner import resolved, run_migrations

    settings = _settings()
    with resolved(settings) as ready:
        asyncio.run(run_migrations(ready))
        code = asyncio.run(import_command(ready, path, org_slug, source, dry_run, not partial))
    sys.exit(code)


def main() -> None:
    try:
        cli.main(standalone_mode=True)
    except ConfigError as exc:
        click.echo(f"coord: configuration error: {exc}", err=True)
        sys.exit(2)
    except (MigrationError, EmbeddedError) as exc:
        click.echo(f"coord: {exc}", err=True)
        sys.exit(2)
