"""Periodic jobs of other domains than notify (those are in workers/schedule_jobs.py).
arq runs each cron job once per slot across all workers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from coord.auth.tokens import purge_spent
from coord.kernel.db.pool import transaction
from coord.orgs.invitations import purge_settled
from coord.privacy.service import expire_attendance
from coord.sessions.service import extend_horizons
from workers.registry import every

log = logging.getLogger("coord.cron")


async def _counted(ctx: dict[str, Any], work: Callable[[asyncpg.Connection], Awaitable[int]], said: str,
                   job: str) -> int:
    """Run `work` in one transaction; log how many rows it touched, when any."""
    async with transaction(ctx["pool"]) as conn:
        count = await work(conn)
    if count:
        log.info(said, count, extra={"job": job})
    return count


# Hourly; extend_horizons only touches series a day or more behind, so most runs do nothing.
@every(minute={7}, run_at_startup=True)
async def extend_session_horizons(ctx: dict[str, Any]) -> int:
    """Roll every open series forward so sessions exist for the next 26 weeks."""
    return await _counted(ctx, extend_horizons, "materialized %s sessions", "extend_session_horizons")


@every(hour={3}, minute={17})
async def expire_old_attendance(ctx: dict[str, Any]) -> int:
    """Daily: attendance older than each organization's retention period is deleted."""
    async with transaction(ctx["pool"]) as conn:
        return await expire_attendance(conn)


@every(hour={3}, minute={41})
async def purge_spent_account_links(ctx: dict[str, Any]) -> int:
    """Daily: password-reset and email links used or expired over a week ago are deleted."""
    return await _counted(ctx, purge_spent, "purged %s spent account links", "purge_spent_account_links")


@every(hour={3}, minute={53})
async def purge_settled_invitations(ctx: dict[str, Any]) -> int:
    """Daily: invitations accepted, withdrawn or expired over 90 days ago are deleted."""
    return await _counted(ctx, purge_settled, "purged %s settled invitations", "purge_settled_invitations")
