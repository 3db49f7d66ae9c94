"""Invites, waitlist notices and cancellations for shift signups and event registrations."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import msgspec

from coord.notify.bookings import event_message, shift_message
from coord.notify.delivery import DeliveryKey, deliver
from coord.notify.queries import CONFIRMED_REGISTRATIONS, CONFIRMED_SIGNUPS, EVENT_STARTS_AT, SHIFT_STARTS_AT
from coord.notify.quiet_hours import starts_soon
from coord.observability import request_id_var
from workers.schedule_jobs import deliver_each
from coord.outbox.events import (
    AnyEvent,
    EventChanged,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationWaitlisted,
    ShiftChanged,
    SignupCancelled,
    SignupConfirmed,
    SignupWaitlisted,
    event_kind,
)

log = logging.getLogger("coord.jobs")

# The message kind each change is filed (and can be turned off) under.
KIND = {"confirmed": "invite", "promoted": "promotion", "waitlisted": "waitlist", "cancelled": "cancellation"}


async def send_booking_message(
    ctx: dict[str, Any], event_id: str, payload: dict[str, Any], request_id: str | None = None
) -> str:
    """One person's place changed: invite (REQUEST), waitlist notice, or CANCEL."""
    request_id_var.set(request_id)
    event = msgspec.convert(payload, AnyEvent)
    match event:
        case SignupConfirmed(signup_id=item, shift_id=parent, user_id=user, promoted=promoted):
            change, builder = ("promoted" if promoted else "confirmed"), shift_message
        case SignupWaitlisted(signup_id=item, shift_id=parent, user_id=user):
            change, builder = "waitlisted", shift_message
        case SignupCancelled(signup_id=item, shift_id=parent, user_id=user):
            change, builder = "cancelled", shift_message
        case RegistrationConfirmed(registration_id=item, event_id=parent, user_id=user, promoted=promoted):
            change, builder = ("promoted" if promoted else "confirmed"), event_message
        case RegistrationWaitlisted(registration_id=item, event_id=parent, user_id=user):
            change, builder = "waitlisted", event_message
        case RegistrationCancelled(registration_id=item, event_id=parent, user_id=user):
            change, builder = "cancelled", event_message
        case _:
            raise TypeError(f"send_booking_message cannot handle {type(event).__name__}")
    settings = ctx["settings"]

    async def build(conn, recipient):
        return await builder(conn, settings, recipient, parent, item, change)

    # Answers to the person's own action go at once. A promotion is somebody else's doing:
    # it respects quiet hours, unless the shift or event starts within 12 hours (morning
    # could be too late).
    urgent = change != "promoted"
    if not urgent:
        starts_at = SHIFT_STARTS_AT if builder is shift_message else EVENT_STARTS_AT
        start = await ctx["pool"].fetchval(starts_at, parent)
        urgent = start is not None and starts_soon(start)
    status = await deliver(ctx["pool"], ctx["mailer"], DeliveryKey(UUID(event_id), user, KIND[change]), build, urgent=urgent)
    log.info("booking message %s", status, extra={"event_id": event_id, "job": "send_booking_message", "status": status})
    return status


async def send_booking_update(
    ctx: dict[str, Any], event_id: str, payload: dict[str, Any], request_id: str | None = None
) -> dict[str, int]:
    """A shift or event moved (time, place, title): each confirmed person gets the invite
    again with SEQUENCE raised, so their calendar updates the entry it has."""
    request_id_var.set(request_id)
    event = msgspec.convert(payload, AnyEvent)
    match event:
        case ShiftChanged(shift_id=parent, moved=moved):
            builder, places, starts_at = shift_message, CONFIRMED_SIGNUPS, SHIFT_STARTS_AT
        case EventChanged(event_id=parent, moved=moved):
            builder, places, starts_at = event_message, CONFIRMED_REGISTRATIONS, EVENT_STARTS_AT
        case _:
            raise TypeError(f"send_booking_update cannot handle {type(event).__name__}")
    if not moved:
        return {}
    settings = ctx["settings"]
    async with ctx["pool"].acquire() as conn:
        people = await conn.fetch(places, parent)
        start = await conn.fetchval(starts_at, parent)
    sends = []
    for place in people:

        async def build(conn, recipient, item=place["id"]):
            return await builder(conn, settings, recipient, parent, item, "moved")

        sends.append((DeliveryKey(UUID(event_id), place["user_id"], "invite"), build, start is not None and starts_soon(start)))
    outcome = await deliver_each(ctx, sends)
    log.info("booking update %s", outcome, extra={"event_id": event_id, "job": "send_booking_update"})
    return outcome


BOOKING_EVENTS = (
    SignupConfirmed, SignupWaitlisted, SignupCancelled,
    RegistrationConfirmed, RegistrationWaitlisted, RegistrationCancelled,
)
BOOKING_ROUTING = {event_kind(e): ("send_booking_message",) for e in BOOKING_EVENTS} | {
    event_kind(ShiftChanged): ("send_booking_update",), event_kind(EventChanged): ("send_booking_update",)
}
BOOKING_FUNCTIONS = [send_booking_message, send_booking_update]
