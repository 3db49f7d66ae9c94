"""Which jobs each domain event drives. The relay enqueues one job per entry."""

from __future__ import annotations

from coord.outbox.domain_events import DeliveryRetryRequested, MemberAdded, event_kind
from workers.booking_jobs import BOOKING_ROUTING
from workers.feed_jobs import FEED_ROUTING
from workers.group_jobs import GROUP_ROUTING
from workers.schedule_jobs import SCHEDULE_ROUTING

NOTIFY_ROUTING: dict[str, tuple[str, ...]] = {
    event_kind(MemberAdded): ("send_welcome",),
    event_kind(DeliveryRetryRequested): ("retry_delivery",),
}


def merge(*tables: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    merged: dict[str, tuple[str, ...]] = {}
    for table in tables:
        for kind, jobs in table.items():
            merged[kind] = merged.get(kind, ()) + tuple(j for j in jobs if j not in merged.get(kind, ()))
    return merged


ROUTING = merge(NOTIFY_ROUTING, BOOKING_ROUTING, GROUP_ROUTING, SCHEDULE_ROUTING, FEED_ROUTING)
