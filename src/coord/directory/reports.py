"""'This entry is wrong' (issue 17.5): anyone may report a public service, from a client at
most REPORTS_PER_HOUR times an hour; the curating organization's staff read a queue of open
reports and of services not verified for six months, mark a service verified (today) or a
report resolved. A report keeps what is wrong, never who said it."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import asyncpg
from redis.asyncio import Redis

from coord.i18n import gettext as _
from coord.directory import queries as q
from coord.directory.schemas import ReportIn, ReportOut, ReportQueue, StaleEntry
from coord.kernel import clock
from coord.kernel.access import STAFF, require_role
from coord.kernel.audit import audit
from coord.kernel.errors import NotFound, TooManyRequests, Unprocessable

REPORTS_PER_HOUR = 10
STALE_AFTER = timedelta(days=183)  # six months
QUEUE_LIMIT = 200


async def _take(redis: Redis, client: str) -> None:
    key = f"coord:directory-reports:{client}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=3600, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _unused, count, ttl = await pipe.execute()
    if count > REPORTS_PER_HOUR:
        raise TooManyRequests(_("Many reports have come from this connection in the last hour. "
                              "Try again later."), retry_after=max(int(ttl), 1))


async def report(conn: asyncpg.Connection, redis: Redis, client: str, service_id: UUID, data: ReportIn) -> ReportOut:
    """Anyone (no account) says a public service's entry is wrong."""
    org_id = await conn.fetchval(q.PUBLIC_SERVICE_ORG, service_id)
    if org_id is None:
        raise NotFound(_("no such service"))
    message = (data.message or "").strip() or None
    if message and len(message) > 1000:
        raise Unprocessable(_("say what is wrong in at most 1,000 characters"), field="message")
    if data.problem == "other" and not message:
        raise Unprocessable(_("say what is wrong"), field="message")
    await _take(redis, client)
    row = await conn.fetchrow(q.INSERT_REPORT, org_id, service_id, data.problem, message, clock.now())
    return ReportOut(id=row["id"], service_id=service_id, service_name=row["service_name"], problem=data.problem,
                     message=message, created_at=row["created_at"], resolved_at=None)


async def queue(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID) -> ReportQueue:
    """Open reports, oldest first, and services not verified for six months (never verified first)."""
    await require_role(conn, org_id, actor_id, STAFF)
    reports = [ReportOut(id=r["id"], service_id=r["service_id"], service_name=r["service_name"], problem=r["problem"],
                         message=r["message"], created_at=r["created_at"], resolved_at=r["resolved_at"])
               for r in await conn.fetch(q.OPEN_REPORTS, org_id, QUEUE_LIMIT)]
    cutoff = (clock.now() - STALE_AFTER).date()
    stale = [StaleEntry(service_id=r["id"], name=r["name"], last_verified=r["last_verified"])
             for r in await conn.fetch(q.STALE_SERVICES, org_id, cutoff, QUEUE_LIMIT)]
    return ReportQueue(reports=reports, stale=stale)


async def resolve(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, report_id: UUID) -> None:
    await require_role(conn, org_id, actor_id, STAFF)
    if await conn.fetchval(q.RESOLVE_REPORT, report_id, org_id, clock.now(), actor_id) is None:
        raise NotFound(_("no such open report"))
    await audit(conn, org_id, actor_id, "directory.report_resolved", "directory_report", report_id, {})


async def verify(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, service_id: UUID) -> None:
    """A coordinator checked the entry: verified today."""
    await require_role(conn, org_id, actor_id, STAFF)
    if await conn.fetchval(q.VERIFY_SERVICE, service_id, org_id, clock.now()) is None:
        raise NotFound(_("no such service"))
    await audit(conn, org_id, actor_id, "directory.verified", "directory_service", service_id, {})
