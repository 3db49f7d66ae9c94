"""What counts as a passing outage of PostgreSQL or Redis (a restart, a dropped connection,
no free connection slot, a timeout): the API answers it with 503 and a job tries again
later (workers.registry), since every effect of a job is keyed and a second run is safe."""

from __future__ import annotations

import asyncpg
import redis

OUTAGES: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.PostgresConnectionError,
    # "sorry, too many clients already": the server is full for now.
    asyncpg.exceptions.TooManyConnectionsError,
    # A connection that broke mid-query then fails its ROLLBACK with this.
    asyncpg.exceptions.InternalClientError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    TimeoutError,
)


def is_outage(exc: BaseException) -> bool:
    return isinstance(exc, OUTAGES)
