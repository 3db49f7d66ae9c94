from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from coord.kernel.types import Instant, LongText, ShortText

Capacity = Annotated[int, msgspec.Meta(ge=0, le=100_000)]
# Training codes are short identifiers ("MHFA", "QPR-2024"), compared case-insensitively.
TrainingCode = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\- ]*$")]
Hours = Annotated[float, msgspec.Meta(ge=0, le=24)]
SignupStatus = Literal["confirmed", "waitlisted", "cancelled"]


class ShiftRowIn(msgspec.Struct, forbid_unknown_fields=True):
    """A shift as one of an event's shifts created together (the event gives the organization)."""

    role: ShortText
    starts_at: Instant
    ends_at: Instant
    capacity: Capacity
    location: ShortText | None = None  # where volunteers go: "Front desk", "Room 2"
    description: LongText | None = None
    required_training: TrainingCode | None = None


class ShiftIn(ShiftRowIn, forbid_unknown_fields=True):
    """A shift of the organization, for one of its events or sessions when given."""

    event_id: UUID | None = None
    session_id: UUID | None = None


class ShiftPatch(msgspec.Struct, forbid_unknown_fields=True):
    capacity: Capacity | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    role: ShortText | None = None
    description: LongText | None = None
    location: ShortText | None | msgspec.UnsetType = msgspec.UNSET  # null: no place note


class ShiftOut(msgspec.Struct):
    id: UUID
    org_id: UUID
    role: str
    description: str | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    event_id: UUID | None
    session_id: UUID | None
    required_training: str | None
    status: str
    sequence: int
    confirmed_count: int
    waitlist_count: int
    location: str | None = None


class SignupOut(msgspec.Struct):
    """A place on a shift; `position` is the 1-based waitlist rank (null unless waitlisted)."""

    id: UUID
    shift_id: UUID
    user_id: UUID
    status: SignupStatus
    position: int | None
    late_cancel: bool = False
    checked_in_at: datetime | None = None
    hours: float | None = None


class MySignupOut(msgspec.Struct):
    id: UUID
    shift_id: UUID
    user_id: UUID
    org_id: UUID
    role: str
    starts_at: datetime
    ends_at: datetime
    shift_status: str
    status: SignupStatus
    position: int | None
    late_cancel: bool
    checked_in_at: datetime | None
    hours: float | None


class HoursIn(msgspec.Struct, forbid_unknown_fields=True):
    hours: Hours


class TrainingIn(msgspec.Struct, forbid_unknown_fields=True):
    code: TrainingCode
    completed_on: date
    expires_on: date | None = None


class TrainingOut(msgspec.Struct):
    id: UUID
    user_id: UUID
    code: str
    completed_on: date
    expires_on: date | None
    verified: bool
    verified_at: datetime | None


class EventShiftsIn(msgspec.Struct, forbid_unknown_fields=True):
    """Several shifts of one event: all are created, or none."""

    shifts: Annotated[list[ShiftRowIn], msgspec.Meta(min_length=1, max_length=50)]


class DuplicateIn(msgspec.Struct, forbid_unknown_fields=True):
    """The copy's start; without it, the same time the next day (in the shift's timezone)."""

    starts_at: Instant | None = None


class RosterSignupOut(msgspec.Struct):
    """A signup as coordinators see it: the person's name, check-in and hours."""

    id: UUID
    shift_id: UUID
    user_id: UUID
    display_name: str
    status: SignupStatus
    position: int | None
    late_cancel: bool
    checked_in_at: datetime | None
    hours: float | None
    signed_up_at: datetime
