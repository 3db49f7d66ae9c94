"""Group schedules to people: series invites on joining and on every change,
CANCEL for a cancelled occurrence. Who gets what: coord.notify.plans.plan_group_schedule.
And the notices of a group closed and of a request to join declined (coord.notify.group_notices)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from coord.kernel import clock
from coord.notify.group_notices import send_group_closed, send_request_declined
from coord.notify.plans import changes_a_calendar, plan_group_schedule
from coord.notify.service import Mail, group_schedule_facts
from coord.outbox.domain_events import (
    AnyEvent,
    FacilitatorsChanged,
    GroupArchived,
    GroupMemberDeclined,
    GroupMemberJoined,
    GroupMemberLeft,
    SeriesChanged,
    SeriesFacilitatorsChanged,
    SeriesScheduled,
    SessionCancelled,
    SessionRescheduled,
)
from workers.registry import on


@on(
    GroupMemberJoined, GroupMemberLeft, SeriesScheduled, SeriesChanged, SessionRescheduled, SessionCancelled,
    FacilitatorsChanged, SeriesFacilitatorsChanged,
)
async def send_group_schedule(ctx: dict[str, Any], event: AnyEvent, outbox_id: UUID) -> dict[str, int]:
    if not changes_a_calendar(event):  # nothing to read either
        return {}
    now = clock.now()
    async with ctx["pool"].acquire() as conn:
        facts = await group_schedule_facts(conn, event, now)
    return await Mail.of(ctx).send(plan_group_schedule(event, facts, now, outbox_id), outbox_id=outbox_id)


@on(GroupArchived)
async def send_group_closed_notice(ctx: dict[str, Any], event: GroupArchived, outbox_id: UUID) -> dict[str, int]:
    """A group was archived: everyone in it hears, calmly, once (coord.notify.group_notices)."""
    return await send_group_closed(Mail.of(ctx), event, outbox_id)


@on(GroupMemberDeclined)
async def send_request_declined_notice(ctx: dict[str, Any], event: GroupMemberDeclined, outbox_id: UUID) -> str:
    """A request to join was declined: the person hears, kindly, at once."""
    return await send_request_declined(Mail.of(ctx), event, outbox_id)
