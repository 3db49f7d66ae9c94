"""Prometheus metrics: Litestar's request rates and latencies by route, plus what
an operator of coord needs to see, read from the database at scrape time (so any
API process answers for the whole system): outbox lag, deliveries by kind and
outcome, failed deliveries."""

from __future__ import annotations

from litestar import Response, get
from litestar.datastructures import State
from litestar.plugins.prometheus import PrometheusController
from asyncpg import Record
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from coord.kernel.request_metrics import series

# The database's now(), not coord.kernel.clock: created_at is stamped by the database, so the lag
# is measured on one clock (see coord.kernel.clock for the rule).
OUTBOX_QUERY = """
SELECT count(*) AS waiting, coalesce(extract(epoch FROM now() - min(created_at)), 0) AS lag
FROM outbox WHERE published_at IS NULL
"""
DELIVERY_QUERY = "SELECT kind, status, count(*) AS n FROM deliveries GROUP BY kind, status"


class MetricsController(PrometheusController):
    path = "/metrics"

    @get(operation_id="metrics", exclude_from_auth=True, tags=["operations"])
    async def get(self, state: State) -> Response:  # type: ignore[override]
        """Prometheus metrics (text format)."""
        async with state.pool.acquire() as conn:
            outbox = await conn.fetchrow(OUTBOX_QUERY)
            rows = await conn.fetch(DELIVERY_QUERY)
        series().flush()  # this process's requests of the last moment (request_metrics.FLUSH_EVERY_S)
        requests = await super().get.fn(self)  # this process's, or every process's in multiprocess mode
        return Response(requests.content + generate_latest(_from_database(outbox, rows)),
                        headers={"Content-Type": CONTENT_TYPE_LATEST})


def _from_database(outbox: Record, rows: list[Record]) -> CollectorRegistry:
    """The system's figures, in a registry of this scrape only: with several API processes a
    shared gauge would show a stale reading of whichever process set it last."""
    registry = CollectorRegistry()
    Gauge("coord_outbox_unpublished", "Outbox events not yet relayed to jobs", registry=registry).set(outbox["waiting"])
    Gauge("coord_outbox_lag_seconds", "Age of the oldest unpublished outbox event (0 when none)",
          registry=registry).set(float(outbox["lag"]))
    deliveries = Gauge("coord_deliveries", "Messages by kind and outcome", ["kind", "status"], registry=registry)
    for row in rows:
        deliveries.labels(row["kind"], row["status"]).set(row["n"])
    Gauge("coord_deliveries_failed", "Messages that failed for good, awaiting an admin",
          registry=registry).set(sum(r["n"] for r in rows if r["status"] == "failed"))
    return registry
