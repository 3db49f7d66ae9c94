"""Messages about one person's booking: a place on a shift or at a community event.

Two steps. Planning decides who gets which message, as typed values, from the
domain event and the facts loaded when the job runs (`plan_booking_messages`,
`plan_update_messages`: no database, no SMTP). Building turns one planned message
into an email (`booking_message`), re-reading the booking: if the place has
changed since the event (confirmed, then cancelled a second later), it returns
None and the later event's message says what is true.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from email.message import Message
from typing import Literal
from uuid import UUID

import asyncpg
import msgspec

from coord.bookings import engine as bookings
from coord.calendar import Calendar, CalEvent
from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.config import Settings
from coord.notify import queries
from coord.notify.imip import imip_message
from coord.notify.changes import Before, from_to, moved_in_time, place_of, where
from coord.notify.messages import Sender, base_message, day_and_time, hello, paragraphs_to_text_and_html, titled, when
from coord.notify.preferences import MessageKind
from coord.notify.quiet_hours import starts_soon
from coord.outbox.domain_events import BookableKind, BookingCancelled, BookingPlaced

Change = Literal["confirmed", "promoted", "updated", "waitlisted", "cancelled", "left_waitlist"]
# The message kind each change is filed (and can be turned off) under.
DELIVERY_KIND: dict[Change, MessageKind] = {
    "confirmed": "invite", "promoted": "promotion", "updated": "invite", "waitlisted": "waitlist",
    "cancelled": "cancellation", "left_waitlist": "cancellation",
}
# What the person's booking must say now for the message to still be true.
EXPECTED_STATUS = {
    "confirmed": "confirmed", "promoted": "confirmed", "updated": "confirmed", "waitlisted": "waitlisted",
    "cancelled": "cancelled", "left_waitlist": "cancelled",
}
# Answers to the person's own signup: urgent whatever the shift or event says.
ANSWERS = ("confirmed", "waitlisted")
# Notices without a calendar: the person holds no place, so no invite to add or cancel.
NO_INVITE = ("waitlisted", "left_waitlist")


# --- planning: who gets which message ------------------------------------------


class BookableFacts(msgspec.Struct, frozen=True):
    """The shift or event as it is when the job runs."""

    starts_at: datetime
    status: str  # "cancelled": the organization cancelled it


class Place(msgspec.Struct, frozen=True):
    booking_id: UUID
    user_id: UUID


class PlannedMessage(msgspec.Struct, frozen=True):
    recipient: UUID  # a user id
    kind: MessageKind  # invite, promotion, waitlist or cancellation: the person may turn it off
    change: Change
    bookable: BookableKind
    bookable_id: UUID
    booking_id: UUID
    urgent: bool  # goes even in the recipient's quiet hours
    before: Before | None = None  # an update: when (and where) it was, for the message to say from what to what


def change_of(event: BookingPlaced | BookingCancelled) -> Change:
    if isinstance(event, BookingPlaced):
        if event.status == "waitlisted":
            return "waitlisted"
        return "promoted" if event.promoted else "confirmed"
    return "cancelled" if event.had_place else "left_waitlist"


def needs_facts(event: BookingPlaced | BookingCancelled) -> bool:
    """Whether planning this event's message reads the shift or event (`_urgent`)."""
    return change_of(event) not in ANSWERS


def _urgent(change: Change, facts: BookableFacts | None, now: datetime | None) -> bool:
    """Answers to the person's own action go at once. What others did (a promotion, the
    organization cancelling or moving it) respects quiet hours, unless the shift or event
    starts within 12 hours (morning could be too late)."""
    if change in ANSWERS:
        return True
    if facts is None:
        return False
    own_cancel = change in ("cancelled", "left_waitlist") and facts.status != "cancelled"
    return own_cancel or starts_soon(facts.starts_at, now)


def plan_booking_messages(
    event: BookingPlaced | BookingCancelled, facts: BookableFacts | None, now: datetime | None = None
) -> list[PlannedMessage]:
    """One person's booking changed: that person, and nobody else, is told."""
    change = change_of(event)
    return [
        PlannedMessage(
            recipient=event.user_id, kind=DELIVERY_KIND[change], change=change, bookable=event.bookable,
            bookable_id=event.bookable_id, booking_id=event.booking_id, urgent=_urgent(change, facts, now),
        )
    ]  # fmt: skip


def plan_update_messages(
    bookable: BookableKind, bookable_id: UUID, invite_changed: bool, facts: BookableFacts | None,
    places: Sequence[Place], now: datetime | None = None, before: Before | None = None,
) -> list[PlannedMessage]:
    """A shift or event moved (time, place, title): each confirmed person gets the invite
    again with SEQUENCE raised, so their calendar updates the entry it has. A change no
    calendar shows tells nobody."""
    if not invite_changed:
        return []
    urgent = _urgent("updated", facts, now)
    return [
        PlannedMessage(
            recipient=p.user_id, kind=DELIVERY_KIND["updated"], change="updated", bookable=bookable,
            bookable_id=bookable_id, booking_id=p.booking_id, urgent=urgent, before=before,
        )
        for p in places
    ]  # fmt: skip


