"""Request and response shapes of session series, sessions, RSVPs and attendance."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from coord.kernel.types import Instant, LocalTime, TimezoneName
from coord.sessions.recurrence import SeriesRule

RRule = Annotated[str, msgspec.Meta(min_length=1, max_length=500, description="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=TU")]
Reason = Annotated[str, msgspec.Meta(max_length=500)]
UserIds = Annotated[list[UUID], msgspec.Meta(max_length=50)]


class SeriesIn(msgspec.Struct, forbid_unknown_fields=True):
    start: LocalTime  # first session, wall clock in `timezone`
    timezone: TimezoneName
    duration_minutes: Annotated[int, msgspec.Meta(ge=5, le=1440)]
    rrule: RRule
    venue_id: UUID | None = None
    # Assigned to every materialized session (each must facilitate the group).
    facilitator_ids: UserIds = []


class SeriesEditIn(msgspec.Struct, forbid_unknown_fields=True):
    """Change this and all following occurrences; what is left out stays as it was."""

    start: LocalTime | None = None  # new wall-clock start of this occurrence (and the new rule)
    duration_minutes: Annotated[int, msgspec.Meta(ge=5, le=1440)] | None = None
    rrule: RRule | None = None
    venue_id: UUID | None | msgspec.UnsetType = msgspec.UNSET  # null removes the venue


class SeriesEndIn(msgspec.Struct, forbid_unknown_fields=True):
    after: Instant | None = None  # default: now; sessions starting later are cancelled


class SeriesEndOut(msgspec.Struct):
    id: UUID
    rrule: str  # now bounded by UNTIL
    sessions_cancelled: int


class SeriesOut(msgspec.Struct):
    id: UUID
    group_id: UUID
    sessions_created: int
    description: str  # the rule in words, e.g. "every Tuesday at 18:30, 12 times, America/New_York"
    materialized_until: datetime


class SeriesFacilitatorsOut(msgspec.Struct):
    """The series' own facilitators now, and what the change reached."""

    series_id: UUID
    user_ids: list[UUID]
    sessions_changed: int  # sessions not over yet that now have these facilitators
    sessions_kept: int  # sessions not over yet that keep facilitators given to them alone


class SeriesSummary(msgspec.Struct):
    """A series as its group's schedule page lists it."""

    id: UUID
    description: str  # the rule in words
    facilitator_ids: list[UUID]
    next_start: datetime | None  # its next scheduled session, if any
    rule: SeriesRule | None = None  # the rule itself, for a page that words it in its reader's language


class SessionOut(msgspec.Struct):
    id: UUID
    series_id: UUID | None
    group_id: UUID
    starts_at: datetime
    ends_at: datetime
    status: str
    sequence: int
    facilitator_ids: list[UUID]
    recurrence_id: datetime | None  # the original start; stays when the occurrence moves
    venue_id: UUID | None
    going_count: int = 0


class SessionPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Move one occurrence. Moving only the start keeps the duration."""

    starts_at: Instant | msgspec.UnsetType = msgspec.UNSET
    ends_at: Instant | msgspec.UnsetType = msgspec.UNSET
    venue_id: UUID | None | msgspec.UnsetType = msgspec.UNSET  # null removes the venue


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason | None = None


class FacilitatorsIn(msgspec.Struct, forbid_unknown_fields=True):
    user_ids: UserIds


class RsvpIn(msgspec.Struct, forbid_unknown_fields=True):
    response: Literal["going", "not_going"]


class RsvpOut(msgspec.Struct):
    session_id: UUID
    user_id: UUID
    response: str
    going_count: int
    capacity: int | None


class AttendanceRecordIn(msgspec.Struct, forbid_unknown_fields=True):
    user_id: UUID
    status: Literal["present", "absent", "excused"]


class AttendanceIn(msgspec.Struct, forbid_unknown_fields=True):
    records: Annotated[list[AttendanceRecordIn], msgspec.Meta(min_length=1, max_length=500)]


class AttendanceRecordOut(msgspec.Struct):
    user_id: UUID | None  # None once the person erased their account
    status: str
    recorded_by: UUID | None
    recorded_at: datetime


class AttendanceOut(msgspec.Struct):
    session_id: UUID
    status: str  # the session's: recording attendance completes it
    records: list[AttendanceRecordOut]


class VenueDetails(msgspec.Struct):
    id: UUID
    name: str
    kind: str
    address: str | None
    meeting_url: str | None
    accessibility: str | None


class SessionDetailOut(SessionOut, kw_only=True):
    """One session for one caller: the venue's address or link only when they are confirmed."""

    group_name: str
    capacity: int | None
    facilitators_required: int
    cancel_reason: str | None
    my_rsvp: str | None
    venue: VenueDetails | None
