"""Group schedules to people: series invites on joining and on every change,
CANCEL for a cancelled occurrence. Nothing is sent about sessions already over."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec

from coord.kernel import clock
from coord.notify import queries
from coord.notify.delivery import DeliveryKey
from coord.notify.quiet_hours import starts_soon
from coord.notify.schedules import occurrence_cancel, series_cancel, series_invite, series_left
from coord.kernel.observability import request_id_var
from coord.outbox.domain_events import (
    AnyEvent,
    FacilitatorsChanged,
    GroupMemberJoined,
    GroupMemberLeft,
    SeriesChanged,
    SeriesScheduled,
    SessionCancelled,
    SessionRescheduled,
    event_kind,
)
from workers.schedule_jobs import deliver_each

log = logging.getLogger("coord.jobs")
# Sessions not ended by $2 (now) that the change cancelled, and whether the series has ended.
CUT_SHORT = """
SELECT r.ended_at IS NOT NULL AS ended, exists(
    SELECT 1 FROM sessions s WHERE s.series_id = r.id AND s.status = 'cancelled' AND s.ends_at > $2) AS cut
FROM series r WHERE r.id = $1
"""
HAS_FUTURE = "SELECT exists(SELECT 1 FROM sessions WHERE series_id = $1 AND status <> 'cancelled' AND ends_at > $2)"


def changes_a_calendar(event: AnyEvent) -> bool:
    """False for the two group events that reach nobody's calendar: a join request
    withdrawn before approval (they never had the schedule), and sessions made ahead
    by the rolling horizon (the invite's RRULE already holds them)."""
    match event:
        case GroupMemberLeft(was_active=False) | SeriesChanged(extended=True):
            return False
    return True


async def send_group_schedule(
    ctx: dict[str, Any], event_id: str, payload: dict[str, Any], request_id: str | None = None
) -> dict[str, int]:
    request_id_var.set(request_id)
    settings, pool = ctx["settings"], ctx["pool"]
    event = msgspec.convert(payload, AnyEvent)
    if not changes_a_calendar(event):
        return {}
    now = clock.now()
    plan: list[tuple[UUID, UUID | None, str, str, bool]] = []  # (user, series or session, what, reason, urgent)
    async with pool.acquire() as conn:
        match event:
            case GroupMemberJoined(group_id=group_id, user_id=user_id) | GroupMemberLeft(
                group_id=group_id, user_id=user_id
            ):
                # Joining is their own action (at once); leaving takes the schedule off their calendar.
                what, reason, urgent = (
                    ("series", "joined", True) if isinstance(event, GroupMemberJoined) else ("series_left", "left", False)
                )
                for row in await conn.fetch(queries.OPEN_SERIES_OF_GROUP, group_id):
                    if await conn.fetchval(HAS_FUTURE, row["id"], now):
                        plan.append((user_id, row["id"], what, reason, urgent))
            case SeriesScheduled(series_id=series_id, group_id=group_id) | SeriesChanged(
                series_id=series_id, group_id=group_id
            ):
                people = await conn.fetch(queries.GROUP_PEOPLE, group_id, now)
                if await conn.fetchval(HAS_FUTURE, series_id, now):
                    reason = "scheduled" if isinstance(event, SeriesScheduled) else "changed"
                    plan += [(p["user_id"], series_id, "series", reason, False) for p in people]
                elif isinstance(event, SeriesChanged):
                    # Nothing left ahead. Ended: the whole series is cancelled. Split right
                    # before its next session: its rule now stops, and the invite says so.
                    cut = await conn.fetchrow(CUT_SHORT, series_id, now)
                    if cut["cut"]:
                        what, reason = ("series_cancel", "ended") if cut["ended"] else ("series", "changed")
                        plan += [(p["user_id"], series_id, what, reason, False) for p in people]
            case SessionRescheduled(session_id=session_id, group_id=group_id) | SessionCancelled(
                session_id=session_id, group_id=group_id
            ):
                session = await conn.fetchrow(queries.SESSION_SERIES, session_id)
                # Worth a message while either its old or its new time is still ahead.
                latest = max(session["starts_at"], session["recurrence_id"]) if session else None
                if session and session["series_id"] and latest > now - timedelta(hours=1):
                    urgent = starts_soon(min(session["starts_at"], session["recurrence_id"]), now)
                    people = await conn.fetch(queries.GROUP_PEOPLE, group_id, now)
                    if isinstance(event, SessionCancelled):
                        plan += [(p["user_id"], session_id, "cancel", "cancelled", urgent) for p in people]
                    else:
                        plan += [(p["user_id"], session["series_id"], "series", "changed", urgent) for p in people]
            case FacilitatorsChanged(session_id=session_id, added=added):
                session = await conn.fetchrow(queries.SESSION_SERIES, session_id)
                if session and session["series_id"] and session["ends_at"] > now:
                    urgent = starts_soon(session["starts_at"], now)  # facilitating tonight: tell them now
                    plan += [(user, session["series_id"], "series", "facilitating", urgent) for user in added]
            case _:
                raise TypeError(f"send_group_schedule cannot handle {type(event).__name__}")

    sends = []
    for user_id, target, what, reason, urgent in plan:
        if what == "cancel":

            async def build(conn, recipient, target=target):
                return await occurrence_cancel(conn, settings, recipient, target)

            kind = "cancellation"
        elif what == "series_cancel":

            async def build(conn, recipient, target=target):
                return await series_cancel(conn, settings, recipient, target)

            kind = "cancellation"
        elif what == "series_left":

            async def build(conn, recipient, target=target):
                return await series_left(conn, settings, recipient, target)

            kind = "cancellation"
        else:

            async def build(conn, recipient, target=target, reason=reason):
                return await series_invite(conn, settings, recipient, target, reason)

            kind = "invite"
        key = DeliveryKey(UUID(event_id), user_id, kind, scope=f"{event_id}:{target}")
        sends.append((key, build, urgent))
    outcome = await deliver_each(ctx, sends)
    log.info("group schedule %s", outcome, extra={"event_id": event_id, "job": "send_group_schedule"})
    return outcome


GROUP_EVENTS = (
    GroupMemberJoined, GroupMemberLeft, SeriesScheduled, SeriesChanged, SessionRescheduled, SessionCancelled,
    FacilitatorsChanged,
)
GROUP_ROUTING = {event_kind(e): ("send_group_schedule",) for e in GROUP_EVENTS}
GROUP_FUNCTIONS = [send_group_schedule]
