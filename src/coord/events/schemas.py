from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from coord.kernel.types import Instant, LongText, ShortText, TimezoneName

# community: what fits no other kind (a wellness fair, an open day, a celebration).
EventKind = Literal["workshop", "training", "awareness", "social", "community"]
Visibility = Literal["public", "unlisted", "private"]
Language = Annotated[str, msgspec.Meta(min_length=2, max_length=35, description="ISO 639 code, e.g. es")]
Languages = Annotated[list[Language], msgspec.Meta(max_length=20, description="the languages it is held in")]
RegistrationStatus = Literal["confirmed", "waitlisted", "cancelled"]


class EventIn(msgspec.Struct, forbid_unknown_fields=True):
    title: ShortText
    kind: EventKind
    starts_at: Instant
    ends_at: Instant
    timezone: TimezoneName
    visibility: Visibility
    capacity: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | None = None  # null: unlimited
    venue_id: UUID | None = None
    description: LongText | None = None
    registration_opens_at: Instant | None = None
    registration_closes_at: Instant | None = None
    languages: Languages = []


class EventPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only what is given changes. capacity null: unlimited; venue_id null: no venue."""

    title: ShortText | None = None
    description: LongText | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    timezone: TimezoneName | None = None
    capacity: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | None | msgspec.UnsetType = msgspec.UNSET
    venue_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    languages: Languages | msgspec.UnsetType = msgspec.UNSET


class EventOut(msgspec.Struct):
    id: UUID
    org_id: UUID
    title: str
    description: str | None
    kind: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    capacity: int | None
    venue_id: UUID | None
    visibility: str
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    status: str
    sequence: int
    confirmed_count: int
    waitlist_count: int
    languages: list[str] = []


class RegistrationOut(msgspec.Struct):
    """A place at an event; `position` is the 1-based waitlist rank (null unless waitlisted)."""

    id: UUID
    event_id: UUID
    user_id: UUID
    status: RegistrationStatus
    position: int | None


class RegistrationRosterOut(msgspec.Struct):
    """A registration as coordinators see it, with the person's name."""

    id: UUID
    event_id: UUID
    user_id: UUID
    display_name: str
    status: RegistrationStatus
    position: int | None
    registered_at: datetime
