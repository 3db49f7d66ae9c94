"""Jobs about time: reminders, attendance follow-ups (deferred to the session's end plus
the organization's delay), nudges to record attendance, weekly rosters and coverage
alerts. Who gets what: coord.notify.plans."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from arq import Retry

from coord.kernel import clock
from coord.notify.plans import (
    AttendanceFacts,
    followup_job_id,
    followups_wait,
    plan_attendance_nudges,
    plan_coverage_alerts,
    plan_followups,
    plan_reminder,
    plan_rosters,
    roster_send,
    rosters_due,
)
from coord.notify.reminders import plan_reminders
from coord.notify.service import (
    Mail,
    attendance_facts,
    coverage_gaps,
    reminder_facts,
    roster_orgs,
    roster_readers,
    unrecorded_sessions,
)
from coord.outbox.domain_events import AttendanceRecorded
from workers.registry import every, job, on

log = logging.getLogger("coord.jobs")


@on(AttendanceRecorded)
async def send_attendance_followups(ctx: dict[str, Any], event: AttendanceRecorded, outbox_id: UUID) -> dict[str, int]:
    """Attendance recorded or corrected: the follow-ups go once the session has ended plus the
    organization's delay, from a deferred job (one per session) that reads the attendance when
    it runs; so a correction before then changes which message goes. Past that time (a late
    sheet, a newcomer added to it, an admin's resend) they go now, each person's once."""
    async with ctx["pool"].acquire() as conn:
        facts = await attendance_facts(conn, event.session_id)
    if facts is None:
        return {}
    wait = followups_wait(facts, clock.now())
    if wait:
        await ctx["redis"].enqueue_job(
            send_followups_when_due.__name__, str(event.session_id), str(outbox_id),
            _job_id=followup_job_id(facts), _defer_by=wait,  # arq's clock only counts the wait
        )
        return {"deferred": 1}
    return await _send_followups(ctx, facts, outbox_id)


@job()
async def send_followups_when_due(ctx: dict[str, Any], session_id: str, outbox_id: str) -> dict[str, int]:
    """Planned by send_attendance_followups for the session's end plus the organization's delay."""
    async with ctx["pool"].acquire() as conn:
        facts = await attendance_facts(conn, UUID(session_id))
    if facts is None:
        return {}
    if wait := followups_wait(facts, clock.now()):  # early by coord's clock (or the delay grew): wait on
        raise Retry(defer=wait.total_seconds())
    return await _send_followups(ctx, facts, UUID(outbox_id))


async def _send_followups(ctx: dict[str, Any], facts: AttendanceFacts, outbox_id: UUID) -> dict[str, int]:
    # Quiet hours hold a person's message back (arq runs the job again then, and it re-reads).
    outcome = await Mail.of(ctx).send(plan_followups(facts), outbox_id=outbox_id)
    log.info("attendance follow-ups %s", outcome, extra={"outbox_id": str(outbox_id), "job": "send_attendance_followups"})
    return outcome


@job()
async def send_reminder(ctx: dict[str, Any], kind: str, item_id: str, sequence: int, starts_at: str) -> dict[str, int]:
    """Planned by `plan_reminders_job` (coord.notify.reminders) for `start - lead`."""
    async with ctx["pool"].acquire() as conn:
        facts = await reminder_facts(conn, kind, UUID(item_id), sequence, datetime.fromisoformat(starts_at))
    if facts is None:
        log.info("reminder not sent: %s moved, cancelled or started", kind, extra={"job": "send_reminder"})
        return {"stale": 1}
    return await Mail.of(ctx).send(plan_reminder(facts, clock.now()))


@every(minute=set(range(0, 60, 10)), run_at_startup=True)
async def plan_reminders_job(ctx: dict[str, Any]) -> int:
    async with ctx["pool"].acquire() as conn:
        return await plan_reminders(conn, ctx["redis"])


@every(minute=set(range(3, 60, 15)))
async def remind_unrecorded_attendance(ctx: dict[str, Any]) -> dict[str, int]:
    """Two hours after a session ended with nobody recorded, its facilitators get a nudge."""
    async with ctx["pool"].acquire() as conn:
        sessions = await unrecorded_sessions(conn, clock.now())
    return await Mail.of(ctx).send(plan_attendance_nudges(sessions), retry=False)  # planned again every 15 minutes


@every(minute={1})  # hourly; each organization's roster goes at its own hour in its own timezone
async def send_rosters(ctx: dict[str, Any], *, force: bool = False) -> int:
    """Where it is the roster hour locally (default Monday 08:00), every facilitator and
    coordinator gets a job for their roster. One job each, so that a reader in quiet
    hours (another timezone than the organization's) waits for their morning while the
    others get theirs; keyed by ISO week, so a second run sends nothing."""
    now = clock.now()
    async with ctx["pool"].acquire() as conn:
        readers = await roster_readers(conn, rosters_due(await roster_orgs(conn), now, force=force))
    for due in plan_rosters(readers, now):
        await ctx["redis"].enqueue_job(
            send_roster.__name__, str(due.org_id), str(due.user_id), due.scope, _job_id=due.job_id
        )
    return len(readers)


@job()
async def send_roster(ctx: dict[str, Any], org_id: str, user_id: str, scope: str) -> str:
    """One person's roster, built when it goes out (after their quiet hours, if any)."""
    status = await Mail.of(ctx).send_one(roster_send(UUID(org_id), UUID(user_id), scope))
    log.info("roster %s", status, extra={"job": "send_roster", "status": status})
    return status


@every(minute={31})
async def alert_coverage_gaps(ctx: dict[str, Any]) -> dict[str, int]:
    """Hourly: coordinators hear about a session still short of facilitators 72 hours ahead."""
    async with ctx["pool"].acquire() as conn:
        gaps = await coverage_gaps(conn, clock.now())
    return await Mail.of(ctx).send(plan_coverage_alerts(gaps), retry=False)  # planned again every hour
