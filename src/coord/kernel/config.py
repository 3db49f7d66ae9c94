"""Settings from COORD_* environment variables, validated once at start-up.

A bad value raises `ConfigError`, which the CLI prints as one line naming the
variable (never a traceback).
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Literal, Mapping
from urllib.parse import SplitResult, parse_qs, urlsplit

import msgspec

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


class ConfigError(ValueError):
    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None  # None: embedded server under data_dir
    redis_url: str | None = None  # None: embedded server under data_dir
    smtp_url: str | None = None  # None: .eml files under data_dir/mail
    mail_from: str = "coord@localhost"
    base_url: str = "http://127.0.0.1:8000"  # load_settings: http://{COORD_HOST}:{COORD_PORT}
    secret_key: str = ""
    data_dir: Path = Path(".coord")
    host: str = "127.0.0.1"
    port: int = 8000
    env: Literal["development", "production"] = "development"
    # Not in the contract, but operators need them; all have safe defaults.
    log_level: str = "INFO"
    token_ttl_minutes: int = 60 * 12
    login_attempts_per_minute: int = 10
    # arq re-runs a job whose worker died only after this (+10 s): keep it short.
    job_timeout_seconds: int = 60
    # Processes of `coord serve` and `coord worker` (the contract's names); see _concurrency.
    web_concurrency: int = 1
    worker_concurrency: int = 1
    # Each worker process of `coord serve` on a core of its own (coord.kernel.cpu_slots).
    web_cpu_affinity: bool = False
    # ... and as SCHED_BATCH, so PostgreSQL's backends beside it are not preempted (cpu_slots).
    web_sched_batch: bool = False

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def production(self) -> bool:
        return self.env == "production"

    def with_urls(self, database_url: str, redis_url: str) -> "Settings":
        return msgspec.structs.replace(self, database_url=database_url, redis_url=redis_url)


_PASSWORD = re.compile(r"^([^:/]+://[^:/@]*):[^/]*@")  # scheme://user:password@ (a password may hold @)


def _check_url(variable: str, value: str, schemes: tuple[str, ...], example: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not (parts.hostname or _socket_directory(parts)):
        raise ConfigError(variable, f"expected a URL like {example}, got {_without_password(value)!r}")
    try:
        parts.port  # noqa: B018 - raises on a non-numeric port
    except ValueError:
        raise ConfigError(variable, f"the port in {_without_password(value)!r} is not a number") from None
    return value


def _socket_directory(parts: SplitResult) -> bool:
    """A PostgreSQL URL may name no host and give the directory of the server's Unix socket
    instead, as libpq and asyncpg read it: postgresql://coord@/coord?host=/run/postgresql."""
    return parts.scheme.startswith("postgres") and any(
        directory.startswith("/") for directory in parse_qs(parts.query).get("host", []))


def _without_password(url: str) -> str:
    """The URL as an error line may echo it: start-up errors land in logs that others read."""
    return _PASSWORD.sub(r"\1:***@", url)


