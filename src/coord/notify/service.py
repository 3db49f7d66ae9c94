"""What the notification jobs call: load the facts a plan decides from
(coord.notify.plans), and send the planned messages, each keyed in `deliveries`.

A job is then three lines: load, plan, send. The SQL is in coord.notify.queries
(and the roster statements in coord.notify.rosters).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from typing import Any
from uuid import UUID

import asyncpg

from coord.kernel.config import Settings
from coord.notify import queries
from coord.notify.delivery import Builder, DeliveryKey, deliver, deliver_each
from coord.notify.followups import attendance_reminder, followup
from coord.notify.mailer import Mailer
from coord.notify.messages import membership_notice, org_sender, welcome
from coord.notify.plans import (
    About,
    AttendanceFacts,
    AttendanceMark,
    AttendanceNudge,
    CoverageAlert,
    CoverageGap,
    FollowUp,
    GroupScheduleFacts,
    MembershipNotice,
    OccurrenceCancelled,
    Reminder,
    ReminderFacts,
    RosterOrg,
    RosterReader,
    Send,
    SeriesEnded,
    SeriesInvite,
    SeriesLeft,
    SeriesState,
    SessionState,
    UnrecordedSession,
    WeeklyRoster,
    Welcome,
)
from coord.notify.preferences import get_preferences
from coord.notify.reminders import current_item, recipients, reminder_message
from coord.notify.rosters import (
    GAP_ALERT_AHEAD,
    GAPS_SOON,
    ORG_STAFF,
    ROSTER_PEOPLE,
    ROSTER_PERSON,
    SESSION_FOR_GAP,
    build_roster,
    gap_alert_message,
    roster_message,
)
from coord.notify.schedules import occurrence_cancel, series_cancel, series_invite, series_left
from coord.outbox.domain_events import (
    AnyEvent,
    FacilitatorsChanged,
    GroupMemberJoined,
    GroupMemberLeft,
    SeriesChanged,
    SeriesFacilitatorsChanged,
    SeriesScheduled,
    SessionCancelled,
    SessionRescheduled,
)

# --- facts ---------------------------------------------------------------------


async def group_schedule_facts(conn: asyncpg.Connection, event: AnyEvent, now: datetime) -> GroupScheduleFacts:
    """What `plan_group_schedule` needs for a group event, as the database holds it now."""
    match event:
        case GroupMemberJoined(group_id=group_id) | GroupMemberLeft(group_id=group_id):
            return GroupScheduleFacts(series=_series(await conn.fetch(queries.OPEN_SERIES_STATE, group_id, now)))
        case SeriesScheduled(series_id=series_id, group_id=group_id) | SeriesChanged(
            series_id=series_id, group_id=group_id
        ):
            return GroupScheduleFacts(
                people=await _group_people(conn, group_id, now),
                series=_series(await conn.fetch(queries.SERIES_STATE, series_id, now)),
            )
        case SessionRescheduled(session_id=session_id, group_id=group_id) | SessionCancelled(
            session_id=session_id, group_id=group_id
        ):
            return GroupScheduleFacts(
                people=await _group_people(conn, group_id, now), session=await _session(conn, session_id)
            )
        case FacilitatorsChanged(session_id=session_id):
            return GroupScheduleFacts(session=await _session(conn, session_id))
        case SeriesFacilitatorsChanged(series_id=series_id):
            return GroupScheduleFacts(series=_series(await conn.fetch(queries.SERIES_STATE, series_id, now)))
    raise TypeError(f"no group schedule facts for {type(event).__name__}")


def _series(rows: list[asyncpg.Record]) -> list[SeriesState]:
    return [SeriesState(r["id"], r["has_future"], r["ended"], r["cut_short"]) for r in rows]


async def _group_people(conn: asyncpg.Connection, group_id: UUID, now: datetime) -> list[UUID]:
    return [r["user_id"] for r in await conn.fetch(queries.GROUP_PEOPLE, group_id, now)]


async def _session(conn: asyncpg.Connection, session_id: UUID) -> SessionState | None:
    row = await conn.fetchrow(queries.SESSION_SERIES, session_id)
    if row is None:
        return None
    return SessionState(session_id, row["series_id"], row["recurrence_id"], row["starts_at"], row["ends_at"])


async def attendance_facts(conn: asyncpg.Connection, session_id: UUID) -> AttendanceFacts | None:
    """The attendance of a session as it is now, and when its follow-ups may go; None when
    the session is gone."""
    session = await conn.fetchrow(queries.FOLLOWUP_TIMING, session_id)
    if session is None:
        return None
    marks = [AttendanceMark(r["user_id"], r["status"]) for r in await conn.fetch(queries.ATTENDANCE_OF, session_id)]
    return AttendanceFacts(session_id, session["org_id"], marks, session["due"])


async def reminder_facts(
    conn: asyncpg.Connection, kind: str, item_id: UUID, sequence: int, starts_at: datetime
) -> ReminderFacts | None:
    """None when the item moved, was cancelled or started since the reminder was planned."""
    if await current_item(conn, kind, item_id, sequence, starts_at) is None:
        return None
    return ReminderFacts(kind, item_id, sequence, starts_at, await recipients(conn, kind, item_id))  # type: ignore[arg-type]


async def unrecorded_sessions(conn: asyncpg.Connection, now: datetime) -> list[UnrecordedSession]:
    """Sessions that ended two hours ago or more with nobody recorded, and who records them."""
    sessions = [r["id"] for r in await conn.fetch(queries.UNRECORDED_SESSIONS, now)]
    return [
        UnrecordedSession(s, [r["user_id"] for r in await conn.fetch(queries.SESSION_RECORDERS, s)]) for s in sessions
    ]


async def roster_orgs(conn: asyncpg.Connection) -> list[RosterOrg]:
    rows = await conn.fetch(queries.ROSTER_ORGS)
    return [RosterOrg(r["id"], r["timezone"], r["roster_weekday"], r["roster_hour"]) for r in rows]


async def roster_readers(conn: asyncpg.Connection, org_ids: Sequence[UUID]) -> list[RosterReader]:
    """The facilitators, coordinators and admins of these organizations."""
    return [
        RosterReader(r["org_id"], r["user_id"], r["timezone"])
        for org_id in org_ids
        for r in await conn.fetch(ROSTER_PEOPLE, org_id)
    ]


async def coverage_gaps(conn: asyncpg.Connection, now: datetime) -> list[CoverageGap]:
    """Sessions starting within 72 hours still short of facilitators, and who should know."""
    staff: dict[UUID, list[UUID]] = {}
    gaps = []
    for gap in await conn.fetch(GAPS_SOON, now, GAP_ALERT_AHEAD):
        if gap["org_id"] not in staff:
            staff[gap["org_id"]] = [r["user_id"] for r in await conn.fetch(ORG_STAFF, gap["org_id"])]
        gaps.append(CoverageGap(gap["id"], gap["org_id"], staff[gap["org_id"]]))
    return gaps


@dataclass(frozen=True)
class DeliveryOrigin:
    """The outbox event a delivery answered, as the relay enqueued it."""

    outbox_id: UUID
    kind: str
    payload: Any
    request_id: str | None


async def delivery_origin(conn: asyncpg.Connection, delivery_id: UUID) -> DeliveryOrigin | None:
    row = await conn.fetchrow(queries.DELIVERY_ORIGIN, delivery_id)
    if row is None:
        return None
    return DeliveryOrigin(row["event_id"], row["kind"], row["payload"], row["request_id"])


# --- sending -------------------------------------------------------------------


async def compose(conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, about: About) -> Message | None:
    """The message for a planned send, from the state now; None when it no longer applies."""
    match about:
        case Welcome(org_id=org_id):
            return await welcome(conn, settings, org_id, recipient)
        case MembershipNotice():
            return await membership_notice(conn, settings, recipient, about)
        case SeriesInvite(series_id=series_id, reason=reason, moved=moved, before=before):
            return await series_invite(conn, settings, recipient, series_id, reason, moved, before)
        case SeriesEnded(series_id=series_id):
            return await series_cancel(conn, settings, recipient, series_id)
        case SeriesLeft(series_id=series_id):
            return await series_left(conn, settings, recipient, series_id)
        case OccurrenceCancelled(session_id=session_id):
            return await occurrence_cancel(conn, settings, recipient, session_id)
        case FollowUp(session_id=session_id, status=status):
            return await followup(conn, settings, recipient, session_id, status)
        case AttendanceNudge(session_id=session_id):
            return await attendance_reminder(conn, settings, recipient, session_id)
        case Reminder(item=kind, item_id=item_id, sequence=sequence, starts_at=starts_at):
            item = await current_item(conn, kind, item_id, sequence, starts_at)
            return await reminder_message(conn, settings, recipient, kind, item) if item else None
        case WeeklyRoster(org_id=org_id):
            person = await conn.fetchrow(ROSTER_PERSON, org_id, recipient["id"])
            if person is None:
                return None  # no longer a facilitator or coordinator there
            roster = await build_roster(conn, org_id, recipient["id"], staff=person["staff"])
            discreet = (await get_preferences(conn, recipient["id"])).discreet
            return roster_message(settings, recipient, person["org_name"], roster, discreet, org_sender(person))
        case CoverageAlert(session_id=session_id):
            session = await conn.fetchrow(SESSION_FOR_GAP, session_id)
            if session is None:
                return None  # deleted since
            discreet = (await get_preferences(conn, recipient["id"])).discreet
            return gap_alert_message(settings, recipient, session, discreet)
    raise TypeError(f"nothing composes {type(about).__name__}")


@dataclass(frozen=True)
class Mail:
    """Sends planned messages: each keyed in `deliveries`, built when it goes."""

    pool: asyncpg.Pool
    mailer: Mailer
    settings: Settings

    @classmethod
    def of(cls, ctx: Mapping[str, Any]) -> Mail:
        """From a worker's context (its startup puts these three there)."""
        return cls(ctx["pool"], ctx["mailer"], ctx["settings"])

    def _keyed(self, send: Send, outbox_id: UUID | None) -> tuple[DeliveryKey, Builder, bool]:
        async def build(conn: asyncpg.Connection, recipient: asyncpg.Record) -> Message | None:
            return await compose(conn, self.settings, recipient, send.about)

        key = DeliveryKey(outbox_id, send.user_id, send.kind, send.org_id, scope=send.scope, slot=send.slot,
                          about=send.about)
        return key, build, send.urgent

    async def send(self, plan: Sequence[Send], *, outbox_id: UUID | None = None, retry: bool = True) -> dict[str, int]:
        """Each planned message; {status: count}. See `deliver_each` for `retry`."""
        sends = [self._keyed(send, outbox_id) for send in plan]
        return await deliver_each(self.pool, self.mailer, sends, retry=retry)

    async def send_one(self, send: Send, *, outbox_id: UUID | None = None) -> str:
        """One planned message; its delivery status (quiet hours and SMTP trouble raise arq's Retry)."""
        key, build, urgent = self._keyed(send, outbox_id)
        return await deliver(self.pool, self.mailer, key, build, urgent=urgent)
