"""Domain events: tagged msgspec Structs carrying ids only.

Past-tense names. A payload holds ids and the minimum needed to act (never a
name, email, note or attendance status): the outbox, job arguments and logs must
hold no personal data. Decode with `decode_event`, then `match` on the type.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Union
from uuid import UUID

import msgspec

# What a booking is for (see coord.bookings.engine.KINDS).
BookableKind = Literal["shift", "event"]


class Event(msgspec.Struct, tag_field="kind", frozen=True, forbid_unknown_fields=True):
    """Base of every domain event; `kind` is the tag stored in outbox.kind."""


# The ids an event is about, declared once for the events about the same thing. These
# bases are not events (no tag of theirs is ever stored): each subclass adds its tag, then
# any field of its own after the base's. The config (tag field, frozen, unknown fields
# refused) is inherited.
class _OfMembership(Event):
    group_id: UUID
    user_id: UUID


class _OfSeries(Event):
    series_id: UUID
    group_id: UUID


class _OfSession(Event):
    session_id: UUID


class _OfCommunityEvent(Event):
    event_id: UUID


class _OfShift(Event):
    shift_id: UUID


class _OfBooking(Event):
    booking_id: UUID  # the signup or registration
    bookable: BookableKind
    bookable_id: UUID  # the shift or event
    user_id: UUID


class _OfSignup(Event):
    signup_id: UUID
    shift_id: UUID


class _OfTraining(Event):
    training_id: UUID
    user_id: UUID


# Organizations
class MemberAdded(Event, tag="org.member_added"):
    org_id: UUID
    user_id: UUID


class _OfMembershipChange(Event):
    """What a person gave up in an organization when their membership changed, as counts
    (each thing has its own event too: booking.cancelled, group.member_left, ...)."""

    org_id: UUID
    user_id: UUID
    shift_places: int = 0  # places and waitlist spots on shifts ahead
    event_places: int = 0  # the same at events
    groups: int = 0  # group memberships (and requests to join) ended
    sessions: int = 0  # sessions ahead they no longer facilitate
    feeds: int = 0  # the organization's calendar feeds of theirs, stopped


class MemberLeft(_OfMembershipChange, tag="org.member_left"):
    """A membership ended: the person left, or staff removed them (`removed`)."""

    removed: bool = False


class MemberRolesChanged(_OfMembershipChange, tag="org.member_roles_changed"):
    """Staff changed a member's roles; what only the roles taken away allowed was given up."""


class OrgChanged(Event, tag="org.changed"):
    """An admin changed what the organization's feeds show: its name, its timezone or the
    language it speaks to people who chose none."""

    org_id: UUID


# Groups and sessions
class GroupCreated(Event, tag="group.created"):
    group_id: UUID


class GroupChanged(Event, tag="group.changed"):
    """Staff changed a group (its name, visibility, join policy, ...) or reopened it."""

    group_id: UUID


class GroupArchived(Event, tag="group.archived"):
    """Staff archived a group: its members are told (its sessions ahead were cancelled,
    each with its own event)."""

    group_id: UUID


class GroupMemberJoined(_OfMembership, tag="group.member_joined"):
    """Active membership began (open join, approval, or added by staff)."""


class GroupMemberRequested(_OfMembership, tag="group.member_requested"):
    """Someone asked to join a group that needs approval."""


class GroupMemberDeclined(_OfMembership, tag="group.member_declined"):
    """A request to join was declined: the person is told, kindly."""


class GroupMemberLeft(_OfMembership, tag="group.member_left"):
    was_active: bool = False  # had the group's schedule (not a pending request): it comes off their calendar


class SeriesScheduled(_OfSeries, tag="series.scheduled"):
    """A series was created: a new schedule, or the new half of a split."""


class SeriesChanged(_OfSeries, tag="series.changed"):
    """Split ("this and following"), ended, extended over the horizon, or its venue edited."""

    # More sessions of the same rule made ahead of time: calendars already show them (the
    # invite holds the RRULE), so nobody is emailed; feeds and pages still see them.
    extended: bool = False


class SeriesFacilitatorsChanged(_OfSeries, tag="series.facilitators_changed"):
    """The series' own facilitators changed, and with them every session of it not over
    yet that was not given facilitators of its own (one event for them all)."""

    added: list[UUID]
    removed: list[UUID]


class SessionRescheduled(_OfSession, tag="session.rescheduled"):
    """One occurrence moved to a new time or venue; `was_*`: when and where it was before,
    so the message can say from what to what (times and a venue id, no personal data;
    None in events stored before they were carried)."""

    group_id: UUID
    was_starts_at: datetime | None = None
    was_ends_at: datetime | None = None
    was_venue_id: UUID | None = None


class SessionCancelled(_OfSession, tag="session.cancelled"):
    """One occurrence was cancelled."""

    group_id: UUID


class FacilitatorsChanged(_OfSession, tag="session.facilitators_changed"):
    added: list[UUID]
    removed: list[UUID]


class RsvpRecorded(_OfSession, tag="session.rsvp_recorded"):
    user_id: UUID


