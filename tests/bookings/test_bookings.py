"""The booking engine (coord.bookings) and the booking messages' plan (coord.notify.bookings)."""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import timedelta

import asyncpg
import pytest

from coord.bookings import engine
from coord.bookings.engine import EVENT_REGISTRATIONS, SHIFT_SIGNUPS, Bookable
from coord.kernel.db.migrate import migrate, migrations_dir
from coord.kernel.errors import Conflict
from coord.notify.bookings import (
    BookableFacts,
    Place,
    plan_booking_messages,
    plan_update_messages,
)
from coord.outbox.domain_events import BookingCancelled, BookingPlaced, decode_event
from tests.moments import now
from tests.support.world import make_event, make_shift, org_with_volunteers

ANA, BEN, ITEM, BOOKING = (uuid.uuid4() for _ in range(4))


@pytest.fixture
async def org_setup(api):
    """An org with an admin and three volunteers."""
    return await org_with_volunteers(api)


def placed(status="confirmed", promoted=False, bookable="shift") -> BookingPlaced:
    return BookingPlaced(booking_id=BOOKING, bookable=bookable, bookable_id=ITEM, user_id=ANA, status=status,
                         promoted=promoted)  # fmt: skip


def cancelled(had_place=True, bookable="event") -> BookingCancelled:
    return BookingCancelled(booking_id=BOOKING, bookable=bookable, bookable_id=ITEM, user_id=ANA, had_place=had_place)


def facts(hours_ahead: float, status: str = "scheduled") -> BookableFacts:
    return BookableFacts(starts_at=now() + timedelta(hours=hours_ahead), status=status)


# --- the plan: who gets which message (no database, SMTP or Redis) -----------------


@pytest.mark.parametrize("bookable", ["shift", "event"])
def test_the_person_booked_is_told_and_nobody_else(bookable):
    [message] = plan_booking_messages(placed(bookable=bookable), facts(72))
    assert (message.recipient, message.kind, message.change, message.urgent) == (ANA, "invite", "confirmed", True)
    assert (message.bookable, message.bookable_id, message.booking_id) == (bookable, ITEM, BOOKING)


@pytest.mark.parametrize(
    ("event", "hours_ahead", "status", "kind", "change", "urgent"),
    [
        # Answers to the person's own action go at once.
        (placed("waitlisted"), 72, "scheduled", "waitlist", "waitlisted", True),
        (cancelled(had_place=True), 72, "scheduled", "cancellation", "cancelled", True),
        (cancelled(had_place=False), 72, "scheduled", "cancellation", "left_waitlist", True),
        # What others did waits out quiet hours, unless it starts within 12 hours.
        (placed(promoted=True), 72, "scheduled", "promotion", "promoted", False),
        (placed(promoted=True), 3, "scheduled", "promotion", "promoted", True),
        (cancelled(had_place=True), 72, "cancelled", "cancellation", "cancelled", False),
        (cancelled(had_place=False), 2, "cancelled", "cancellation", "left_waitlist", True),
    ],
)
def test_kind_and_urgency_of_each_change(event, hours_ahead, status, kind, change, urgent):
    [message] = plan_booking_messages(event, facts(hours_ahead, status))
    assert (message.recipient, message.kind, message.change, message.urgent) == (ANA, kind, change, urgent)


def test_a_bookable_gone_makes_a_promotion_wait():
    [message] = plan_booking_messages(placed(promoted=True), None)
    assert (message.kind, message.urgent) == ("promotion", False)


def test_a_moved_bookable_sends_the_invite_again_to_each_confirmed_person():
    places = [Place(booking_id=uuid.uuid4(), user_id=ANA), Place(booking_id=uuid.uuid4(), user_id=BEN)]
    plan = plan_update_messages("event", ITEM, True, facts(72), places)
    assert [(m.recipient, m.kind, m.change, m.booking_id, m.urgent) for m in plan] == [
        (p.user_id, "invite", "updated", p.booking_id, False) for p in places
    ]
    assert all(m.urgent for m in plan_update_messages("shift", ITEM, True, facts(5), places))
    assert plan_update_messages("shift", ITEM, False, facts(5), places) == []  # nothing a calendar shows
    assert plan_update_messages("shift", ITEM, True, facts(72), []) == []


# --- stored events of the old shape stay readable ------------------------------------

OLD_ROWS = [
    ("signup.confirmed", {"signup_id": "s1", "shift_id": "p1", "user_id": "u1", "promoted": True}),
    ("signup.waitlisted", {"signup_id": "s2", "shift_id": "p1", "user_id": "u2"}),
    ("signup.cancelled", {"signup_id": "s3", "shift_id": "p1", "user_id": "u3", "had_place": False}),
    ("registration.confirmed", {"registration_id": "r1", "event_id": "e1", "user_id": "u1", "promoted": False}),
    ("registration.waitlisted", {"registration_id": "r2", "event_id": "e1", "user_id": "u2"}),
    ("registration.cancelled", {"registration_id": "r3", "event_id": "e1", "user_id": "u3", "had_place": True}),
]


