"""The shift board: a week of one organization's shifts as a volunteer sees them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from coord.kernel.access import require_member
from coord.shifts.schemas import ShiftOut
from coord.views import queries

BOARD_LIMIT = 500  # shifts in one week of one organization; more is not a board


class BoardShift(msgspec.Struct):
    shift: ShiftOut
    event_title: str | None
    my_status: str | None  # confirmed | waitlisted | None
    my_position: int | None
    trained: bool  # holds the required training, valid on the shift's date (True when none is required)

    @property
    def open_places(self) -> int:
        return max(self.shift.capacity - self.shift.confirmed_count, 0)


class Board(msgspec.Struct):
    week_start: date
    shifts: list[BoardShift]
    roles: list[str]
    events: list[tuple[UUID, str]]


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def next_open_shift(conn: asyncpg.Connection, org_id: UUID, now: datetime) -> datetime | None:
    """When the next shift with a place left starts, if any (the caller is a member)."""
    return await conn.fetchval(queries.NEXT_OPEN_SHIFT, org_id, now)


def has_open_shift(board: Board, now: datetime) -> bool:
    return any(s.open_places > 0 and s.shift.starts_at > now and s.shift.status == "scheduled" for s in board.shifts)


async def shift_board(
    conn: asyncpg.Connection, user_id: UUID, org_id: UUID, week_start: date, tz: str,
    role: str | None = None, event_id: UUID | None = None,
) -> Board:
    """The week (Monday to Sunday in `tz`) from `week_start`, filtered by role and event;
    the filter choices come from the whole week."""
    await require_member(conn, org_id, user_id)
    zone = ZoneInfo(tz)
    start = datetime.combine(week_of(week_start), time(0), zone)
    end = datetime.combine(week_of(week_start) + timedelta(days=7), time(0), zone)
    rows = await conn.fetch(queries.SHIFT_BOARD, org_id, user_id, start, end)
    shifts = [
        BoardShift(
            shift=ShiftOut(**{k: r[k] for k in ShiftOut.__struct_fields__}),
            event_title=r["event_title"],
            my_status=r["my_status"],
            my_position=r["my_position"],
            trained=r["trained"],
        )
        for r in rows
    ]
    roles = sorted({s.shift.role for s in shifts}, key=str.lower)
    events = sorted({(s.shift.event_id, s.event_title or "") for s in shifts if s.shift.event_id}, key=lambda e: e[1])
    chosen = [
        s for s in shifts
        if (role is None or s.shift.role == role) and (event_id is None or s.shift.event_id == event_id)
    ]
    return Board(week_start=week_of(week_start), shifts=chosen, roles=roles, events=events)
