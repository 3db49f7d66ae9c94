"""Signing up for shifts, the waitlist, check-in and hours. Runs inside the caller's transaction.

Places are the booking engine's (coord.bookings): capacity under the shift's row
lock, the waitlist, promotion, the late-cancel flag. A shift adds its own rules:
signups close at the start, the required training, no overlapping shifts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
from babel.dates import format_date

from coord.auth.gate import require_confirmed
from coord.bookings import engine as bookings
from coord.bookings.engine import SHIFT_SIGNUPS
from coord import i18n
from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.access import STAFF, require_role
from coord.kernel.errors import Conflict, Forbidden, NotFound
from coord.outbox.domain_events import SignupCheckedIn, SignupHoursRecorded
from coord.outbox.record import record
from coord.kernel.pagination import KeyInstant, Page, decode_cursor, page_of
from coord.shifts import queries
from coord.shifts.schemas import MySignupOut, ShiftOut, SignupOut
from coord.shifts.service import get_shift, lock_shift

CHECK_IN_OPENS_BEFORE_START = timedelta(hours=1)


def _not_started(shift: asyncpg.Record, now: datetime) -> None:
    if now >= shift["starts_at"]:
        raise Conflict(_("this shift has already started, so signing up is closed"))


def _trained(shift: asyncpg.Record, now: datetime) -> None:
    if not shift["trained"]:
        code = shift["required_training"]
        raise Forbidden(
            # Said on the shift board as well as in the API: no paths, the page where to add it.
            _("This shift needs the %(training)s training, valid on %(date)s. Add it on your Trainings "
              "page (My account, then Trainings), then sign up again.")
            % {"training": code, "date": format_date(shift["shift_date"], "long", locale=i18n.current())},
            slug="training-required",
            extra={"required_training": code},
        )


def _no_overlap(shift: asyncpg.Record, now: datetime) -> None:
    if other := shift["overlapping_shift_id"]:
        raise Conflict(
            # The other shift's id is in `extra` for the API; the words are for a person.
            _("you already have a confirmed shift at an overlapping time"),
            slug="overlapping-shift",
            extra={"overlapping_shift_id": str(other)},
        )


def _not_ended(shift: asyncpg.Record, now: datetime) -> None:
    if now >= shift["ends_at"]:
        raise Conflict(_("this shift has ended"))


SIGN_UP_RULES = (SHIFT_SIGNUPS.not_cancelled, _not_started, SHIFT_SIGNUPS.not_booked_yet, _trained, _no_overlap)


async def sign_up(conn: asyncpg.Connection, user_id: UUID, shift_id: UUID) -> SignupOut:
    """Take a place, or the back of the waitlist when the shift is full. After a lock on the
    person (so their own concurrent signups are checked against each other), one statement
    locks the shift and reads every rule's input (the confirmation gate's too), then the
    engine counts and inserts."""
    await conn.execute(queries.LOCK_PERSON_FOR_SIGNUP, user_id)
    shift = await conn.fetchrow(queries.LOCK_SHIFT_FOR_SIGNUP, shift_id, user_id)
    if shift is None or not shift["roles"]:
        raise NotFound(_("no such shift"))
    require_confirmed(shift["email_confirmed"])
    place = await bookings.take_place(conn, SHIFT_SIGNUPS, shift, user_id, SIGN_UP_RULES)
    return SignupOut(id=place.id, shift_id=shift_id, user_id=user_id, status=place.status, position=place.position)


async def cancel_signup(conn: asyncpg.Connection, user_id: UUID, shift_id: UUID) -> None:
    """Give up a place (or leave the waitlist). A freed place goes to the first
    waitlisted person in the same transaction. Later than the org's cutoff before
    the start, it is still allowed but flagged as a late cancel."""
    shift = await lock_shift(conn, user_id, shift_id)
    await bookings.cancel_mine(conn, SHIFT_SIGNUPS, shift, user_id, rules=(_not_ended,))


async def my_signup(conn: asyncpg.Connection, user_id: UUID, shift_id: UUID) -> SignupOut:
    await get_shift(conn, user_id, shift_id)
    return SignupOut(**dict(await bookings.my_booking(conn, SHIFT_SIGNUPS, shift_id, user_id)))


async def check_in(conn: asyncpg.Connection, user_id: UUID, shift_id: UUID) -> SignupOut:
    """Self check-in, from an hour before the start until the end. Repeating it keeps the first time."""
    shift = await get_shift(conn, user_id, shift_id)
    row = await bookings.find_booking(conn, SHIFT_SIGNUPS, shift_id, user_id)
    if row is None or row["status"] != "confirmed":
        raise Conflict(_("only someone with a confirmed place can check in"))
    now = clock.now()
    opens = shift.starts_at - CHECK_IN_OPENS_BEFORE_START
    if not opens <= now <= shift.ends_at:
        raise Conflict(_("check-in opens an hour before the shift starts and closes when it ends"))
    await conn.execute(queries.CHECK_IN, row["id"], clock.now())
    await record(conn, SignupCheckedIn(signup_id=row["id"], shift_id=shift_id))
    return SignupOut(**dict(await bookings.find_booking(conn, SHIFT_SIGNUPS, shift_id, user_id)))


async def _staff_on_place(conn: asyncpg.Connection, actor_id: UUID, shift_id: UUID, signup_id: UUID,
                          done: str) -> ShiftOut:
    """The shift, for staff acting on one of its confirmed places (`done`: "checked in")."""
    shift = await get_shift(conn, actor_id, shift_id)
    await require_role(conn, shift.org_id, actor_id, STAFF)
    row = await conn.fetchrow(queries.SIGNUP_BY_ID, signup_id, shift_id)
    if row is None:
        raise NotFound(_("no such signup on this shift"))
    if row["status"] != "confirmed":
        raise Conflict((_("only someone with a confirmed place can be given hours; this signup is %(status)s")
                        if done == "given hours" else
                        _("only someone with a confirmed place can be checked in; this signup is %(status)s"))
                       % {"status": row["status"]})
    return shift


async def set_hours(conn: asyncpg.Connection, actor_id: UUID, shift_id: UUID, signup_id: UUID, hours: float) -> SignupOut:
    """Staff record the hours a volunteer served (confirmed places, once the shift has started)."""
    shift = await _staff_on_place(conn, actor_id, shift_id, signup_id, "given hours")
    if clock.now() < shift.starts_at:
        raise Conflict(_("hours can be recorded once the shift has started"))
    await conn.execute(queries.SET_HOURS, signup_id, hours)
    await record(conn, SignupHoursRecorded(signup_id=signup_id, shift_id=shift_id))
    return SignupOut(**dict(await conn.fetchrow(queries.SIGNUP_BY_ID, signup_id, shift_id)))


async def check_in_volunteer(conn: asyncpg.Connection, actor_id: UUID, shift_id: UUID, signup_id: UUID) -> SignupOut:
    """Staff check a volunteer in, from an hour before the start (also after the end, to
    catch up). Repeating it keeps the first time."""
    shift = await _staff_on_place(conn, actor_id, shift_id, signup_id, "checked in")
    if shift.status == "cancelled":
        raise Conflict(_("this shift is cancelled"))
    if clock.now() < shift.starts_at - CHECK_IN_OPENS_BEFORE_START:
        raise Conflict(_("check-in opens an hour before the shift starts"))
    await conn.execute(queries.CHECK_IN, signup_id, clock.now())
    await record(conn, SignupCheckedIn(signup_id=signup_id, shift_id=shift_id))
    return SignupOut(**dict(await conn.fetchrow(queries.SIGNUP_BY_ID, signup_id, shift_id)))


async def my_signups(conn: asyncpg.Connection, user_id: UUID, limit: int, cursor: str | None) -> Page[MySignupOut]:
    after_start, after_id = decode_cursor(cursor, tuple[KeyInstant, UUID]) or (None, None)
    rows = await conn.fetch(queries.MY_SIGNUPS, user_id, after_start, after_id, limit + 1)
    return page_of([MySignupOut(**dict(r)) for r in rows], limit, lambda s: (s.starts_at, s.id))

