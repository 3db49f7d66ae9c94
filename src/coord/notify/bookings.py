"""Messages about one person's place on a shift or at a community event.

Each builder re-reads the current state when the job runs: if the place has
changed since the event (confirmed, then cancelled a second later), it returns
None and the later event's message says what is true.
"""

from __future__ import annotations

from datetime import datetime
from email.message import Message
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from coord.kernel import clock
from coord.calendar import CalEvent, Calendar
from coord.kernel.config import Settings
from coord.notify import queries
from coord.notify.imip import imip_message
from coord.notify.messages import base_message, paragraphs_to_text_and_html

Change = Literal["confirmed", "promoted", "updated", "waitlisted", "cancelled", "left_waitlist"]
# What the person's row must say now for the message to still be true.
EXPECTED_STATUS = {
    "confirmed": "confirmed", "promoted": "confirmed", "updated": "confirmed", "waitlisted": "waitlisted",
    "cancelled": "cancelled", "left_waitlist": "cancelled",
}
# Notices without a calendar: the person holds no place, so no invite to add or cancel.
NO_INVITE = ("waitlisted", "left_waitlist")


def when(start: datetime, end: datetime, tz: str) -> str:
    """"Tuesday 24 November 2026, 18:30–20:00 (America/New_York)" in the reader's zone."""
    zone = ZoneInfo(tz)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return f"{local_start:%A %-d %B %Y}, {local_start:%H:%M}–{local_end:%H:%M} ({tz})"


def _wording(change: Change, what: str, when_text: str, org: str, position: int | None, by_org: bool) -> tuple[str, list[str]]:
    if change == "promoted":
        return f"A place opened up: {what}", [
            f"A place opened up and you are now confirmed for {what} on {when_text}.",
            "It is in the attached invitation, so your calendar can keep it.",
        ]
    if change == "updated":
        return f"Updated: {what}", [
            f"There is a change to {what}: it is now on {when_text}. You are still confirmed.",
            "Your calendar will update from the attached invitation. If the new time does not suit you, "
            "you can cancel your place from the link below.",
        ]
    if change == "confirmed":
        return f"You're confirmed: {what}", [
            f"You are confirmed for {what} on {when_text}.",
            "It is in the attached invitation, so your calendar can keep it.",
        ]
    if change == "waitlisted":
        return f"You're on the waitlist: {what}", [
            f"{what} on {when_text} is full for now. You are number {position} on the waitlist.",
            "If a place opens up we will confirm you and send an invitation. Nothing else to do.",
        ]
    if change == "left_waitlist":
        if by_org:
            return f"Cancelled: {what}", [
                f"{org} has cancelled {what} on {when_text}, so its waitlist is closed. There is nothing else to do."
            ]
        return f"You've left the waitlist: {what}", [f"You are no longer on the waitlist for {what} on {when_text}."]
    if by_org:
        return f"Cancelled: {what}", [f"{org} has cancelled {what} on {when_text}.", "Sorry for the change of plans."]
    return f"Your place is cancelled: {what}", [
        f"Your place for {what} on {when_text} is cancelled. Thank you for letting us know.",
    ]


def _invite(
    settings: Settings, recipient: asyncpg.Record, *, uid: str, subject: str, paragraphs: list[str], link: str,
    summary: str, start: datetime, end: datetime, tz: str, sequence: int, dtstamp: datetime, organizer: str,
    location: str | None, cancel: bool,
) -> Message:
    event = CalEvent(
        uid=uid, dtstamp=dtstamp, start=start, end=end, tzid=tz, summary=summary, sequence=sequence,
        location=location, url=link, organizer=f"mailto:{organizer}", attendee=f"mailto:{recipient['email']}",
        status="CANCELLED" if cancel else "CONFIRMED",
    )
    calendar = Calendar(name=summary, events=(event,), method="CANCEL" if cancel else "REQUEST", refresh_minutes=None)
    text, html = paragraphs_to_text_and_html(f"Hello {recipient['display_name']},", paragraphs, link)
    return imip_message(settings, to=recipient["email"], subject=subject, text=text, html=html, calendar=calendar)


async def shift_message(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, shift_id: UUID, signup_id: UUID,
    change: Change,
) -> Message | None:
    row = await conn.fetchrow(queries.SHIFT_BOOKING, shift_id, signup_id)
    if row is None or row["signup_status"] != EXPECTED_STATUS[change]:
        return None
    tz = recipient["timezone"]
    what = f"the {row['role']} shift with {row['org_name']}"
    subject, paragraphs = _wording(
        change, what, when(row["starts_at"], row["ends_at"], tz), row["org_name"], row["position"],
        by_org=row["status"] == "cancelled",
    )
    link = f"{settings.base_url}/shifts"
    if change in NO_INVITE:
        text, html = paragraphs_to_text_and_html(f"Hello {recipient['display_name']},", paragraphs, link)
        return base_message(settings, recipient["email"], subject, text, html)
    return _invite(
        settings, recipient, uid=f"shift-{shift_id}@coord", subject=subject, paragraphs=paragraphs, link=link,
        summary=f"{row['role']} shift ({row['org_name']})", start=row["starts_at"], end=row["ends_at"],
        tz=row["org_timezone"], sequence=row["sequence"], dtstamp=clock.now(),
        organizer=row["contact_email"], location=None, cancel=change == "cancelled",
    )


async def event_message(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, event_id: UUID, registration_id: UUID,
    change: Change,
) -> Message | None:
    row = await conn.fetchrow(queries.EVENT_BOOKING, event_id, registration_id)
    if row is None or row["registration_status"] != EXPECTED_STATUS[change]:
        return None
    tz = recipient["timezone"]
    what = row["title"]
    subject, paragraphs = _wording(
        change, what, when(row["starts_at"], row["ends_at"], tz), row["org_name"], row["position"],
        by_org=row["status"] == "cancelled",
    )
    link = f"{settings.base_url}/events/{event_id}"
    if change in NO_INVITE:
        text, html = paragraphs_to_text_and_html(f"Hello {recipient['display_name']},", paragraphs, link)
        return base_message(settings, recipient["email"], subject, text, html)
    # A confirmed person learns where; the venue stays out of cancellations.
    location = None
    if change != "cancelled":
        location = row["meeting_url"] or ", ".join(x for x in (row["venue_name"], row["address"]) if x) or None
    return _invite(
        settings, recipient, uid=f"event-{event_id}@coord", subject=subject, paragraphs=paragraphs, link=link,
        summary=row["title"], start=row["starts_at"], end=row["ends_at"], tz=row["timezone"],
        sequence=row["sequence"], dtstamp=clock.now(), organizer=row["contact_email"],
        location=location, cancel=change == "cancelled",
    )
