"""The booking engine. Runs inside the caller's transaction.

A kind of booking (a place on a shift, a seat at an event) is a `Bookable`: which
table holds the bookings, which row is locked for capacity, and the few things
that differ (columns of its own, the late-cancel flag). The engine does the rest
the same way for every kind: capacity under the row lock, waitlist positions,
promotion in the same transaction, cancel-all, my booking, and the outbox events
(one pair for every kind: BookingPlaced, BookingCancelled).

The domain locks the bookable's row first (its lock statement also reads whatever
its own rules need, and checks who may see it), then calls the engine with that
row and its rules, in order. A rule is `rule(locked_row, now)` and raises a domain
error to refuse. The locked row has at least `id`, `capacity` and `status`, and
`my_status` for take_place; `starts_at` and `cancellation_cutoff_hours` for a kind
with the late-cancel flag.

Adding a kind: a Bookable (its names added to the fixed sets below), a lock
statement and its rules in its own domain, and its message facts in coord.notify.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args
from uuid import UUID

import asyncpg
import msgspec

from coord.bookings import queries
from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.errors import Conflict, NotFound
from coord.outbox.domain_events import (
    BookableKind,
    BookingCancelled,
    BookingPlaced,
    Event,
)
from coord.outbox.record import record

# The only table and column names the engine ever writes into SQL.
BookingTable = Literal["signups", "registrations"]
BookableTable = Literal["shifts", "events"]
ParentColumn = Literal["shift_id", "event_id"]
_COLUMN = re.compile(r"^[a-z_]+(::[a-z0-9]+ AS [a-z_]+)?$")

Rule = Callable[[asyncpg.Record, datetime], None]

# What a refusal says, per kind: whole sentences, so each language words them its own way (the
# pages show them; the API says them in the client's language).
_SAID = {
    ("shift", "cancelled"): N_("this shift is cancelled"),
    ("event", "cancelled"): N_("this event is cancelled"),
    ("shift", "already cancelled"): N_("this shift is already cancelled"),
    ("event", "already cancelled"): N_("this event is already cancelled"),
    ("shift", "confirmed"): N_("you are already signed up for this shift (confirmed)"),
    ("event", "confirmed"): N_("you are already registered for this event (confirmed)"),
    ("shift", "waitlisted"): N_("you are already signed up for this shift (waitlisted)"),
    ("event", "waitlisted"): N_("you are already registered for this event (waitlisted)"),
    ("shift", "booked"): N_("you are already signed up for this shift"),
    ("event", "booked"): N_("you are already registered for this event"),
    ("shift", "not booked"): N_("you are not signed up for this shift"),
    ("event", "not booked"): N_("you are not registered for this event"),
}


def said(kind: Bookable, what: str) -> str:
    return _(_SAID[(kind.name, what)])


@dataclass(frozen=True)
class Bookable:
    """One kind of booking. Every name is a constant of this module, never input."""

    name: BookableKind  # as events and messages name it: "shift", "event"
    table: BookingTable  # the bookings
    parent_table: BookableTable  # the bookable things, whose row is the capacity lock
    parent_column: ParentColumn  # the booking's column naming its bookable
    booked_as: str  # "you are already <booked_as> this <name>"
    own_columns: tuple[str, ...] = ()  # read back with "my booking"
    reset_on_rebook: tuple[str, ...] = ()  # back to their defaults when a cancelled booking is taken again
    late_cancel: bool = False  # flag a confirmed place given up after the org's cutoff (a late_cancel column)

    def __post_init__(self) -> None:
        for value, allowed in ((self.table, BookingTable), (self.parent_table, BookableTable),
                               (self.parent_column, ParentColumn)):  # fmt: skip
            if value not in get_args(allowed):
                raise ValueError(f"{value!r} is not a booking table or column the engine knows")
        if not all(_COLUMN.match(c) for c in (*self.own_columns, *self.reset_on_rebook)):
            raise ValueError("own columns are plain column names (optionally cast)")

    # Rules every kind uses; a domain lists them among its own, in the order it wants.
    def not_cancelled(self, locked: asyncpg.Record, now: datetime) -> None:
        if locked["status"] == "cancelled":
            raise Conflict(said(self, "cancelled"))

    def not_booked_yet(self, locked: asyncpg.Record, now: datetime) -> None:
        if locked["my_status"] in ("confirmed", "waitlisted"):
            raise Conflict(said(self, locked["my_status"]))


SHIFT_SIGNUPS = Bookable(
    name="shift", table="signups", parent_table="shifts", parent_column="shift_id", booked_as="signed up for",
    own_columns=("late_cancel", "checked_in_at", "hours::float8 AS hours"),
    reset_on_rebook=("late_cancel", "checked_in_at", "hours"), late_cancel=True,
)
EVENT_REGISTRATIONS = Bookable(
    name="event", table="registrations", parent_table="events", parent_column="event_id", booked_as="registered for",
)
KINDS: dict[str, Bookable] = {kind.name: kind for kind in (SHIFT_SIGNUPS, EVENT_REGISTRATIONS)}


class Booking(msgspec.Struct, frozen=True):
    """A booking just taken; `position` is the 1-based waitlist rank (None unless waitlisted)."""

    id: UUID
    bookable_id: UUID
    user_id: UUID
    status: Literal["confirmed", "waitlisted"]
    position: int | None


async def take_place(
    conn: asyncpg.Connection, kind: Bookable, locked: asyncpg.Record, user_id: UUID, rules: Sequence[Rule]
) -> Booking:
    """Take a place, or the back of the waitlist when it is full. `locked` is the bookable's
    row, locked in an earlier statement; `rules` run first, in order."""
    now = clock.now()
    for rule in rules:
        rule(locked, now)
    bookable_id = locked["id"]
    row = await conn.fetchrow(queries.statements(kind).take_place, bookable_id, user_id, locked["capacity"])
    if row is None:  # a concurrent request of the same person got there first
        raise Conflict(said(kind, "booked"))
    await record(conn, BookingPlaced(booking_id=row["id"], bookable=kind.name, bookable_id=bookable_id,
                                     user_id=user_id, status=row["status"]))  # fmt: skip
    return Booking(id=row["id"], bookable_id=bookable_id, user_id=user_id, status=row["status"], position=row["position"])


async def cancel_mine(
    conn: asyncpg.Connection, kind: Bookable, locked: asyncpg.Record, user_id: UUID, rules: Sequence[Rule] = ()
) -> bool:
    """Give up my place (or leave the waitlist); a freed place goes to the first waitlisted
    person in the same transaction. Returns whether it was a place (not a waitlist spot)."""
    now = clock.now()
    for rule in rules:
        rule(locked, now)
    bookable_id = locked["id"]
    late = (locked["starts_at"], locked["cancellation_cutoff_hours"], now) if kind.late_cancel else ()
    row = await conn.fetchrow(queries.statements(kind).cancel_mine, bookable_id, user_id, *late)
    if row is None:
        raise NotFound(said(kind, "not booked"))
    had_place = row["was"] == "confirmed"
    await record(conn, BookingCancelled(booking_id=row["id"], bookable=kind.name, bookable_id=bookable_id,
                                        user_id=user_id, had_place=had_place))  # fmt: skip
    if had_place:
        await promote(conn, kind, bookable_id, locked["capacity"])
    return had_place


# A domain's own way to give up one booking: (conn, user id, bookable id), with its rules and events.
GiveUp = Callable[[asyncpg.Connection, UUID, UUID], Awaitable[object]]


async def future_bookings(conn: asyncpg.Connection, kind: Bookable, user_id: UUID, org_id: UUID | None) -> list[UUID]:
    """The bookables not started yet (of one organization, or of any when `org_id` is None)
    where the person holds a place or a waitlist spot, soonest first."""
    rows = await conn.fetch(queries.statements(kind).future, user_id, clock.now(), org_id)
    return [r["bookable_id"] for r in rows]


async def give_up_future(
    conn: asyncpg.Connection, kind: Bookable, user_id: UUID, org_id: UUID | None, give_up: GiveUp
) -> int:
    """Every one of `future_bookings` given up as the person would, through the domain's own
    `give_up` (the next person waiting gets the place): for leaving an organization, or
    erasing an account. Returns how many."""
    bookable_ids = await future_bookings(conn, kind, user_id, org_id)
    for bookable_id in bookable_ids:
        await give_up(conn, user_id, bookable_id)
    return len(bookable_ids)


async def promote(conn: asyncpg.Connection, kind: Bookable, bookable_id: UUID, capacity: int | None) -> int:
    """Fill free places from the front of the waitlist (capacity None: everyone). The
    bookable must be locked. Returns how many were promoted."""
    promoted = await conn.fetch(queries.statements(kind).promote, bookable_id, capacity)
    for row in promoted:
        await record(conn, BookingPlaced(booking_id=row["id"], bookable=kind.name, bookable_id=bookable_id,
                                         user_id=row["user_id"], status="confirmed", promoted=True))  # fmt: skip
    return len(promoted)


async def cancel_all(conn: asyncpg.Connection, kind: Bookable, bookable_id: UUID) -> int:
    """Cancel every active booking of a bookable being cancelled (locked). Returns how many."""
    rows = await conn.fetch(queries.statements(kind).cancel_all, bookable_id)
    for row in rows:
        await record(conn, BookingCancelled(booking_id=row["id"], bookable=kind.name, bookable_id=bookable_id,
                                            user_id=row["user_id"], had_place=row["was"] == "confirmed"))  # fmt: skip
    return len(rows)


async def cancel_bookable(conn: asyncpg.Connection, kind: Bookable, locked: asyncpg.Record, cancelled: Event) -> int:
    """Cancel the bookable itself (locked; `cancelled` is the domain's event saying so) and
    every booking with it, in one transaction. Returns how many bookings ended."""
    if locked["status"] == "cancelled":
        raise Conflict(said(kind, "already cancelled"))
    await conn.execute(queries.statements(kind).cancel_bookable, locked["id"])
    await record(conn, cancelled)
    return await cancel_all(conn, kind, locked["id"])


async def find_booking(conn: asyncpg.Connection, kind: Bookable, bookable_id: UUID, user_id: UUID) -> asyncpg.Record | None:
    """A person's booking (any status) with its position and the kind's own columns."""
    return await conn.fetchrow(queries.statements(kind).my_booking, bookable_id, user_id)


async def my_booking(conn: asyncpg.Connection, kind: Bookable, bookable_id: UUID, user_id: UUID) -> asyncpg.Record:
    """As find_booking; 404 when there is none. The caller checked they may see the bookable."""
    row = await find_booking(conn, kind, bookable_id, user_id)
    if row is None:
        raise NotFound(said(kind, "not booked"))
    return row


async def counts(conn: asyncpg.Connection, kind: Bookable, bookable_id: UUID) -> tuple[int, int]:
    """(confirmed, waitlisted) of one bookable."""
    row = await conn.fetchrow(queries.statements(kind).counts, bookable_id)
    return row["confirmed"], row["waitlisted"]


async def confirmed_places(conn: asyncpg.Connection, kind: Bookable, bookable_id: UUID) -> list[asyncpg.Record]:
    """(id, user_id) of every confirmed booking, in a stable order."""
    return await conn.fetch(queries.statements(kind).confirmed, bookable_id)


async def bookable_state(conn: asyncpg.Connection, kind: Bookable, bookable_id: UUID) -> asyncpg.Record | None:
    """(starts_at, status) of the bookable, or None when it is gone."""
    return await conn.fetchrow(queries.statements(kind).state, bookable_id)
