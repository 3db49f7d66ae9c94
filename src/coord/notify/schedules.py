"""A group's schedule as one invite: the series master with RRULE, EXDATE for
cancelled occurrences and RECURRENCE-ID overrides for moved ones; and CANCEL for
a single cancelled occurrence. One message per person, naming nobody else."""

from __future__ import annotations

from datetime import timedelta
from email.message import Message
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel import clock
from coord.calendar import CalEvent, Calendar, Moved, series_events
from coord.kernel.config import Settings
from coord.notify import queries
from coord.notify.changes import Before, from_to, moved_in_time, place_of
from coord.notify.followups import group_label
from coord.notify.imip import imip_message
from coord.notify.messages import day_and_time, day_of, hello, org_sender, paragraphs_to_text_and_html, titled, when
from coord.sessions.recurrence import occurrences, parse_rule


def series_uid(series_id: UUID) -> str:
    return f"series-{series_id}@coord"


async def series_calendar_events(
    conn: asyncpg.Connection, series: asyncpg.Record, *, summary: str, organizer: str, attendee: str,
    location: str | None, url: str,
) -> list[CalEvent]:
    """The master and its overrides from what the database holds now."""
    rows = await conn.fetch(queries.SERIES_SESSIONS, series["id"])
    duration = timedelta(minutes=series["duration_minutes"])
    rule = parse_rule(series["start_local"], series["timezone"], series["rrule"], duration)
    # Only occurrences the current rule still has (an ended series' later ones are gone).
    horizon = max((r["recurrence_id"] for r in rows), default=clock.now()) + timedelta(seconds=1)
    of_rule = {start for start, _ in occurrences(rule, until=horizon)}
    cancelled = [r["recurrence_id"] for r in rows if r["status"] == "cancelled" and r["recurrence_id"] in of_rule]
    # An occurrence at another time or in another place is an override, with its own LOCATION.
    moved = [
        Moved(
            original_start=r["recurrence_id"], start=r["starts_at"], end=r["ends_at"], sequence=r["sequence"],
            # Where, for a confirmed recipient (these messages only go to confirmed people).
            location=None if r["venue_id"] == series["venue_id"] else await place_of(conn, r["venue_id"]),
        )
        for r in rows
        if r["status"] != "cancelled" and r["recurrence_id"] in of_rule
        # sequence > 0: changed once, perhaps back to its slot; the override's SEQUENCE tells clients.
        and (r["starts_at"] != r["recurrence_id"] or r["ends_at"] - r["starts_at"] != duration
             or r["venue_id"] != series["venue_id"] or r["sequence"] > 0)
    ]
    return series_events(
        uid=series_uid(series["id"]), rrule=rule.rrule, first_start=rule.start, tzid=series["timezone"],
        duration=duration, summary=summary, dtstamp=clock.now(), sequence=series["sequence"],
        cancelled=cancelled, moved=moved, location=location, url=url,
        organizer=f"mailto:{organizer}", attendee=f"mailto:{attendee}",
    )


# What a schedule says for each reason: its subject after the group's name, and its first line.
INVITE_WORDS = {
    "joined": (N_("welcome, here is the schedule"), N_("Welcome to %(group)s. Here is its schedule for your calendar.")),
    "scheduled": (N_("new sessions in the schedule"),
                  N_("%(group)s has new sessions. Here is the schedule for your calendar.")),
    "changed": (N_("the schedule has changed"),
                N_("The schedule of %(group)s has changed. Your calendar will update from this message.")),
    "facilitating": (N_("your facilitation schedule"),
                     N_("You are facilitating sessions of %(group)s. Here is its schedule for your calendar.")),
}


