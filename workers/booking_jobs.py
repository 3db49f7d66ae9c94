"""Invites, waitlist notices and cancellations for bookings (shift signups and event
registrations alike): decode, load the facts, plan (coord.notify.bookings), deliver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID


from coord.notify.bookings import (
    PlannedMessage,
    booking_message,
    load_facts,
    load_places,
    needs_facts,
    plan_booking_messages,
    plan_update_messages,
)
from coord.notify.changes import before_of
from coord.notify.delivery import DeliveryKey, deliver, deliver_each
from coord.outbox.domain_events import (
    BookingCancelled,
    BookingPlaced,
    EventChanged,
    ShiftChanged,
)

from workers.registry import on


def _send(ctx: dict[str, Any], outbox_id: UUID, planned: PlannedMessage) -> tuple[DeliveryKey, Callable, bool]:
    """The keyed delivery of one planned message: (key, builder, urgent)."""
    settings = ctx["settings"]

    async def build(conn, recipient):
        return await booking_message(conn, settings, recipient, planned)

    return DeliveryKey(outbox_id, planned.recipient, planned.kind), build, planned.urgent


@on(BookingPlaced, BookingCancelled)
async def send_booking_message(ctx: dict[str, Any], event: BookingPlaced | BookingCancelled, outbox_id: UUID) -> str:
    """One person's booking changed: invite (REQUEST), waitlist notice, or CANCEL."""
    facts = None
    if needs_facts(event):  # an answer to the person's own signup goes at once: no read
        async with ctx["pool"].acquire() as conn:
            facts = await load_facts(conn, event.bookable, event.bookable_id)
    [planned] = plan_booking_messages(event, facts)
    key, build, urgent = _send(ctx, outbox_id, planned)
    return await deliver(ctx["pool"], ctx["mailer"], key, build, urgent=urgent)


@on(ShiftChanged, EventChanged)
async def send_booking_update(ctx: dict[str, Any], event: ShiftChanged | EventChanged, outbox_id: UUID) -> dict[str, int]:
    """A shift or event moved (time, place, title): everyone confirmed gets the invite again."""
    match event:
        case ShiftChanged(shift_id=bookable_id, invite_changed=invite_changed):
            bookable = "shift"
        case EventChanged(event_id=bookable_id, invite_changed=invite_changed):
            bookable = "event"
        case other:
            raise TypeError(f"send_booking_update cannot handle {type(other).__name__}")
    if not invite_changed:  # nobody to tell: skip the reads
        return {}
    async with ctx["pool"].acquire() as conn:
        facts = await load_facts(conn, bookable, bookable_id)
        places = await load_places(conn, bookable, bookable_id)
    plan = plan_update_messages(bookable, bookable_id, invite_changed, facts, places, before=before_of(event))
    return await deliver_each(ctx["pool"], ctx["mailer"], [_send(ctx, outbox_id, planned) for planned in plan])
