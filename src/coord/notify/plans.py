"""Who gets which message, decided as typed values from facts already loaded.

Pure functions: no database, SMTP or Redis. A job loads the facts
(coord.notify.service), asks a plan here who gets what, and sends each `Send` it
returns (coord.notify.service.Mail), keyed in `deliveries` as
(scope or outbox event) x recipient x kind. What a message says is decided when
it goes: its builder re-reads the current state, so a `Send` carries only what
it is about (ids and the minimum), never names or addresses.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

import msgspec

from coord.notify.changes import Before, before_of
from coord.notify.preferences import MessageKind
from coord.notify.quiet_hours import starts_soon
from coord.notify.rosters import roster_due, roster_week
from coord.outbox.domain_events import (
    AnyEvent,
    FacilitatorsChanged,
    GroupMemberJoined,
    GroupMemberLeft,
    MemberAdded,
    MemberLeft,
    MemberRolesChanged,
    SeriesChanged,
    SeriesFacilitatorsChanged,
    SeriesScheduled,
    SessionCancelled,
    SessionRescheduled,
)

InviteReason = Literal["joined", "scheduled", "changed", "facilitating"]
ItemKind = Literal["session", "shift", "event"]
Attendance = Literal["present", "absent", "excused"]
FOLLOWUP_KIND: dict[str, MessageKind] = {"present": "followup_present", "absent": "followup_absent"}  # excused: nothing
# A change to a session over this long ago is news to nobody's calendar.
STALE_AFTER = timedelta(hours=1)


# --- what a message is about (its builder, coord.notify.service.compose, reads the rest) ---


class Welcome(msgspec.Struct, frozen=True):
    org_id: UUID


class SeriesInvite(msgspec.Struct, frozen=True):
    """REQUEST with the group's whole schedule; for one session moved, the message says from
    when and where (`before`) to when and where it is now; for one session given to facilitate,
    which one."""

    series_id: UUID
    reason: InviteReason
    moved: UUID | None = None  # the session moved (with `before`), or given to facilitate ("facilitating")
    before: Before | None = None


class SeriesEnded(msgspec.Struct, frozen=True):
    """CANCEL of the whole series: it ended with nothing of it left ahead."""

    series_id: UUID


class SeriesLeft(msgspec.Struct, frozen=True):
    """CANCEL of the whole series to someone no longer in the group."""

    series_id: UUID


class OccurrenceCancelled(msgspec.Struct, frozen=True):
    """CANCEL of one occurrence (its RECURRENCE-ID)."""

    session_id: UUID


class FollowUp(msgspec.Struct, frozen=True):
    session_id: UUID
    status: Attendance  # what was recorded when planned; the message goes only if it still is


class AttendanceNudge(msgspec.Struct, frozen=True):
    session_id: UUID


class Reminder(msgspec.Struct, frozen=True):
    item: ItemKind
    item_id: UUID
    sequence: int  # as planned: a moved or changed item is not reminded of under its old time
    starts_at: datetime


class WeeklyRoster(msgspec.Struct, frozen=True):
    org_id: UUID


class CoverageAlert(msgspec.Struct, frozen=True):
    session_id: UUID


class MembershipNotice(msgspec.Struct, frozen=True):
    """One calm message to a person whose membership of an organization ended or whose
    roles there changed, saying what changed (the event's counts)."""

    org_id: UUID
    left: bool  # the membership ended (else: the roles changed)
    removed: bool  # ended by staff, not by the person
    shift_places: int
    event_places: int
    groups: int
    sessions: int
    feeds: int


About = (
    Welcome | SeriesInvite | SeriesEnded | SeriesLeft | OccurrenceCancelled | FollowUp | AttendanceNudge | Reminder
    | WeeklyRoster | CoverageAlert | MembershipNotice
)
# Messages about a person's own membership: sent whatever their settings say (like the
# account messages), since they say what was given up on their behalf.
NoticeKind = Literal["membership"]


class Send(msgspec.Struct, frozen=True):
    """One message to one person."""

    user_id: UUID
    kind: MessageKind | NoticeKind  # what the recipient can turn off (a NoticeKind: not); part of the delivery key
    about: About
    urgent: bool = False  # goes even in the recipient's quiet hours
    org_id: UUID | None = None
    scope: str | None = None  # the delivery key's scope; None: the outbox event the job answers
    slot: str | None = None  # in the delivery key instead of `kind`: kinds that exclude each other share one


# --- facts the plans decide from (loaded by coord.notify.service) ---


class SeriesState(msgspec.Struct, frozen=True):
    series_id: UUID
    has_future: bool  # a session not cancelled has not ended yet
    ended: bool = False  # the series was ended
    cut_short: bool = False  # sessions not ended yet were cancelled by the change


class SessionState(msgspec.Struct, frozen=True):
    session_id: UUID
    series_id: UUID | None
    recurrence_id: datetime | None  # the occurrence's original start
    starts_at: datetime
    ends_at: datetime


class GroupScheduleFacts(msgspec.Struct, frozen=True):
    people: list[UUID] = []  # everyone confirmed for the group's schedule (members, facilitators ahead)
    series: list[SeriesState] = []  # the event's series, or the group's open series for a member
    session: SessionState | None = None  # the event's session


class AttendanceMark(msgspec.Struct, frozen=True):
    user_id: UUID
    status: Attendance


class AttendanceFacts(msgspec.Struct, frozen=True):
    session_id: UUID
    org_id: UUID | None
    marks: list[AttendanceMark]
    due: datetime | None = None  # when follow-ups may go: the session's end plus the organization's delay


class ReminderFacts(msgspec.Struct, frozen=True):
    """An item still as its reminder was planned, and who is coming."""

    item: ItemKind
    item_id: UUID
    sequence: int
    starts_at: datetime
    people: list[UUID]


class UnrecordedSession(msgspec.Struct, frozen=True):
    session_id: UUID
    recorders: list[UUID]  # its assigned facilitators, else the group's


class RosterOrg(msgspec.Struct, frozen=True):
    org_id: UUID
    timezone: str
    weekday: int  # ISO, 1 = Monday
    hour: int


class RosterReader(msgspec.Struct, frozen=True):
    org_id: UUID
    user_id: UUID
    timezone: str  # the organization's: its week numbers the roster


class RosterDue(msgspec.Struct, frozen=True):
    """One person's roster to build and send in a job of its own."""

    org_id: UUID
    user_id: UUID
    scope: str

    @property
    def job_id(self) -> str:
        return f"{self.scope}:{self.user_id}"


class CoverageGap(msgspec.Struct, frozen=True):
    session_id: UUID
    org_id: UUID
    staff: list[UUID]  # the organization's coordinators and admins


# --- plans ---


def plan_welcome(event: MemberAdded) -> Send:
    return Send(event.user_id, "welcome", Welcome(event.org_id), org_id=event.org_id)


def plan_membership_notice(event: MemberLeft | MemberRolesChanged) -> Send:
    """The person whose membership changed, once per change."""
    about = MembershipNotice(
        event.org_id, left=isinstance(event, MemberLeft), removed=isinstance(event, MemberLeft) and event.removed,
        shift_places=event.shift_places, event_places=event.event_places, groups=event.groups,
        sessions=event.sessions, feeds=event.feeds,
    )
    return Send(event.user_id, "membership", about, org_id=event.org_id)


def changes_a_calendar(event: AnyEvent) -> bool:
    """False for the two group events that reach nobody's calendar: a join request
    withdrawn before approval (they never had the schedule), and sessions made ahead
    by the rolling horizon (the invite's RRULE already holds them)."""
    match event:
        case GroupMemberLeft(was_active=False) | SeriesChanged(extended=True):
            return False
    return True


def plan_group_schedule(event: AnyEvent, facts: GroupScheduleFacts, now: datetime, outbox_id: UUID) -> list[Send]:
    """Series invites on joining and on every change, CANCEL for a cancelled occurrence
    or an ended series. Nothing about sessions already over."""
    if not changes_a_calendar(event):
        return []

    def send(user_id: UUID, about: About, urgent: bool) -> Send:
        target = about.session_id if isinstance(about, OccurrenceCancelled) else about.series_id  # type: ignore[union-attr]
        kind: MessageKind = "invite" if isinstance(about, SeriesInvite) else "cancellation"
        return Send(user_id, kind, about, urgent=urgent, scope=f"{outbox_id}:{target}")

    match event:
        case GroupMemberJoined(user_id=user_id):  # their own action: at once
            return [send(user_id, SeriesInvite(s.series_id, "joined"), True) for s in facts.series if s.has_future]
        case GroupMemberLeft(user_id=user_id):  # the schedule comes off their calendar
            return [send(user_id, SeriesLeft(s.series_id), False) for s in facts.series if s.has_future]
        case SeriesScheduled() | SeriesChanged():
            if not facts.series:
                return []
            series = facts.series[0]
            about: About
            if series.has_future:
                about = SeriesInvite(series.series_id, "scheduled" if isinstance(event, SeriesScheduled) else "changed")
            elif isinstance(event, SeriesChanged) and series.cut_short:
                # Nothing left ahead. Ended: the whole series is cancelled. Split right
                # before its next session: its rule now stops, and the invite says so.
                about = SeriesEnded(series.series_id) if series.ended else SeriesInvite(series.series_id, "changed")
            else:
                return []
            return [send(p, about, False) for p in facts.people]
        case SessionRescheduled() | SessionCancelled():
            session = facts.session
            if session is None or session.series_id is None:
                return []
            original = session.recurrence_id or session.starts_at
            # Worth a message while either its old or its new time is still ahead.
            if max(session.starts_at, original) <= now - STALE_AFTER:
                return []
            urgent = starts_soon(min(session.starts_at, original), now)
            about = (
                OccurrenceCancelled(session.session_id) if isinstance(event, SessionCancelled)
                else SeriesInvite(session.series_id, "changed", session.session_id, before_of(event))
            )
            return [send(p, about, urgent) for p in facts.people]
        case SeriesFacilitatorsChanged(added=added):
            # Once for the whole series, not once per session; nothing if it has nothing ahead.
            if not facts.series or not facts.series[0].has_future:
                return []
            return [send(user, SeriesInvite(facts.series[0].series_id, "facilitating"), False) for user in added]
        case FacilitatorsChanged(added=added):
            session = facts.session
            if session is None or session.series_id is None or session.ends_at <= now:
                return []
            urgent = starts_soon(session.starts_at, now)  # facilitating tonight: tell them now
            # The message names the session (SeriesInvite.moved) as well as sending the schedule.
            return [send(user, SeriesInvite(session.series_id, "facilitating", session.session_id), urgent)
                    for user in added]
    raise TypeError(f"no group schedule plan for {type(event).__name__}")


def followups_wait(facts: AttendanceFacts, now: datetime) -> timedelta:
    """How long the follow-ups of a session still wait: until it has ended plus the
    organization's delay (nothing once that has passed)."""
    return max((facts.due or now) - now, timedelta(0))


def followup_job_id(facts: AttendanceFacts) -> str:
    """One deferred job per session and due time: recording again before then plans nothing
    more (the job reads the attendance when it runs)."""
    return f"followups:{facts.session_id}:{int(facts.due.timestamp()) if facts.due else 0}"


def plan_followups(facts: AttendanceFacts) -> list[Send]:
    """Thanks to those present, a gentle check-in to those absent, nothing to the excused,
    from the attendance as it is when they go (see followups_wait). One message per session
    and person whatever it says (they share a slot): a correction after one went sends
    nothing, so nobody gets a thank-you after a check-in, nor the other way round."""
    return [
        Send(mark.user_id, FOLLOWUP_KIND[mark.status], FollowUp(facts.session_id, mark.status),
             org_id=facts.org_id, scope=f"followup:{facts.session_id}", slot="followup")
        for mark in facts.marks
        if mark.status in FOLLOWUP_KIND
    ]


def plan_reminder(facts: ReminderFacts, now: datetime) -> list[Send]:
    """Everyone coming; at once when the item starts soon, else after quiet hours."""
    urgent = starts_soon(facts.starts_at, now)
    about = Reminder(facts.item, facts.item_id, facts.sequence, facts.starts_at)
    scope = f"reminder:{facts.item}:{facts.item_id}:{facts.starts_at.isoformat()}"
    return [Send(user_id, "reminder", about, urgent=urgent, scope=scope) for user_id in facts.people]


def plan_attendance_nudges(sessions: list[UnrecordedSession]) -> list[Send]:
    """Whoever records attendance of a session that ended with none recorded, once."""
    return [
        Send(user_id, "attendance_reminder", AttendanceNudge(s.session_id), scope=f"session:{s.session_id}")
        for s in sessions
        for user_id in s.recorders
    ]


def rosters_due(orgs: list[RosterOrg], now: datetime, *, force: bool = False) -> list[UUID]:
    """Organizations at their roster hour (default Monday 08:00) in their own timezone."""
    return [o.org_id for o in orgs if force or roster_due(now, o.timezone, o.weekday, o.hour)]


def plan_rosters(readers: list[RosterReader], now: datetime) -> list[RosterDue]:
    """A roster each, keyed by the organization's ISO week: a second run sends nothing."""
    return [RosterDue(r.org_id, r.user_id, f"roster:{r.org_id}:{roster_week(now, r.timezone)}") for r in readers]


def roster_send(org_id: UUID, user_id: UUID, scope: str) -> Send:
    return Send(user_id, "roster", WeeklyRoster(org_id), org_id=org_id, scope=scope)


def plan_coverage_alerts(gaps: list[CoverageGap]) -> list[Send]:
    """Each coordinator and admin hears once about each session short of facilitators."""
    return [
        Send(user_id, "coverage_alert", CoverageAlert(gap.session_id), org_id=gap.org_id, scope=f"gap:{gap.session_id}")
        for gap in gaps
        for user_id in gap.staff
    ]
