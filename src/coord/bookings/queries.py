"""The booking engine's SQL, written once and filled in per kind of booking.

The only names put into a statement are a kind's table and column names
(coord.bookings.engine.Bookable, checked against a fixed set there); every value
is a $n parameter. Aliases: `b` is a booking, `w` another booking of the same
bookable (the waitlist ahead of it), `c` the counts.

Capacity rule: every statement that can change who holds a place runs after the
bookable's row (the shift, the event) is locked with `... FOR UPDATE` in an
EARLIER statement of the same transaction. Under READ COMMITTED each statement
takes a fresh snapshot when it starts, so counting in a later statement sees
every booking committed by whoever held the lock before us. (Counting inside the
locking statement would not: its snapshot predates the wait for the lock, and it
could overbook.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coord.bookings.engine import Bookable


def position(kind: Bookable, alias: str) -> str:
    """The 1-based waitlist position of the booking aliased `alias` (NULL unless it is waitlisted)."""
    table, parent = kind.table, kind.parent_column
    return f"""CASE WHEN {alias}.status = 'waitlisted' THEN (
    SELECT count(*) FROM {table} w
    WHERE w.{parent} = {alias}.{parent} AND w.status = 'waitlisted' AND w.queue_order <= {alias}.queue_order
) END"""


def counts(kind: Bookable, parent_alias: str) -> str:
    """A join adding c.confirmed_count and c.waitlist_count of the bookable aliased `parent_alias`."""
    return f"""
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE b.status = 'confirmed') AS confirmed_count,
           count(*) FILTER (WHERE b.status = 'waitlisted') AS waitlist_count
    FROM {kind.table} b WHERE b.{kind.parent_column} = {parent_alias}.id AND b.status <> 'cancelled'
) c ON true
"""


# Take a place, or the back of the waitlist ($3 = the locked capacity; NULL is
# unlimited). A cancelled booking is reused with a new queue_order (the back of the
# queue) and its own columns back at their defaults; an active one returns no row
# (already booked). The new row has the highest queue_order of the bookable, so its
# rank among the waitlisted is waitlisted + 1.
TAKE_PLACE = """
WITH tally AS (
    SELECT count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
           count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted
    FROM {table} WHERE {parent} = $1 AND status <> 'cancelled'
)
INSERT INTO {table} AS b ({parent}, user_id, status)
SELECT $1, $2, CASE WHEN $3::int IS NULL OR tally.confirmed < $3 THEN 'confirmed' ELSE 'waitlisted' END FROM tally
ON CONFLICT ({parent}, user_id) DO UPDATE
    SET status = EXCLUDED.status, queue_order = EXCLUDED.queue_order, cancelled_at = NULL, updated_at = now(){resets}
    WHERE b.status = 'cancelled'
RETURNING b.id, b.status,
          CASE WHEN b.status = 'waitlisted' THEN (SELECT waitlisted FROM tally) + 1 END AS position
"""

# Give up my booking ($1 the bookable, $2 me); `was` says whether it held a place.
CANCEL_MINE = """
WITH mine AS (
    SELECT id, status FROM {table} WHERE {parent} = $1 AND user_id = $2 AND status <> 'cancelled'
)
UPDATE {table} b SET status = 'cancelled', cancelled_at = now(), updated_at = now(){late_cancel}
FROM mine WHERE b.id = mine.id
RETURNING b.id, mine.status AS was
"""
# A confirmed place given up later than the org's cutoff before the start is a late
# cancel: $3 the start, $4 the cutoff in hours, $5 now.
LATE_CANCEL = """,
    late_cancel = (mine.status = 'confirmed' AND $5::timestamptz > $3::timestamptz - make_interval(hours => $4::int))"""

# Fill free places from the front of the waitlist ($2 = the locked capacity; NULL: all).
PROMOTE_WAITLISTED = """
WITH free AS (
    SELECT CASE WHEN $2::int IS NULL THEN NULL ELSE greatest($2::int - count(*), 0) END AS places
    FROM {table} WHERE {parent} = $1 AND status = 'confirmed'
), next_up AS (
    SELECT id FROM {table} WHERE {parent} = $1 AND status = 'waitlisted'
    ORDER BY queue_order LIMIT (SELECT places FROM free)
)
UPDATE {table} b SET status = 'confirmed', updated_at = now()
FROM next_up WHERE b.id = next_up.id
RETURNING b.id, b.user_id
"""

# Every active booking of a cancelled bookable; `was` as in CANCEL_MINE.
CANCEL_ALL = """
WITH active AS (SELECT id, status FROM {table} WHERE {parent} = $1 AND status <> 'cancelled' FOR UPDATE)
UPDATE {table} b SET status = 'cancelled', cancelled_at = now(), updated_at = now()
FROM active WHERE b.id = active.id
RETURNING b.id, b.user_id, active.status AS was
"""

MY_BOOKING = """
SELECT b.id, b.{parent}, b.user_id, b.status{own_columns},
       {position} AS position
FROM {table} b WHERE b.{parent} = $1 AND b.user_id = $2
"""

COUNTS = """
SELECT count(*) FILTER (WHERE status = 'confirmed') AS confirmed, count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted
FROM {table} WHERE {parent} = $1 AND status <> 'cancelled'
"""

CONFIRMED = "SELECT id, user_id FROM {table} WHERE {parent} = $1 AND status = 'confirmed' ORDER BY id"

# The bookable itself cancelled: SEQUENCE goes up, so calendars are told.
CANCEL_BOOKABLE = (
    "UPDATE {parent_table} SET status = 'cancelled', sequence = sequence + 1, updated_at = now() WHERE id = $1"
)

# When the bookable starts and whether it is still on (for the urgency of a message).
STATE = "SELECT starts_at, status FROM {parent_table} WHERE id = $1"

# What person $1 holds a place or a waitlist spot on, not started at $2 and still on,
# of organization $3 (or of any when NULL), soonest first.
FUTURE = """
SELECT b.{parent} AS bookable_id FROM {table} b JOIN {parent_table} p ON p.id = b.{parent}
WHERE b.user_id = $1 AND b.status IN ('confirmed', 'waitlisted') AND p.starts_at > $2 AND p.status = 'scheduled'
  AND ($3::uuid IS NULL OR p.org_id = $3)
ORDER BY p.starts_at, p.id
"""


@dataclass(frozen=True)
class Statements:
    take_place: str
    cancel_mine: str
    promote: str
    cancel_all: str
    cancel_bookable: str
    my_booking: str
    counts: str
    confirmed: str
    state: str
    future: str


@cache
def statements(kind: Bookable) -> Statements:
    """The engine's statements for one kind of booking (built once per kind)."""
    names = {"table": kind.table, "parent": kind.parent_column, "parent_table": kind.parent_table}
    resets = "".join(f", {column} = DEFAULT" for column in kind.reset_on_rebook)
    own = "".join(f", b.{column}" for column in kind.own_columns)
    return Statements(
        take_place=TAKE_PLACE.format(resets=resets, **names),
        cancel_mine=CANCEL_MINE.format(late_cancel=LATE_CANCEL if kind.late_cancel else "", **names),
        promote=PROMOTE_WAITLISTED.format(**names),
        cancel_all=CANCEL_ALL.format(**names),
        cancel_bookable=CANCEL_BOOKABLE.format(**names),
        my_booking=MY_BOOKING.format(own_columns=own, position=position(kind, "b"), **names),
        counts=COUNTS.format(**names),
        confirmed=CONFIRMED.format(**names),
        state=STATE.format(**names),
        future=FUTURE.format(**names),
    )
