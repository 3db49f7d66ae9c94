"""Configuration: COORD_* variables, validated once, one clear line when wrong."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from coord.kernel.config import ConfigError, load_settings


def test_defaults_match_the_contract(tmp_path):
    settings = load_settings({"COORD_DATA_DIR": str(tmp_path)})
    assert settings.database_url is None and settings.redis_url is None and settings.smtp_url is None
    assert settings.mail_from == "coord@localhost"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert (settings.host, settings.port, settings.env) == ("127.0.0.1", 8000, "development")
    assert (settings.log_level, settings.token_ttl_minutes, settings.login_attempts_per_minute,
            settings.job_timeout_seconds) == ("INFO", 720, 10, 60)


def test_links_point_where_coord_listens_unless_told_otherwise(tmp_path):
    moved = load_settings({"COORD_DATA_DIR": str(tmp_path), "COORD_HOST": "127.0.0.5", "COORD_PORT": "8123"})
    assert moved.base_url == "http://127.0.0.5:8123"
    told = load_settings({"COORD_DATA_DIR": str(tmp_path), "COORD_PORT": "8123", "COORD_BASE_URL": "https://coord.example.org/"})
    assert told.base_url == "https://coord.example.org"


def test_processes_are_one_in_development_and_every_core_in_production(tmp_path):
    development = load_settings({"COORD_DATA_DIR": str(tmp_path)})
    assert (development.web_concurrency, development.worker_concurrency) == (1, 1)
    production = load_settings({"COORD_DATA_DIR": str(tmp_path), "COORD_ENV": "production", "COORD_SECRET_KEY": "k" * 40,
                                "COORD_DATABASE_URL": "postgresql://h/db", "COORD_REDIS_URL": "redis://h"})
    assert (production.web_concurrency, production.worker_concurrency) == (os.cpu_count(), os.cpu_count())
    told = load_settings({"COORD_DATA_DIR": str(tmp_path), "COORD_WEB_CONCURRENCY": "3", "COORD_WORKER_CONCURRENCY": "2"})
    assert (told.web_concurrency, told.worker_concurrency) == (3, 2)


def test_web_processes_get_a_core_each_when_there_are_several_unless_told(tmp_path):
    def affinity(**env: str) -> bool:
        return load_settings({"COORD_DATA_DIR": str(tmp_path), **env}).web_cpu_affinity

    assert affinity() is False  # one process in development: nothing to spread
    assert affinity(COORD_WEB_CONCURRENCY="2") is True
    assert affinity(COORD_WEB_CONCURRENCY="2", COORD_WEB_CPU_AFFINITY="off") is False
    assert affinity(COORD_WEB_CONCURRENCY="2", COORD_WEB_CPU_AFFINITY="0") is False
    assert affinity(COORD_WEB_CPU_AFFINITY="yes") is True
    assert affinity(COORD_WEB_CPU_AFFINITY="TRUE") is True


def test_web_processes_run_as_batch_when_there_are_several_unless_told(tmp_path):
    def batch(**env: str) -> bool:
        return load_settings({"COORD_DATA_DIR": str(tmp_path), **env}).web_sched_batch

    assert batch() is False  # one process in development
    assert batch(COORD_WEB_CONCURRENCY="2") is True
    assert batch(COORD_WEB_CONCURRENCY="2", COORD_WEB_SCHED_BATCH="off") is False
    assert batch(COORD_WEB_CONCURRENCY="2", COORD_WEB_CPU_AFFINITY="off") is True  # its own setting
    assert batch(COORD_WEB_SCHED_BATCH="on") is True


def test_development_secret_is_generated_once(tmp_path):
    first = load_settings({"COORD_DATA_DIR": str(tmp_path)}).secret_key
    second = load_settings({"COORD_DATA_DIR": str(tmp_path)}).secret_key
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"COORD_DATABASE_URL": "mysql://localhost/x"}, "COORD_DATABASE_URL"),
        ({"COORD_DATABASE_URL": "postgresql://host:notaport/db"}, "COORD_DATABASE_URL"),
        ({"COORD_DATABASE_URL": "postgresql:///db"}, "COORD_DATABASE_URL"),  # neither a host nor a socket
        ({"COORD_DATABASE_URL": "postgresql://u@/db?host=run/postgresql"}, "COORD_DATABASE_URL"),  # not a directory
        ({"COORD_REDIS_URL": "redis://u@/0?host=/run/redis"}, "COORD_REDIS_URL"),  # sockets are PostgreSQL's only
        ({"COORD_REDIS_URL": "localhost:6379"}, "COORD_REDIS_URL"),
        ({"COORD_SMTP_URL": "http://mail"}, "COORD_SMTP_URL"),
        ({"COORD_MAIL_FROM": "not an address"}, "COORD_MAIL_FROM"),
        ({"COORD_BASE_URL": "ftp://x"}, "COORD_BASE_URL"),
        ({"COORD_PORT": "eighty"}, "COORD_PORT"),
        ({"COORD_PORT": "70000"}, "COORD_PORT"),
        ({"COORD_WEB_CONCURRENCY": "0"}, "COORD_WEB_CONCURRENCY"),
        ({"COORD_WORKER_CONCURRENCY": "many"}, "COORD_WORKER_CONCURRENCY"),
        ({"COORD_WEB_CPU_AFFINITY": "sometimes"}, "COORD_WEB_CPU_AFFINITY"),
        ({"COORD_WEB_SCHED_BATCH": "maybe"}, "COORD_WEB_SCHED_BATCH"),
        ({"COORD_ENV": "staging"}, "COORD_ENV"),
        ({"COORD_SECRET_KEY": "short"}, "COORD_SECRET_KEY"),
        ({"COORD_ENV": "production", "COORD_DATABASE_URL": "postgresql://h/db", "COORD_REDIS_URL": "redis://h"}, "COORD_SECRET_KEY"),
        ({"COORD_ENV": "production", "COORD_SECRET_KEY": "k" * 40}, "COORD_DATABASE_URL"),
    ],
)
def test_bad_values_name_their_variable(tmp_path, env, variable):
    with pytest.raises(ConfigError) as raised:
        load_settings({"COORD_DATA_DIR": str(tmp_path), **env})
    assert raised.value.variable == variable
    assert str(raised.value).startswith(variable)


@pytest.mark.parametrize(("variable", "url"), [
    ("COORD_DATABASE_URL", "postgress://coord:hunter2-secret@db.internal/coord"),  # a misspelt scheme
    ("COORD_DATABASE_URL", "postgresql://coord:hunter2-secret@db.internal:54x2/coord"),  # a port that is no number
    ("COORD_REDIS_URL", "http://:hunter2-secret@cache:6379/0"),
    ("COORD_SMTP_URL", "smtp://mailer:hunter2@secret@:587"),  # no host; the password holds an @
])
def test_a_refused_url_is_echoed_without_its_password(tmp_path, variable, url):
    with pytest.raises(ConfigError) as raised:
        load_settings({"COORD_DATA_DIR": str(tmp_path), variable: url})
    said = str(raised.value)
    assert said.startswith(variable) and "hunter2" not in said and "secret" not in said and ":***@" in said, said


def _run_cli(tmp_path, command: str = "migrate", **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
    return subprocess.run(
        [sys.executable, "-m", "coord", command],
        env={**clean, "COORD_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_prints_one_line_not_a_traceback(tmp_path):
    result = _run_cli(tmp_path, COORD_PORT="eighty")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["coord: configuration error: COORD_PORT: expected a whole number, got 'eighty'"]


def test_unreachable_database_stops_start_up_naming_the_variable(tmp_path, redis_url):
    result = _run_cli(tmp_path, COORD_DATABASE_URL="postgresql://coord@127.0.0.1:1/coord", COORD_REDIS_URL=redis_url)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("coord:")]
    assert len(lines) == 1 and "COORD_DATABASE_URL" in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["serve", "dev"])
def test_a_port_already_taken_stops_start_up_in_one_line_before_anything_starts(tmp_path, command):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run_cli(tmp_path, command, COORD_PORT=str(port))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"coord: configuration error: COORD_PORT: cannot listen on 127.0.0.1:{port} (Address already in use): "
        "stop what listens there, or set COORD_PORT to a free port"]
    assert not (tmp_path / "postgres").exists() and not (tmp_path / "redis").exists()  # no embedded server started


def test_check_timezone_refuses_an_unknown_zone(tmp_path):
    # Timezones arrive with organizations and series; see test_orgs for the 422.
    from coord.auth.service import check_timezone
    from coord.kernel.errors import Unprocessable

    with pytest.raises(Unprocessable):
        check_timezone("Europe/Atlantis")
