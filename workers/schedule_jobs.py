"""Jobs about time: reminders, attendance follow-ups and nudges to record attendance."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable
from uuid import UUID

import msgspec
from arq import Retry

from coord.kernel import clock
from coord.notify import queries
from coord.notify.delivery import DeliveryKey, deliver
from coord.notify.followups import FOLLOWUP_KIND, attendance_reminder, followup
from coord.notify.reminders import current_item, plan_reminders, recipients, reminder_message
from coord.notify.preferences import get_preferences
from coord.notify.quiet_hours import starts_soon
from coord.kernel.observability import request_id_var
from coord.outbox.domain_events import AnyEvent, AttendanceRecorded, event_kind

log = logging.getLogger("coord.jobs")


async def deliver_each(
    ctx: dict[str, Any], sends: list[tuple[DeliveryKey, Callable, bool]], *, retry: bool = True
) -> dict[str, int]:
    """Deliver to several people; one in quiet hours does not hold up the others. A cron
    job passes retry=False (arq runs a cron job once): its next run plans the waiting
    sends again, and their keys keep the rest from going twice."""
    outcome: dict[str, int] = {}
    waits: list[float] = []
    for key, build, urgent in sends:
        try:
            status = await deliver(ctx["pool"], ctx["mailer"], key, build, urgent=urgent)
        except Retry as deferred:
            waits.append(deferred.defer_score or 1000)
            status = "deferred"
        outcome[status] = outcome.get(status, 0) + 1
    if waits and retry:  # run again when the earliest quiet hours end; the others are keyed as sent
        raise Retry(defer=min(waits) / 1000)
    return outcome


async def send_attendance_followups(
    ctx: dict[str, Any], event_id: str, payload: dict[str, Any], request_id: str | None = None
) -> dict[str, int]:
    request_id_var.set(request_id)
    match msgspec.convert(payload, AnyEvent):
        case AttendanceRecorded(session_id=session_id):
            pass
        case other:
            raise TypeError(f"send_attendance_followups cannot handle {type(other).__name__}")
    settings = ctx["settings"]
    async with ctx["pool"].acquire() as conn:
        records = await conn.fetch(queries.ATTENDANCE_OF, session_id)
        org_id = await conn.fetchval("SELECT org_id FROM sessions WHERE id = $1", session_id)
    sends = []
    for record in records:
        kind = FOLLOWUP_KIND.get(record["status"])
        if kind is None:  # excused: nothing to say
            continue

        async def build(conn, recipient, status=record["status"]):
            return await followup(conn, settings, recipient, session_id, status)

        # Keyed by session, not event: correcting attendance never repeats a message.
        key = DeliveryKey(UUID(event_id), record["user_id"], kind, org_id, scope=f"session:{session_id}")
        sends.append((key, build, False))
    outcome = await deliver_each(ctx, sends)
    log.info("attendance follow-ups %s", outcome, extra={"event_id": event_id, "job": "send_attendance_followups"})
    return outcome


async def send_reminder(
    ctx: dict[str, Any], kind: str, item_id: str, sequence: int, starts_at: str
) -> dict[str, int]:
    item_uuid, start = UUID(item_id), datetime.fromisoformat(starts_at)
    settings = ctx["settings"]
    async with ctx["pool"].acquire() as conn:
        item = await current_item(conn, kind, item_uuid, sequence, start)
        people = await recipients(conn, kind, item_uuid) if item else []
    if item is None:
        log.info("reminder not sent: %s moved, cancelled or started", kind, extra={"job": "send_reminder"})
        return {"stale": 1}
    urgent = starts_soon(start)
    sends = []
    for user_id in people:

        async def build(conn, recipient):
            fresh = await current_item(conn, kind, item_uuid, sequence, start)
            return await reminder_message(conn, settings, recipient, kind, fresh) if fresh else None

        key = DeliveryKey(None, user_id, "reminder", scope=f"reminder:{kind}:{item_id}:{starts_at}")
        sends.append((key, build, urgent))
    return await deliver_each(ctx, sends)


async def plan_reminders_job(ctx: dict[str, Any]) -> int:
    async with ctx["pool"].acquire() as conn:
        return await plan_reminders(conn, ctx["redis"])


async def remind_unrecorded_attendance(ctx: dict[str, Any]) -> dict[str, int]:
    """Two hours after a session ended with nobody recorded, its facilitators get a nudge."""
    settings = ctx["settings"]
    async with ctx["pool"].acquire() as conn:
        sessions = [r["id"] for r in await conn.fetch(queries.UNRECORDED_SESSIONS, clock.now())]
        plan = [(s, r["user_id"]) for s in sessions for r in await conn.fetch(queries.SESSION_RECORDERS, s)]
    sends = []
    for session_id, user_id in plan:

        async def build(conn, recipient, session_id=session_id):
            return await attendance_reminder(conn, settings, recipient, session_id)

        key = DeliveryKey(None, user_id, "attendance_reminder", scope=f"session:{session_id}")
        sends.append((key, build, False))
    return await deliver_each(ctx, sends, retry=False)  # planned again every 15 minutes


SCHEDULE_ROUTING = {event_kind(AttendanceRecorded): ("send_attendance_followups",)}


async def send_rosters(ctx: dict[str, Any], *, force: bool = False) -> int:
    """Hourly: where it is the roster hour locally (default Monday 08:00), every
    facilitator and coordinator gets a job for their roster. One job each, so that a
    reader in quiet hours (another timezone than the organization's) waits for their
    morning while the others get theirs; keyed by ISO week, so a second run sends nothing."""
    from coord.notify.rosters import ROSTER_PEOPLE, roster_due, roster_week

    now = clock.now()
    async with ctx["pool"].acquire() as conn:
        orgs = await conn.fetch("SELECT id, timezone, roster_weekday, roster_hour FROM orgs")
        people = []
        for org in orgs:
            if force or roster_due(now, org["timezone"], org["roster_weekday"], org["roster_hour"]):
                people += await conn.fetch(ROSTER_PEOPLE, org["id"])
    for person in people:
        scope = f"roster:{person['org_id']}:{roster_week(now, person['timezone'])}"
        await ctx["redis"].enqueue_job("send_roster", str(person["org_id"]), str(person["user_id"]), scope,
                                       _job_id=f"{scope}:{person['user_id']}")
    return len(people)


async def send_roster(ctx: dict[str, Any], org_id: str, user_id: str, scope: str) -> str:
    """One person's roster, built when it goes out (after their quiet hours, if any)."""
    from coord.notify.rosters import ROSTER_PERSON, build_roster, roster_message

    settings, org, user = ctx["settings"], UUID(org_id), UUID(user_id)

    async def build(conn, recipient):
        person = await conn.fetchrow(ROSTER_PERSON, org, user)
        if person is None:
            return None  # no longer a facilitator or coordinator there
        roster = await build_roster(conn, org, user, staff=person["staff"])
        discreet = (await get_preferences(conn, user)).discreet
        return roster_message(settings, recipient, person["org_name"], roster, discreet)

    status = await deliver(ctx["pool"], ctx["mailer"], DeliveryKey(None, user, "roster", org, scope=scope), build)
    log.info("roster %s", status, extra={"job": "send_roster", "status": status})
    return status


async def alert_coverage_gaps(ctx: dict[str, Any]) -> dict[str, int]:
    """Hourly: coordinators hear about a session still short of facilitators 72 hours ahead."""
    from coord.notify.rosters import GAP_ALERT_AHEAD, GAPS_SOON, ORG_STAFF, SESSION_FOR_GAP, gap_alert_message

    settings = ctx["settings"]
    async with ctx["pool"].acquire() as conn:
        gaps = await conn.fetch(GAPS_SOON, clock.now(), GAP_ALERT_AHEAD)
        plan = [(g["id"], g["org_id"], r["user_id"]) for g in gaps for r in await conn.fetch(ORG_STAFF, g["org_id"])]
    sends = []
    for session_id, org_id, user_id in plan:

        async def build(conn, recipient, session_id=session_id):
            discreet = (await get_preferences(conn, recipient["id"])).discreet
            return gap_alert_message(settings, recipient, await conn.fetchrow(SESSION_FOR_GAP, session_id), discreet)

        key = DeliveryKey(None, user_id, "coverage_alert", org_id, scope=f"gap:{session_id}")
        sends.append((key, build, False))
    return await deliver_each(ctx, sends, retry=False)  # planned again every hour


SCHEDULE_FUNCTIONS = [send_attendance_followups, send_reminder, send_roster]
