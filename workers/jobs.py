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
from coord.observability import request_id_var
from coord.outbox.events import AnyEvent, MemberAdded

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