def _int(variable: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(variable, f"expected a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(variable, f"must be between {low} and {high}, got {number}")
    return number


def _secret_key(env: Mapping[str, str], production: bool, data_dir: Path) -> str:
    key = env.get("COORD_SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise ConfigError("COORD_SECRET_KEY", "must be at least 32 characters (try: openssl rand -hex 32)")
        return key
    if production:
        raise ConfigError("COORD_SECRET_KEY", "is required when COORD_ENV=production (try: openssl rand -hex 32)")
    # Development: generated once, kept beside the embedded data so tokens survive restarts.
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _concurrency(variable: str, value: str | None, production: bool) -> int:
    """Processes to run: every core in production (one process uses one core), one in
    development (a reload-friendly single process, and the embedded servers are small)."""
    if value is None:
        return max(1, os.cpu_count() or 1) if production else 1
    return _int(variable, value, 1, 256)


_YES, _NO = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _flag(variable: str, value: str | None, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() in _YES:
        return True
    if value.lower() in _NO:
        return False
    raise ConfigError(variable, f"expected on or off (1/0, true/false, yes/no), got {value!r}")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    get = lambda name: (env.get(name) or "").strip() or None  # noqa: E731

    mode = get("COORD_ENV") or "development"
    if mode not in ("development", "production"):
        raise ConfigError("COORD_ENV", f"must be 'development' or 'production', got {mode!r}")
    data_dir = Path(get("COORD_DATA_DIR") or ".coord")
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError("COORD_DATA_DIR", f"{data_dir} exists and is not a directory")

    database_url = get("COORD_DATABASE_URL")
    if database_url:
        _check_url("COORD_DATABASE_URL", database_url, ("postgres", "postgresql"), "postgresql://user:pass@host:5432/coord (or postgresql://user@/coord?host=/run/postgresql)")
    redis_url = get("COORD_REDIS_URL")
    if redis_url:
        _check_url("COORD_REDIS_URL", redis_url, ("redis", "rediss"), "redis://host:6379/0")
    smtp_url = get("COORD_SMTP_URL")
    if smtp_url:
        _check_url("COORD_SMTP_URL", smtp_url, ("smtp", "smtps"), "smtp://user:pass@host:587")
    mail_from = get("COORD_MAIL_FROM") or "coord@localhost"
    if not EMAIL_RE.match(mail_from):
        raise ConfigError("COORD_MAIL_FROM", f"expected an email address, got {mail_from!r}")
    if mode == "production" and (not database_url or not redis_url):
        missing = "COORD_DATABASE_URL" if not database_url else "COORD_REDIS_URL"
        raise ConfigError(missing, "is required when COORD_ENV=production (embedded servers are for development)")
    port = _int("COORD_PORT", get("COORD_PORT") or "8000", 1, 65535)
    host = get("COORD_HOST") or "127.0.0.1"
    # Links in messages and feed URLs point where coord actually listens unless told otherwise.
    base_url = (get("COORD_BASE_URL") or f"http://{host}:{port}").rstrip("/")
    _check_url("COORD_BASE_URL", base_url, ("http", "https"), "https://coord.example.org")
    level = (get("COORD_LOG_LEVEL") or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("COORD_LOG_LEVEL", f"must be DEBUG, INFO, WARNING or ERROR, got {level!r}")

    web_concurrency = _concurrency("COORD_WEB_CONCURRENCY", get("COORD_WEB_CONCURRENCY"), mode == "production")
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        smtp_url=smtp_url,
        mail_from=mail_from,
        base_url=base_url,
        secret_key=_secret_key(env, mode == "production", data_dir),
        data_dir=data_dir,
        host=host,
        port=port,
        env=mode,  # type: ignore[arg-type]
        log_level=level,
        token_ttl_minutes=_int("COORD_TOKEN_TTL_MINUTES", get("COORD_TOKEN_TTL_MINUTES") or "720", 1, 60 * 24 * 30),
        job_timeout_seconds=_int("COORD_JOB_TIMEOUT_SECONDS", get("COORD_JOB_TIMEOUT_SECONDS") or "60", 1, 3600),
        login_attempts_per_minute=_int(
            "COORD_LOGIN_ATTEMPTS_PER_MINUTE", get("COORD_LOGIN_ATTEMPTS_PER_MINUTE") or "10", 1, 100000
        ),
        web_concurrency=web_concurrency,
        # On whenever there are several processes to spread (one has the machine to itself).
        web_cpu_affinity=_flag("COORD_WEB_CPU_AFFINITY", get("COORD_WEB_CPU_AFFINITY"), web_concurrency > 1),
        web_sched_batch=_flag("COORD_WEB_SCHED_BATCH", get("COORD_WEB_SCHED_BATCH"), web_concurrency > 1),
        worker_concurrency=_concurrency(
            "COORD_WORKER_CONCURRENCY", get("COORD_WORKER_CONCURRENCY"), mode == "production"),
    )