async def load_facts(conn: asyncpg.Connection, bookable: BookableKind, bookable_id: UUID) -> BookableFacts | None:
    row = await bookings.bookable_state(conn, bookings.KINDS[bookable], bookable_id)
    return None if row is None else BookableFacts(starts_at=row["starts_at"], status=row["status"])


async def load_places(conn: asyncpg.Connection, bookable: BookableKind, bookable_id: UUID) -> list[Place]:
    rows = await bookings.confirmed_places(conn, bookings.KINDS[bookable], bookable_id)
    return [Place(booking_id=r["id"], user_id=r["user_id"]) for r in rows]


# --- building: the message itself -------------------------------------------------


class BookedItem(msgspec.Struct, frozen=True):
    """What a booking message says, whichever kind the booking is."""

    booking_status: str
    position: int | None
    cancelled_by_org: bool
    what: str  # in a sentence: "the Greeter shift with Riverside Center"
    title: str  # first in a subject: "Greeter shift"
    summary: str  # the calendar entry's title
    uid: str
    starts_at: datetime
    ends_at: datetime
    tz: str  # the calendar entry's zone
    sequence: int
    org_name: str
    organizer: str
    link_path: str
    location: str | None  # told to people with a place, never in a cancellation
    description: str | None = None  # what to know: the calendar entry's DESCRIPTION and the message say it
    venue_id: UUID | None = None  # an event's, to tell a change of venue

    @property
    def sender(self) -> Sender:
        return Sender(self.org_name, self.organizer)


async def _shift_item(conn: asyncpg.Connection, shift_id: UUID, signup_id: UUID) -> BookedItem | None:
    row = await conn.fetchrow(queries.SHIFT_BOOKING, shift_id, signup_id)
    if row is None:
        return None
    return BookedItem(
        booking_status=row["booking_status"], position=row["position"], cancelled_by_org=row["status"] == "cancelled",
        what=_("the %(role)s shift with %(org)s") % {"role": row["role"], "org": row["org_name"]},
        title=_("%(role)s shift") % {"role": row["role"]},
        summary=_("%(role)s shift (%(org)s)") % {"role": row["role"], "org": row["org_name"]}, uid=f"shift-{shift_id}@coord", starts_at=row["starts_at"],
        ends_at=row["ends_at"], tz=row["org_timezone"], sequence=row["sequence"], org_name=row["org_name"],
        organizer=row["contact_email"], link_path="/shifts", description=row["description"] or None,
        # Where at the venue (the shift's own words), then the venue of its event or session.
        location=where(row["meeting_url"], row["location"], row["venue_name"], row["address"]),
    )  # fmt: skip


async def _event_item(conn: asyncpg.Connection, event_id: UUID, registration_id: UUID) -> BookedItem | None:
    row = await conn.fetchrow(queries.EVENT_BOOKING, event_id, registration_id)
    if row is None:
        return None
    return BookedItem(
        booking_status=row["booking_status"], position=row["position"], cancelled_by_org=row["status"] == "cancelled",
        what=row["title"], title=row["title"], summary=row["title"], uid=f"event-{event_id}@coord",
        starts_at=row["starts_at"], ends_at=row["ends_at"], tz=row["timezone"], sequence=row["sequence"],
        org_name=row["org_name"], organizer=row["contact_email"], link_path=f"/events/{event_id}",
        location=where(row["meeting_url"], row["venue_name"], row["address"]), description=row["description"] or None,
        venue_id=row["venue_id"],
    )  # fmt: skip


ItemLoader = Callable[[asyncpg.Connection, UUID, UUID], Awaitable[BookedItem | None]]
ITEMS: dict[str, ItemLoader] = {"shift": _shift_item, "event": _event_item}


