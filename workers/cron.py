"""Periodic jobs of other domains than notify (those are in workers/schedule_jobs.py).
arq runs each cron job once per slot across all workers."""

from __future__ import annotations

import logging
from typing import Any

from coord.kernel.db.pool import transaction
from coord.privacy.service import expire_attendance
from coord.sessions.service import extend_horizons
from workers.registry import every

log = logging.getLogger("coord.cron")


# Hourly; extend_horizons only touches series a day or more behind, so most runs do nothing.
@every(minute={7}, run_at_startup=True)
async def extend_session_horizons(ctx: dict[str, Any]) -> int:
    """Roll every open series forward so sessions exist for the next 26 weeks."""
    async with transaction(ctx["pool"]) as conn:
        created = await extend_horizons(conn)
    if created:
        log.info("materialized %s sessions", created, extra={"job": "extend_session_horizons"})
    return created


@every(hour={3}, minute={17})
async def expire_old_attendance(ctx: dict[str, Any]) -> int:
    """Daily: attendance older than each organization's retention period is deleted."""
    async with transaction(ctx["pool"]) as conn:
        return await expire_attendance(conn)
