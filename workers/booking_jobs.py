"""Invites, waitlist notices and cancellations for shift signups and event registrations."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import msgspec

from coord.notify.bookings import event_message, shift_message
from coord.notify.delivery import DeliveryKey, deliver
from coord.notify.queries import CONFIRMED_REGISTRATIONS, CONFIRMED_SIGNUPS, EVENT_STATE, SHIFT_STATE
from coord.notify.quiet_hours import starts_soon
from coord.kernel.observability import request_id_var
from coord.outbox.domain_events import (
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
from workers.schedule_jobs import deliver_each

log = logging.getLogger("coord.jobs")

# The message kind each change is filed (and can be turned off) under.
KIND = {
    "confirmed": "invite", "promoted": "promotion", "waitlisted": "waitlist", "cancelled": "cancellation",
    "left_waitlist": "cancellation",
}


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
        case SignupCancelled(signup_id=item, shift_id=parent, user_id=user, had_place=had_place):
            change, builder = ("cancelled" if had_place else "left_waitlist"), shift_message
        case RegistrationConfirmed(registration_id=item, event_id=parent, user_id=user, promoted=promoted):
            change, builder = ("promoted" if promoted else "confirmed"), event_message
        case RegistrationWaitlisted(registration_id=item, event_id=parent, user_id=user):
            change, builder = "waitlisted", event_message
        case RegistrationCancelled(registration_id=item, event_id=parent, user_id=user, had_place=had_place):
            change, builder = ("cancelled" if had_place else "left_waitlist"), event_message
        case _:
            raise TypeError(f"send_booking_message cannot handle {type(event).__name__}")
    settings = ctx["settings"]

    async def build(conn, recipient):
        return await builder(conn, settings, recipient, parent, item, change)

    urgent = await _urgent(ctx, change, SHIFT_STATE if builder is shift_message else EVENT_STATE, parent)
    status = await deliver(ctx["pool"], ctx["mailer"], DeliveryKey(UUID(event_id), user, KIND[change]), build, urgent=urgent)
    log.info("booking message %s", status, extra={"event_id": event_id, "job": "send_booking_message", "status": status})
    return status


async def _urgent(ctx: dict[str, Any], change: str, state_query: str, parent: UUID) -> bool:
    """Answers to the person's own action go at once. What others did (a promotion, the
    organization cancelling) respects quiet hours, unless the shift or event starts
    within 12 hours (morning could be too late)."""
    if change in ("confirmed", "waitlisted"):
        return True
    state = await ctx["pool"].fetchrow(state_query, parent)
    if state is None:
        return False
    own_cancel = change in ("cancelled", "left_waitlist") and state["status"] != "cancelled"
    return own_cancel or starts_soon(state["starts_at"])


async def send_booking_update(
    ctx: dict[str, Any], event_id: str, payload: dict[str, Any], request_id: str | None = None
) -> dict[str, int]:
    """A shift or event moved (time, place, title): each confirmed person gets the invite
    again with SEQUENCE raised, so their calendar updates the entry it has."""
    request_id_var.set(request_id)
    event = msgspec.convert(payload, AnyEvent)
    match event:
        case ShiftChanged(shift_id=parent, invite_changed=invite_changed):
            builder, places, state_query = shift_message, CONFIRMED_SIGNUPS, SHIFT_STATE
        case EventChanged(event_id=parent, invite_changed=invite_changed):
            builder, places, state_query = event_message, CONFIRMED_REGISTRATIONS, EVENT_STATE
        case _:
            raise TypeError(f"send_booking_update cannot handle {type(event).__name__}")
    if not invite_changed:
        return {}
    settings = ctx["settings"]
    async with ctx["pool"].acquire() as conn:
        people = await conn.fetch(places, parent)
        state = await conn.fetchrow(state_query, parent)
    urgent = state is not None and starts_soon(state["starts_at"])  # the organization's doing
    sends = []
    for place in people:

        async def build(conn, recipient, item=place["id"]):
            return await builder(conn, settings, recipient, parent, item, "updated")

        sends.append((DeliveryKey(UUID(event_id), place["user_id"], "invite"), build, urgent))
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