IN_YOUR_CALENDAR = N_("It is in the attached invitation, so your calendar can keep it.")
# Subject and paragraphs for each change (with `/by_org` when the organization cancelled
# the shift or event), filled with what, when, org and position; translated when sent.
WORDING: dict[str, tuple[str, tuple[str, ...]]] = {
    "promoted": (N_("A place opened up: %(what)s"), (
        N_("A place opened up and you are now confirmed for %(what)s on %(when)s."), IN_YOUR_CALENDAR,
    )),
    "updated": (N_("Updated: %(what)s"), (
        N_("There is a change to %(what)s: it is now on %(when)s. You are still confirmed."),
        N_("Your calendar will update from the attached invitation. If the new time does not suit you, "
           "you can cancel your place from the link below."),
    )),
    "confirmed": (N_("You're confirmed: %(what)s"), (N_("You are confirmed for %(what)s on %(when)s."),
                                                     IN_YOUR_CALENDAR)),
    "waitlisted": (N_("You're on the waitlist: %(what)s"), (
        N_("%(what)s on %(when)s is full for now. You are number %(position)s on the waitlist."),
        N_("If a place opens up we will confirm you and send an invitation. Nothing else to do."),
    )),
    "left_waitlist": (N_("You've left the waitlist: %(what)s"),
                      (N_("You are no longer on the waitlist for %(what)s on %(when)s."),)),
    "left_waitlist/by_org": (N_("Cancelled: %(what)s"), (
        N_("%(org)s has cancelled %(what)s on %(when)s, so its waitlist is closed. There is nothing else to do."),
    )),
    "cancelled": (N_("Your place is cancelled: %(what)s"), (
        N_("Your place for %(what)s on %(when)s is cancelled. Thank you for letting us know."),
    )),
    "cancelled/by_org": (N_("Cancelled: %(what)s"), (N_("%(org)s has cancelled %(what)s on %(when)s."),
                                                     N_("Sorry for the change of plans."))),
}


def _sentence_start(text: str) -> str:
    """A sentence may open with what it is about ("the Greeter shift ..."): capitalized there."""
    return text[:1].upper() + text[1:]


def _wording(change: Change, what: str, when_text: str, org: str, position: int | None, by_org: bool) -> tuple[str, list[str]]:
    key = f"{change}/by_org" if by_org and f"{change}/by_org" in WORDING else change
    subject, paragraphs = WORDING[key]
    values = {"what": what, "when": when_text, "org": org, "position": position}
    return _(subject) % values, [_sentence_start(_(paragraph) % values) for paragraph in paragraphs]


async def _moved(
    conn: asyncpg.Connection, item: BookedItem, before: Before, tz: str
) -> tuple[str, list[str]] | None:
    """What an update says when the event said what it was: from when (and where) to when (and where).
    None when neither its time nor its venue changed (a new title, a venue's details edited)."""
    moved = moved_in_time(before, item.starts_at, item.ends_at)
    new_venue = before.venue_id != item.venue_id and item.link_path != "/shifts"  # a shift's place is its own
    if not moved and not new_venue:
        return None
    before_place = await place_of(conn, before.venue_id) if new_venue else item.location
    if moved:
        subject = titled(item.title, _("moved from %(before)s to %(after)s") % {
            "before": day_and_time(before.starts_at, tz), "after": day_and_time(item.starts_at, tz)})
    else:
        subject = titled(item.title, _("a new place on %(moment)s") % {"moment": day_and_time(item.starts_at, tz)})
    return subject, [
        _("There is a change to %(what)s.") % {"what": item.what} + " "
        + from_to(before, before_place, item.starts_at, item.ends_at, item.location, tz),
        _("You are still confirmed. Your calendar will update from the attached invitation. If this does not suit "
          "you, you can cancel your place from the link below."),
    ]


def _details(item: BookedItem) -> list[str]:
    """Where and what to know, for someone with a place."""
    return (([_("Where: %(place)s") % {"place": item.location}] if item.location else [])
            + ([item.description] if item.description else []))


async def booking_message(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, planned: PlannedMessage
) -> Message | None:
    """The email for one planned message, or None when it is no longer true."""
    change = planned.change
    item = await ITEMS[planned.bookable](conn, planned.bookable_id, planned.booking_id)
    if item is None or item.booking_status != EXPECTED_STATUS[change]:
        return None
    tz = recipient["timezone"]
    subject, paragraphs = _wording(
        change, item.what, when(item.starts_at, item.ends_at, tz), item.org_name, item.position,
        by_org=item.cancelled_by_org,
    )
    if change == "updated" and planned.before is not None:
        subject, paragraphs = await _moved(conn, item, planned.before, tz) or (subject, paragraphs)
    if change in ("confirmed", "promoted", "updated"):
        paragraphs = paragraphs[:1] + _details(item) + paragraphs[1:]
    link = f"{settings.base_url}{item.link_path}"
    text, html = paragraphs_to_text_and_html(hello(recipient), paragraphs, link)
    if change in NO_INVITE:
        return base_message(settings, recipient["email"], subject, text, html, sender=item.sender)
    cancel = change == "cancelled"
    event = CalEvent(
        uid=item.uid, dtstamp=clock.now(), start=item.starts_at, end=item.ends_at, tzid=item.tz, summary=item.summary,
        sequence=item.sequence, location=None if cancel else item.location, url=link,
        description=None if cancel else item.description,
        organizer=f"mailto:{item.organizer}", attendee=f"mailto:{recipient['email']}",
        status="CANCELLED" if cancel else "CONFIRMED",
    )  # fmt: skip
    calendar = Calendar(name=item.summary, events=(event,), method="CANCEL" if cancel else "REQUEST", refresh_minutes=None)
    return imip_message(settings, to=recipient["email"], subject=subject, text=text, html=html, calendar=calendar,
                        sender=item.sender)
