"""An event's shifts: created together (all or none), listed, and a shift duplicated.
Runs inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from coord.i18n import gettext as _
from coord.kernel.access import STAFF, check_roles, require_role
from coord.kernel.errors import Conflict, FieldError, NotFound, Unprocessable
from coord.kernel.pagination import KeyInstant, Page, decode_cursor, page_of
from coord.shifts import queries
from coord.shifts.schemas import ShiftIn, ShiftOut, ShiftRowIn
from coord.shifts.service import create_shift, get_shift


async def load_event(conn: asyncpg.Connection, actor_id: UUID, event_id: UUID) -> asyncpg.Record:
    """The event, for a member of its organization; anyone else learns nothing (404)."""
    event = await conn.fetchrow(queries.EVENT_FOR_SHIFTS, event_id, actor_id)
    if event is None or not event["roles"]:
        raise NotFound(_("no such event"))
    return event


def row_errors(rows: list[ShiftRowIn]) -> list[FieldError]:
    """What is wrong with each row, in words, keyed `shifts[i].field` (0-based)."""
    return [FieldError(f"shifts[{i}].ends_at", _("the end must be after the start"))
            for i, row in enumerate(rows) if row.ends_at <= row.starts_at]


async def create_event_shifts(
    conn: asyncpg.Connection, actor_id: UUID, event_id: UUID, rows: list[ShiftRowIn]
) -> list[ShiftOut]:
    """Every row becomes a shift of the event, or none does: a refused row refuses them all,
    with every row's reason (admins, coordinators)."""
    event = await load_event(conn, actor_id, event_id)
    check_roles(event["roles"], STAFF)
    if event["status"] == "cancelled":
        raise Conflict(_("this event is cancelled, so it takes no new shifts"))
    if errors := row_errors(rows):
        raise Unprocessable(_("%(failed)s of the %(total)s shifts cannot be created as they are; none was") % {"failed": len(errors), "total": len(rows)},
                            errors=errors)
    return [
        await create_shift(conn, actor_id, event["org_id"], ShiftIn(**msgspec.structs.asdict(row), event_id=event_id))
        for row in rows
    ]


async def event_shifts(
    conn: asyncpg.Connection, actor_id: UUID, event_id: UUID, limit: int, cursor: str | None
) -> Page[ShiftOut]:
    """The event's shifts by start time, cancelled ones included (members of its organization)."""
    await load_event(conn, actor_id, event_id)
    after_start, after_id = decode_cursor(cursor, tuple[KeyInstant, UUID]) or (None, None)
    rows = await conn.fetch(queries.EVENT_SHIFTS, event_id, after_start, after_id, limit + 1)
    return page_of([ShiftOut(**dict(r)) for r in rows], limit, lambda s: (s.starts_at, s.id))


def next_day(moment: datetime, tz: str) -> datetime:
    """The same wall-clock time the next day in `tz` (18:00 stays 18:00 across a clock change)."""
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    return local.replace(tzinfo=zone)


async def copy_times(conn: asyncpg.Connection, shift: ShiftOut) -> tuple[datetime, datetime]:
    """Where a copy of the shift goes unless told: the same times the next day."""
    tz = await conn.fetchval(queries.SHIFT_TIMEZONE, shift.id)
    return next_day(shift.starts_at, tz), next_day(shift.ends_at, tz)


async def duplicate_shift(
    conn: asyncpg.Connection, actor_id: UUID, shift_id: UUID, starts_at: datetime | None
) -> ShiftOut:
    """A new shift like this one (role, places, place, description, training, event):
    starting at `starts_at` for as long, or the same times the next day (admins, coordinators).
    Nobody's signup is copied."""
    shift = await get_shift(conn, actor_id, shift_id)
    await require_role(conn, shift.org_id, actor_id, STAFF)
    if starts_at is None:
        starts_at, ends_at = await copy_times(conn, shift)
    else:
        ends_at = starts_at + (shift.ends_at - shift.starts_at)
    copy = ShiftIn(
        role=shift.role, starts_at=starts_at, ends_at=ends_at, capacity=shift.capacity, event_id=shift.event_id,
        session_id=shift.session_id, required_training=shift.required_training, description=shift.description,
        location=shift.location,
    )
    return await create_shift(conn, actor_id, shift.org_id, copy)