async def series_invite(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, series_id: UUID, reason: str,
    moved: UUID | None = None, before: Before | None = None,
) -> Message | None:
    """REQUEST with the whole schedule. `reason`: joined, scheduled, changed, facilitating;
    `moved`: the session whose move this tells (from `before` to where it is now)."""
    series = await conn.fetchrow(queries.SERIES_FOR_INVITE, series_id)
    # Nobody gets the schedule of a group they have left by the time this runs.
    if series is None or not await conn.fetchval(
        queries.STILL_IN_GROUP, series["group_id"], recipient["id"], clock.now()
    ):
        return None
    label = await group_label(conn, series, recipient["id"])
    url = f"{settings.base_url}/groups/{series['group_id']}"
    events = await series_calendar_events(
        conn, series, summary=label, organizer=series["contact_email"], attendee=recipient["email"],
        location=await place_of(conn, series["venue_id"]), url=url,
    )
    told = await _moved_session(conn, recipient, series, label, moved, before) if moved and before else None
    if told is None and moved and reason == "facilitating":
        told = await _facilitating_session(conn, recipient, label, moved)
    if told is None:
        what, line = INVITE_WORDS[reason]
        told = titled(label, _(what)), [_(line) % {"group": label}]
    subject, paragraphs = told
    text, html = paragraphs_to_text_and_html(hello(recipient), paragraphs, url)
    calendar = Calendar(name=label, events=tuple(events), method="REQUEST", refresh_minutes=None)
    return imip_message(settings, to=recipient["email"], subject=subject, text=text, html=html, calendar=calendar,
                        sender=org_sender(series))


async def _moved_session(
    conn: asyncpg.Connection, recipient: asyncpg.Record, series: asyncpg.Record, label: str, session_id: UUID,
    before: Before,
) -> tuple[str, list[str]] | None:
    """Subject and words for one session moved: from when and where to when and where. None when
    it is gone or cancelled since (the schedule's own words then), or back where it was."""
    session = await conn.fetchrow(queries.SESSION_SERIES, session_id)
    if session is None or session["status"] != "scheduled":
        return None
    tz = recipient["timezone"]
    start, end, venue_id = session["starts_at"], session["ends_at"], session["venue_id"]
    in_time, new_venue = moved_in_time(before, start, end), before.venue_id != venue_id
    if not in_time and not new_venue:
        return None
    on = {"day": day_of(before.starts_at, tz), "group": label}
    subject = titled(label, _("the session on %(day)s moved to %(moment)s") % {**on, "moment": day_and_time(start, tz)}
                     if in_time else _("the session on %(day)s is in a new place") % on)
    place = await place_of(conn, venue_id)
    before_place = await place_of(conn, before.venue_id) if new_venue else place
    said = _("A session of %(group)s has moved.") if in_time else _("A session of %(group)s has a new place.")
    return subject, [
        said % on + " " + from_to(before, before_place, start, end, place, tz),
        _("The rest of the schedule stays as it is. Your calendar will update from this message."),
    ]


async def _facilitating_session(
    conn: asyncpg.Connection, recipient: asyncpg.Record, label: str, session_id: UUID
) -> tuple[str, list[str]] | None:
    """Subject and words for one session given to the recipient to facilitate: which one.
    None when it is gone or cancelled since (the schedule's own words then)."""
    session = await conn.fetchrow(queries.SESSION_SERIES, session_id)
    if session is None or session["status"] != "scheduled":
        return None
    tz = recipient["timezone"]
    on = when(session["starts_at"], session["ends_at"], tz)
    return titled(label, _("you are facilitating on %(moment)s") % {"moment": day_and_time(session["starts_at"], tz)}), [
        _("You are facilitating the session of %(group)s on %(when)s. The group's schedule is attached for your "
          "calendar.") % {"group": label, "when": on},
    ]