async def test_old_booking_rows_decode_after_the_migration(fresh_database, tmp_path):
    ids = {name: str(uuid.uuid4()) for name in ("s1", "s2", "s3", "r1", "r2", "r3", "p1", "e1", "u1", "u2", "u3")}
    before = tmp_path / "migrations"
    before.mkdir()
    for path in sorted(migrations_dir().glob("*.sql")):
        if path.name < "0011_":
            shutil.copy(path, before / path.name)
    await migrate(fresh_database, before)
    conn = await asyncpg.connect(fresh_database)
    try:
        for kind, payload in OLD_ROWS:
            stored = {"kind": kind} | {k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
            await conn.execute("INSERT INTO outbox (kind, payload) VALUES ($1, $2::jsonb)", kind, json.dumps(stored))
        await migrate(fresh_database)  # the rest, 0011_booking_events among them
        rows = await conn.fetch("SELECT kind, payload::text AS raw FROM outbox ORDER BY id")
    finally:
        await conn.close()
    decoded = [decode_event(r["raw"]) for r in rows]
    assert [r["kind"] for r in rows] == ["booking.placed"] * 2 + ["booking.cancelled"] + ["booking.placed"] * 2 + [
        "booking.cancelled"
    ]
    u = {k: uuid.UUID(v) for k, v in ids.items()}
    assert decoded == [
        BookingPlaced(booking_id=u["s1"], bookable="shift", bookable_id=u["p1"], user_id=u["u1"], status="confirmed",
                      promoted=True),
        BookingPlaced(booking_id=u["s2"], bookable="shift", bookable_id=u["p1"], user_id=u["u2"], status="waitlisted"),
        BookingCancelled(booking_id=u["s3"], bookable="shift", bookable_id=u["p1"], user_id=u["u3"], had_place=False),
        BookingPlaced(booking_id=u["r1"], bookable="event", bookable_id=u["e1"], user_id=u["u1"], status="confirmed"),
        BookingPlaced(booking_id=u["r2"], bookable="event", bookable_id=u["e1"], user_id=u["u2"], status="waitlisted"),
        BookingCancelled(booking_id=u["r3"], bookable="event", bookable_id=u["e1"], user_id=u["u3"], had_place=True),
    ]  # fmt: skip


# --- one engine, both kinds -------------------------------------------------------------


async def lock(conn, kind: Bookable, bookable_id, user_id):
    """What a domain's lock statement gives the engine (its own rules' inputs aside)."""
    return await conn.fetchrow(
        f"""SELECT p.id, p.capacity, p.status, p.starts_at, o.cancellation_cutoff_hours,
                   (SELECT b.status FROM {kind.table} b WHERE b.{kind.parent_column} = p.id AND b.user_id = $2) AS my_status
            FROM {kind.parent_table} p JOIN orgs o ON o.id = p.org_id WHERE p.id = $1 FOR UPDATE OF p""",
        bookable_id, user_id,
    )  # fmt: skip


@pytest.mark.parametrize("kind", [SHIFT_SIGNUPS, EVENT_REGISTRATIONS], ids=lambda k: k.name)
async def test_the_engine_serves_both_kinds_with_the_same_functions(kind, client, pool, org_setup):
    org, admin, (a, b, c) = org_setup
    make = make_shift if kind is SHIFT_SIGNUPS else make_event
    bookable_id = uuid.UUID((await make(client, org, admin, capacity=1))["id"])
    people = [uuid.UUID(p.id) for p in (a, b, c)]
    rules = (kind.not_cancelled, kind.not_booked_yet)
    async with pool.acquire() as conn, conn.transaction():
        taken = [await engine.take_place(conn, kind, await lock(conn, kind, bookable_id, p), p, rules)
                 for p in people]  # fmt: skip
        assert [(t.status, t.position) for t in taken] == [("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]
        assert await engine.counts(conn, kind, bookable_id) == (1, 2)
        with pytest.raises(Conflict, match=f"already {kind.booked_as}"):
            await engine.take_place(conn, kind, await lock(conn, kind, bookable_id, people[1]), people[1], rules)
        assert await engine.cancel_mine(conn, kind, await lock(conn, kind, bookable_id, people[0]), people[0])
        mine = await engine.my_booking(conn, kind, bookable_id, people[1])
        assert (mine["status"], mine["position"]) == ("confirmed", None)  # promoted in the same transaction
        assert (await engine.my_booking(conn, kind, bookable_id, people[2]))["position"] == 1
        assert [r["user_id"] for r in await engine.confirmed_places(conn, kind, bookable_id)] == [people[1]]
        assert await engine.cancel_all(conn, kind, bookable_id) == 2
        assert await engine.counts(conn, kind, bookable_id) == (0, 0)
    rows = await pool.fetch("SELECT payload::text AS raw FROM outbox WHERE kind LIKE 'booking.%' ORDER BY id")
    events = [decode_event(r["raw"]) for r in rows]
    assert {(e.bookable, e.bookable_id) for e in events} == {(kind.name, bookable_id)}
    assert [(type(e).__name__, e.user_id) for e in events[:5]] == [
        ("BookingPlaced", people[0]), ("BookingPlaced", people[1]), ("BookingPlaced", people[2]),
        ("BookingCancelled", people[0]), ("BookingPlaced", people[1]),
    ]  # fmt: skip
    assert [e.status for e in events[:3]] == ["confirmed", "waitlisted", "waitlisted"] and events[4].promoted
    assert {(type(e).__name__, e.user_id, e.had_place) for e in events[5:]} == {
        ("BookingCancelled", people[1], True), ("BookingCancelled", people[2], False),
    }  # fmt: skip


def test_a_kind_names_only_known_tables():
    with pytest.raises(ValueError):
        Bookable(name="shift", table="users", parent_table="shifts", parent_column="shift_id", booked_as="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Bookable(name="shift", table="signups", parent_table="shifts", parent_column="shift_id", booked_as="x",
                 own_columns=("hours; DROP TABLE users",))  # fmt: skip
