"""Messages to the people who run things: a group's facilitators hear of a request to join
it, and coordinators and admins get a daily digest of what needs them. What they say and
who gets them: coord.notify.staff_mail."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from coord.kernel import clock
from coord.notify.service import Mail
from coord.notify.staff_mail import DigestDue, digests_due, send_digest, send_join_request_notice
from coord.outbox.domain_events import GroupMemberRequested
from workers.registry import every, job, on

log = logging.getLogger("coord.jobs")


@on(GroupMemberRequested)
async def send_join_request_note(ctx: dict[str, Any], event: GroupMemberRequested, outbox_id: UUID) -> dict[str, int]:
    """Someone asked to join a group: its facilitators hear, with a link to answer on its page."""
    return await send_join_request_notice(Mail.of(ctx), event, outbox_id)


@every(minute={41})  # hourly; each organization's digest at its `digest_hour` (default 8), its own zone
async def send_daily_digests(ctx: dict[str, Any], *, force: bool = False) -> int:
    """A job for each coordinator and admin where it is the digest hour, keyed by the local
    date: a second run that day enqueues nothing new, and its delivery key sends nothing twice."""
    async with ctx["pool"].acquire() as conn:
        due = await digests_due(conn, clock.now(), force=force)
    for d in due:
        await ctx["redis"].enqueue_job(send_daily_digest.__name__, str(d.org_id), str(d.user_id), d.day, _job_id=d.job_id)
    return len(due)


@job()
async def send_daily_digest(ctx: dict[str, Any], org_id: str, user_id: str, day: str) -> str:
    """One reader's digest, built when it goes: nothing when nothing needs them."""
    status = await send_digest(Mail.of(ctx), DigestDue(UUID(org_id), UUID(user_id), day))
    log.info("daily digest %s", status, extra={"job": "send_daily_digest", "status": status})
    return status
