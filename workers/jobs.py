"""Job functions: thin, idempotent, calling into coord services.

Each job gets (event_id, payload, request_id) from the relay. The request id is
put back in the log context so an operator can follow the change end to end.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import msgspec

from coord.notify import messages
from coord.notify.delivery import DeliveryKey, deliver
from coord.kernel.observability import request_id_var
from coord.outbox.domain_events import AnyEvent, DeliveryRetryRequested, MemberAdded

log = logging.getLogger("coord.jobs")


def _event(payload: dict[str, Any]) -> AnyEvent:
    return msgspec.convert(payload, AnyEvent)


async def send_welcome(ctx: dict[str, Any], event_id: str, payload: dict[str, Any], request_id: str | None = None) -> str:
    """A member added to an organization gets a welcome email, once."""
    request_id_var.set(request_id)
    event = _event(payload)
    match event:
        case MemberAdded(org_id=org_id, user_id=user_id):
            pass
        case _:  # pragma: no cover - routing sends only MemberAdded here
            raise TypeError(f"send_welcome cannot handle {type(event).__name__}")
    settings = ctx["settings"]

    async def build(conn, recipient):
        return await messages.welcome(conn, settings, org_id, recipient)

    status = await deliver(
        ctx["pool"], ctx["mailer"], DeliveryKey(UUID(event_id), user_id, "welcome", org_id), build
    )
    log.info("welcome %s", status, extra={"event_id": event_id, "job": "send_welcome", "status": status})
    return status


async def retry_delivery(ctx: dict[str, Any], event_id: str, payload: dict[str, Any], request_id: str | None = None) -> int:
    """An admin asked to resend a failed message: re-run the jobs of the event that
    caused it. They are keyed, so only the reset (pending) delivery is sent again."""
    from workers.routing import ROUTING
    from workers.settings import FUNCTIONS

    request_id_var.set(request_id)
    match _event(payload):
        case DeliveryRetryRequested(delivery_id=delivery_id):
            pass
        case other:
            raise TypeError(f"retry_delivery cannot handle {type(other).__name__}")
    async with ctx["pool"].acquire() as conn:
        origin = await conn.fetchrow(
            "SELECT o.event_id, o.kind, o.payload, o.request_id FROM deliveries d"
            " JOIN outbox o ON o.event_id = d.event_id WHERE d.id = $1",
            delivery_id,
        )
    if origin is None:
        return 0
    by_name = {f.__name__: f for f in FUNCTIONS}
    for job_name in ROUTING.get(origin["kind"], ()):
        if job_name in by_name and job_name != "retry_delivery":
            await by_name[job_name](ctx, str(origin["event_id"]), origin["payload"], origin["request_id"])
    return 1
