"""How every coord process connects to Redis (API, worker, relay, CLI, tests): one place.

arq's default connect timeout is one second, counted on the event loop's clock. A worker
running 32 jobs on a busy machine can keep its loop from running for longer than that; then
a connection Redis had already accepted is abandoned as timed out, and arq's job start
raises out of the worker (CI saw it, on a two-core box). Five seconds is still short next
to a real outage: a stopped Redis refuses the connection at once."""

from __future__ import annotations

import dataclasses

from arq.connections import RedisSettings

CONNECT_TIMEOUT_S = 5


def connection_settings(url: str) -> RedisSettings:
    return dataclasses.replace(RedisSettings.from_dsn(url), conn_timeout=CONNECT_TIMEOUT_S)
