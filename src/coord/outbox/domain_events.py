"""Domain events: tagged msgspec Structs carrying ids only.

Past-tense names. A payload holds ids and the minimum needed to act (never a
name, email, note or attendance status): the outbox, job arguments and logs must
hold no personal data. Decode with `decode_event`, then `match` on the type.
"""

from __future__ import annotations

from typing import Literal, Union
from uuid import UUID

import msgspec

# What a booking is for (see coord.bookings.engine.KINDS).
BookableKind = Literal["shift", "event"]


class Event(msgspec.Struct, tag_field="kind", frozen=True, forbid_unknown_fields=True):
    """Base of every domain event; `kind` is the tag stored in outbox.kind."""


# Organizations
class MemberAdded(Event, tag="org.member_added"):
    org_id: UUID
    user_id: UUID


# Groups and sessions
class GroupCreated(Event, tag="group.created"):
    group_id: UUID


class GroupMemberJoined(Event, tag="group.member_joined"):
    """Active membership began (open join, approval, or added by staff)."""

    group_id: UUID
    user_id: UUID


class GroupMemberRequested(Event, tag="group.member_requested"):
    """Someone asked to join a group that needs approval."""

    group_id: UUID
    user_id: UUID


class GroupMemberLeft(Event, tag="group.member_left"):
    group_id: UUID
    user_id: UUID
    was_active: bool = False  # had the group's schedule (not a pending request): it comes off their calendar


class SeriesScheduled(Event, tag="series.scheduled"):
    series_id: UUID
    group_id: UUID


class SeriesChanged(Event, tag="series.changed"):
    """Split ("this and following"), ended, extended over the horizon, or its venue edited."""

    series_id: UUID
    group_id: UUID
    # More sessions of the same rule made ahead of time: calendars already show them (the
    # invite holds the RRULE), so nobody is emailed; feeds and pages still see them.
    extended: bool = False


class SessionRescheduled(Event, tag="session.rescheduled"):
    session_id: UUID
    group_id: UUID


class SessionCancelled(Event, tag="session.cancelled"):
    session_id: UUID
    group_id: UUID


class FacilitatorsChanged(Event, tag="session.facilitators_changed"):
    session_id: UUID
    added: list[UUID]
    removed: list[UUID]


class RsvpRecorded(Event, tag="session.rsvp_recorded"):
    session_id: UUID
    user_id: UUID


class AttendanceRecorded(Event, tag="session.attendance_recorded"):
    """Carries no statuses: attendance is health data; handlers re-read it."""

    session_id: UUID


# Community events
class EventScheduled(Event, tag="event.scheduled"):
    event_id: UUID


class EventChanged(Event, tag="event.changed"):
    event_id: UUID
    invite_changed: bool = False  # its time, place or title changed: confirmed people get the invite again


class EventCancelled(Event, tag="event.cancelled"):
    event_id: UUID


# Bookings: a place on a shift or at a community event, one pair of events for every kind
class BookingPlaced(Event, tag="booking.placed"):
    """Someone holds a booking now: a place (confirmed; `promoted` when it came from the
    waitlist) or a spot at the back of the waitlist."""

    booking_id: UUID  # the signup or registration
    bookable: BookableKind
    bookable_id: UUID  # the shift or event
    user_id: UUID
    status: Literal["confirmed", "waitlisted"]
    promoted: bool = False


class BookingCancelled(Event, tag="booking.cancelled"):
    """A booking ended: given up by the person, or cancelled with its shift or event."""

    booking_id: UUID
    bookable: BookableKind
    bookable_id: UUID
    user_id: UUID
    had_place: bool = True  # False: they were on the waitlist (no invite to cancel)


# Volunteer shifts
class ShiftCreated(Event, tag="shift.created"):
    shift_id: UUID


class ShiftChanged(Event, tag="shift.changed"):
    shift_id: UUID
    invite_changed: bool = False  # its time changed: confirmed people get the invite again


class ShiftCancelled(Event, tag="shift.cancelled"):
    shift_id: UUID


class SignupCheckedIn(Event, tag="signup.checked_in"):
    signup_id: UUID
    shift_id: UUID


class SignupHoursRecorded(Event, tag="signup.hours_recorded"):
    signup_id: UUID
    shift_id: UUID


class TrainingRecorded(Event, tag="training.recorded"):
    training_id: UUID
    user_id: UUID


class TrainingVerified(Event, tag="training.verified"):
    training_id: UUID
    user_id: UUID


class DeliveryRetryRequested(Event, tag="delivery.retry_requested"):
    delivery_id: UUID


AnyEvent = Union[
    MemberAdded,
    GroupCreated,
    GroupMemberJoined,
    GroupMemberRequested,
    GroupMemberLeft,
    SeriesScheduled,
    SeriesChanged,
    SessionRescheduled,
    SessionCancelled,
    FacilitatorsChanged,
    RsvpRecorded,
    AttendanceRecorded,
    EventScheduled,
    EventChanged,
    EventCancelled,
    ShiftCreated,
    ShiftChanged,
    ShiftCancelled,
    BookingPlaced,
    BookingCancelled,
    SignupCheckedIn,
    SignupHoursRecorded,
    TrainingRecorded,
    TrainingVerified,
    DeliveryRetryRequested,
]
EVENT_TYPES: tuple[type[Event], ...] = AnyEvent.__args__  # type: ignore[attr-defined]

_decoder = msgspec.json.Decoder(AnyEvent)
_encoder = msgspec.json.Encoder()


def event_kind(event: Event | type[Event]) -> str:
    cls = event if isinstance(event, type) else type(event)
    return cls.__struct_config__.tag  # type: ignore[return-value]


def encode_event(event: Event) -> bytes:
    return _encoder.encode(event)


def decode_event(raw: bytes | str) -> Event:
    return _decoder.decode(raw)