async def occurrence_cancel(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, session_id: UUID
) -> Message | None:
    """CANCEL of one occurrence (RECURRENCE-ID), if it is still cancelled."""
    session = await conn.fetchrow(queries.SESSION_SERIES, session_id)
    if session is None or session["status"] != "cancelled" or session["series_id"] is None:
        return None
    series = await conn.fetchrow(queries.SERIES_FOR_INVITE, session["series_id"])
    label = await group_label(conn, series, recipient["id"])
    url = f"{settings.base_url}/groups/{series['group_id']}"
    event = CalEvent(
        uid=series_uid(series["id"]), dtstamp=clock.now(), start=session["starts_at"], end=session["ends_at"],
        tzid=series["timezone"], summary=label, recurrence_id=session["recurrence_id"], status="CANCELLED",
        # Never below what the series' invites gave this occurrence, or clients ignore it as stale.
        sequence=max(session["sequence"], series["sequence"]), organizer=f"mailto:{series['contact_email']}", attendee=f"mailto:{recipient['email']}",
    )
    tz = recipient["timezone"]
    paragraphs = [
        _("The session of %(group)s on %(when)s is cancelled. The rest of the schedule stays as it is.") % {
            "group": label, "when": when(session["starts_at"], session["ends_at"], tz)}
    ]
    text, html = paragraphs_to_text_and_html(hello(recipient), paragraphs, url)
    calendar = Calendar(name=label, events=(event,), method="CANCEL", refresh_minutes=None)
    subject = titled(label, _("the session on %(day)s is cancelled") % {"day": day_of(session["starts_at"], tz)})
    return imip_message(settings, to=recipient["email"], subject=subject, text=text, html=html, calendar=calendar,
                        sender=org_sender(series))


async def series_cancel(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, series_id: UUID
) -> Message | None:
    """CANCEL for the whole UID: the series ended with nothing of it left ahead."""
    series = await conn.fetchrow(queries.SERIES_FOR_INVITE, series_id)
    if series is None or series["ended_at"] is None:
        return None
    label = await group_label(conn, series, recipient["id"])
    return _whole_series_cancel(
        settings, recipient, series, label, titled(label, _("the sessions have ended")),
        _("The sessions of %(group)s have ended. Thank you for being part of it.") % {"group": label},
    )


async def series_left(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, series_id: UUID
) -> Message | None:
    """CANCEL for the whole UID to one person no longer in the group, unless they are
    back (or facilitate a session still ahead) by the time this runs."""
    series = await conn.fetchrow(queries.SERIES_FOR_INVITE, series_id)
    if series is None or await conn.fetchval(queries.STILL_IN_GROUP, series["group_id"], recipient["id"], clock.now()):
        return None
    label = await group_label(conn, series, recipient["id"])
    return _whole_series_cancel(
        settings, recipient, series, label, titled(label, _("its sessions are off your calendar")),
        _("You are no longer in %(group)s, so its sessions are coming off your calendar. If that is a surprise, "
          "%(org)s will be glad to hear from you.") % {"group": label, "org": series["org_name"]},
    )


def _whole_series_cancel(
    settings: Settings, recipient: asyncpg.Record, series: asyncpg.Record, label: str, subject: str, paragraph: str
) -> Message:
    url = f"{settings.base_url}/groups/{series['group_id']}"
    # The rule may have no occurrence left to expand: name the series by its first start.
    start = series["start_local"].replace(tzinfo=ZoneInfo(series["timezone"]))
    master = CalEvent(
        uid=series_uid(series["id"]), dtstamp=clock.now(), start=start,
        end=start + timedelta(minutes=series["duration_minutes"]), tzid=series["timezone"], summary=label,
        sequence=series["sequence"], status="CANCELLED", organizer=f"mailto:{series['contact_email']}",
        attendee=f"mailto:{recipient['email']}",
    )
    text, html = paragraphs_to_text_and_html(hello(recipient), [paragraph], url)
    calendar = Calendar(name=label, events=(master,), method="CANCEL", refresh_minutes=None)
    return imip_message(settings, to=recipient["email"], subject=subject, text=text, html=html, calendar=calendar,
                        sender=org_sender(series))
