"""Volunteer shifts: create, read, change, cancel. Runs inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from coord.i18n import gettext as _
from coord.bookings import engine as bookings
from coord.bookings.engine import SHIFT_SIGNUPS
from coord.kernel.access import STAFF, check_roles, require_member, require_role
from coord.kernel.errors import Conflict, NotFound, Unprocessable
from coord.outbox.domain_events import ShiftCancelled, ShiftChanged, ShiftCreated
from coord.outbox.record import record
from coord.kernel.pagination import KeyInstant, Page, decode_cursor, page_of
from coord.shifts import queries
from coord.shifts.schemas import ShiftIn, ShiftOut, ShiftPatch


def training_code(code: str) -> str:
    """Codes compare case-insensitively: "mhfa " and "MHFA" are one training."""
    return " ".join(code.split()).upper()


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise Unprocessable(_("the end must be after the start"), field="ends_at")


def _location(text: str | None) -> str | None:
    """A place note as written, without stray spaces; blank is none."""
    return (" ".join(text.split()) or None) if text else None


async def _shift_out(conn: asyncpg.Connection, shift_id: UUID) -> ShiftOut:
    return ShiftOut(**dict(await conn.fetchrow(queries.GET_SHIFT, shift_id)))


async def create_shift(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, data: ShiftIn) -> ShiftOut:
    await require_role(conn, org_id, actor_id, STAFF)
    _check_times(data.starts_at, data.ends_at)
    if data.event_id and not await conn.fetchval(queries.EVENT_IN_ORG, data.event_id, org_id):
        raise Unprocessable(_("no such event in this organization"), field="event_id")
    if data.session_id and not await conn.fetchval(queries.SESSION_IN_ORG, data.session_id, org_id):
        raise Unprocessable(_("no such session in this organization"), field="session_id")
    training = training_code(data.required_training) if data.required_training else None
    shift_id = await conn.fetchval(
        queries.INSERT_SHIFT, org_id, data.role.strip(), data.description, data.starts_at, data.ends_at,
        data.capacity, data.event_id, data.session_id, training, _location(data.location),
    )  # fmt: skip
    await record(conn, ShiftCreated(shift_id=shift_id))
    return await _shift_out(conn, shift_id)


async def get_shift(conn: asyncpg.Connection, actor_id: UUID, shift_id: UUID) -> ShiftOut:
    row = await conn.fetchrow(queries.GET_SHIFT, shift_id)
    if row is None:
        raise NotFound(_("no such shift"))
    await require_member(conn, row["org_id"], actor_id, "shift")
    return ShiftOut(**dict(row))


async def list_shifts(
    conn: asyncpg.Connection,
    actor_id: UUID,
    org_id: UUID,
    from_: datetime | None,
    to: datetime | None,
    open_only: bool,
    limit: int,
    cursor: str | None,
) -> Page[ShiftOut]:
    await require_member(conn, org_id, actor_id)
    after_start, after_id = decode_cursor(cursor, tuple[KeyInstant, UUID]) or (None, None)
    rows = await conn.fetch(queries.LIST_SHIFTS, org_id, from_, to, after_start, after_id, open_only, limit + 1)
    return page_of([ShiftOut(**dict(r)) for r in rows], limit, lambda s: (s.starts_at, s.id))


async def lock_shift(conn: asyncpg.Connection, actor_id: UUID, shift_id: UUID) -> asyncpg.Record:
    """Lock the shift row (the capacity lock) and check the caller is a member of its org."""
    shift = await conn.fetchrow(queries.LOCK_SHIFT, shift_id, actor_id)
    if shift is None or not shift["roles"]:
        raise NotFound(_("no such shift"))
    return shift


async def update_shift(conn: asyncpg.Connection, actor_id: UUID, shift_id: UUID, data: ShiftPatch) -> ShiftOut:
    """Change a shift. More capacity promotes waitlisted people in order; less never
    removes anyone confirmed (they keep their place; newcomers wait)."""
    shift = await lock_shift(conn, actor_id, shift_id)
    check_roles(shift["roles"], STAFF)
    if shift["status"] == "cancelled":
        raise Conflict(_("this shift is cancelled"))
    current = await conn.fetchrow(queries.GET_SHIFT, shift_id)
    starts_at = data.starts_at or current["starts_at"]
    ends_at = data.ends_at or current["ends_at"]
    _check_times(starts_at, ends_at)
    capacity = current["capacity"] if data.capacity is None else data.capacity
    role = data.role.strip() if data.role else current["role"]
    description = current["description"] if data.description is None else data.description
    location = current["location"] if data.location is msgspec.UNSET else _location(data.location)
    moved = (starts_at, ends_at, location) != (current["starts_at"], current["ends_at"], current["location"])
    await conn.execute(queries.UPDATE_SHIFT, shift_id, capacity, starts_at, ends_at, role, description, moved, location)
    await record(conn, ShiftChanged(shift_id=shift_id, invite_changed=moved, was_starts_at=current["starts_at"],
                                    was_ends_at=current["ends_at"]))
    if capacity > current["capacity"]:
        await bookings.promote(conn, SHIFT_SIGNUPS, shift_id, capacity)
    return await _shift_out(conn, shift_id)


async def cancel_shift(conn: asyncpg.Connection, actor_id: UUID, shift_id: UUID) -> ShiftOut:
    """Cancel the shift and every active signup with it, in one transaction."""
    shift = await lock_shift(conn, actor_id, shift_id)
    check_roles(shift["roles"], STAFF)
    await bookings.cancel_bookable(conn, SHIFT_SIGNUPS, shift, ShiftCancelled(shift_id=shift_id))
    return await _shift_out(conn, shift_id)