class AttendanceRecorded(_OfSession, tag="session.attendance_recorded"):
    """Carries no statuses: attendance is health data; handlers re-read it."""


# Community events
class EventScheduled(_OfCommunityEvent, tag="event.scheduled"):
    """A community event was created."""


class EventChanged(_OfCommunityEvent, tag="event.changed"):
    invite_changed: bool = False  # its time, place or title changed: confirmed people get the invite again
    # When and where it was before a change of time or venue (as SessionRescheduled's).
    was_starts_at: datetime | None = None
    was_ends_at: datetime | None = None
    was_venue_id: UUID | None = None


class EventCancelled(_OfCommunityEvent, tag="event.cancelled"):
    """A community event was cancelled, with every registration."""


# Bookings: a place on a shift or at a community event, one pair of events for every kind
class BookingPlaced(_OfBooking, tag="booking.placed"):
    """Someone holds a booking now: a place (confirmed; `promoted` when it came from the
    waitlist) or a spot at the back of the waitlist."""

    status: Literal["confirmed", "waitlisted"]
    promoted: bool = False


class BookingCancelled(_OfBooking, tag="booking.cancelled"):
    """A booking ended: given up by the person, or cancelled with its shift or event."""

    had_place: bool = True  # False: they were on the waitlist (no invite to cancel)


# Volunteer shifts
class ShiftCreated(_OfShift, tag="shift.created"):
    """A volunteer shift was created."""


class ShiftChanged(_OfShift, tag="shift.changed"):
    invite_changed: bool = False  # its time changed: confirmed people get the invite again
    # When it was before a change of time (as SessionRescheduled's).
    was_starts_at: datetime | None = None
    was_ends_at: datetime | None = None


class ShiftCancelled(_OfShift, tag="shift.cancelled"):
    """A shift was cancelled, with all its signups."""


class SignupCheckedIn(_OfSignup, tag="signup.checked_in"):
    """A volunteer checked in to the shift."""


class SignupHoursRecorded(_OfSignup, tag="signup.hours_recorded"):
    """The hours a volunteer served were recorded."""


class TrainingRecorded(_OfTraining, tag="training.recorded"):
    """Someone recorded a training they completed (self-reported)."""


class TrainingVerified(_OfTraining, tag="training.verified"):
    """A coordinator or admin verified someone's training."""


# Accounts: a link to mail is named by its row (coord.auth.tokens); the token itself is
# never in an event, a job's arguments or a log.
class EmailConfirmationRequested(Event, tag="account.email_confirmation_requested"):
    """Someone registered, or asked for a new confirmation link."""

    token_id: UUID
    user_id: UUID


class PasswordResetRequested(Event, tag="account.password_reset_requested"):
    token_id: UUID
    user_id: UUID


class EmailChangeRequested(Event, tag="account.email_change_requested"):
    """The new address gets the link, the current one a notice."""

    token_id: UUID
    user_id: UUID


class PasswordChanged(Event, tag="account.password_changed"):
    """Changed by its owner or through a reset link: the owner is told."""

    user_id: UUID


class LanguageChanged(Event, tag="account.language_changed"):
    """A person saved another language (or none): their feeds' own words change with it."""

    user_id: UUID


# Invitations: the link is derived from the invitation's row (coord.orgs.invitations).
class InvitationSent(Event, tag="org.invitation_sent"):
    """An address was invited to an organization, or its invitation was sent again."""

    invitation_id: UUID
    org_id: UUID


# Referrals (coord.referrals): ids only; the note, the service and the status stay in the row.
class ReferralMade(Event, tag="referral.made"):
    """Someone was referred: they are told (in their language, discreetly if they asked), and
    a check-in is planned for some days later."""

    referral_id: UUID
    person_id: UUID


class ReferralChanged(Event, tag="referral.changed"):
    """A referral's status changed (its history says from what, to what, by whom). When the
    person answered (`by_person`), whoever referred them hears `status`."""

    referral_id: UUID
    status: str | None = None  # what it became (None: recorded before this field)
    by_person: bool = False


class DeliveryRetryRequested(Event, tag="delivery.retry_requested"):
    delivery_id: UUID


# The directory: an uploaded file waits, stored with its import, for a worker to apply it.
class DirectoryImportQueued(Event, tag="directory.import_queued"):
    import_id: UUID
    org_id: UUID


AnyEvent = Union[
    MemberAdded,
    MemberLeft,
    MemberRolesChanged,
    OrgChanged,
    GroupCreated,
    GroupChanged,
    GroupArchived,
    GroupMemberJoined,
    GroupMemberRequested,
    GroupMemberDeclined,
    GroupMemberLeft,
    SeriesScheduled,
    SeriesChanged,
    SeriesFacilitatorsChanged,
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
    EmailConfirmationRequested,
    PasswordResetRequested,
    EmailChangeRequested,
    PasswordChanged,
    LanguageChanged,
    InvitationSent,
    ReferralMade,
    ReferralChanged,
    DeliveryRetryRequested,
    DirectoryImportQueued,
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
