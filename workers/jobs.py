"""Notification jobs that answer one event each: the welcome, the notice of a membership
ended or changed, and an admin's resend.

Every job here and in the other job modules is thin: load the facts (a coord
service), plan who gets what (coord.notify.plans), send; each effect is keyed in
`deliveries`, so arq running a job twice sends nothing twice.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from coord.notify.plans import plan_membership_notice, plan_welcome
from coord.notify.service import Mail, delivery_origin
from coord.outbox.domain_events import DeliveryRetryRequested, MemberAdded, MemberLeft, MemberRolesChanged
from workers.registry import on, registry


@on(MemberAdded)
async def send_welcome(ctx: dict[str, Any], event: MemberAdded, outbox_id: UUID) -> str:
    """A member added to an organization gets a welcome email, once."""
    return await Mail.of(ctx).send_one(plan_welcome(event), outbox_id=outbox_id)


@on(MemberLeft, MemberRolesChanged)
async def send_membership_notice(ctx: dict[str, Any], event: MemberLeft | MemberRolesChanged, outbox_id: UUID) -> str:
    """Someone left or was removed from an organization, or their roles changed: one calm
    message says what changed (calendar updates for each booking and group go on their own)."""
    return await Mail.of(ctx).send_one(plan_membership_notice(event), outbox_id=outbox_id)


@on(DeliveryRetryRequested)
async def retry_delivery(ctx: dict[str, Any], event: DeliveryRetryRequested, outbox_id: UUID) -> int:
    """An admin asked to resend a failed message: re-run the jobs of the event that
    caused it. They are keyed, so only the reset (pending) delivery is sent again."""
    async with ctx["pool"].acquire() as conn:
        origin = await delivery_origin(conn, event.delivery_id)
    if origin is None:
        return 0
    for name in registry.routing.get(origin.kind, ()):
        if name != "retry_delivery":
            await registry.function(name)(ctx, str(origin.outbox_id), origin.payload, origin.request_id)
    return 1
