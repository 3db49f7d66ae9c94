"""Periodic jobs. arq runs each cron job once per slot across all workers."""

from __future__ import annotations

import logging
from typing import Any

from arq.cron import cron

from coord.kernel.db.pool import transaction
from coord.privacy.service import expire_attendance
from coord.sessions.service import extend_horizons
from workers.schedule_jobs import alert_coverage_gaps, plan_reminders_job, remind_unrecorded_attendance, send_rosters

log = logging.getLogger("coord.cron")


async def extend_session_horizons(ctx: dict[str, Any]) -> int:
    """Roll every open series forward so sessions exist for the next 26 weeks."""
    async with transaction(ctx["pool"]) as conn:
        created = await extend_horizons(conn)
    if created:
        log.info("materialized %s sessions", created, extra={"job": "extend_session_horizons"})
    return created


async def expire_old_attendance(ctx: dict[str, Any]) -> int:
    """Daily: attendance older than each organization's retention period is deleted."""
    async with transaction(ctx["pool"]) as conn:
        return await expire_attendance(conn)


CRON_JOBS = [
    # Hourly; extend_horizons only touches series a day or more behind, so most runs do nothing.
    cron(extend_session_horizons, minute={7}, run_at_startup=True, unique=True),
    cron(plan_reminders_job, minute=set(range(0, 60, 10)), run_at_startup=True, unique=True),
    cron(remind_unrecorded_attendance, minute=set(range(3, 60, 15)), unique=True),
    # Hourly; each organization's roster goes at Monday 08:00 in its own timezone.
    cron(send_rosters, minute={1}, unique=True),
    cron(alert_coverage_gaps, minute={31}, unique=True),
    cron(expire_old_attendance, hour={3}, minute={17}, unique=True),
]
