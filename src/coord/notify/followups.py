"""After a session: thanks to those present, a gentle check-in for those absent,
and a nudge to facilitators who have not recorded attendance yet.

Wording is calm and private: a group with a discreet title (or any group, for a reader
in discreet mode) is never named by its real name, in the subject or the body
(`group_label`). Each message is from the organization (its name, replies to its contact).
"""

from __future__ import annotations

from email.message import Message
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from coord.kernel.config import Settings
from coord.notify import queries
from coord.notify.messages import base_message, day_of, org_sender, paragraphs_to_text_and_html, titled, when
from coord.notify.preferences import get_preferences


async def group_label(conn: asyncpg.Connection, session: asyncpg.Record, user_id: UUID) -> str:
    """How this reader sees the group named: its discreet title, or plainly 'your group'."""
    prefs = await get_preferences(conn, user_id)
    if prefs.discreet:
        return "your group"
    return session["discreet_title"] or session["group_name"]


async def followup(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, session_id: UUID, status: str
) -> Message | None:
    session = await conn.fetchrow(queries.SESSION_FOR_MAIL, session_id)
    current = await conn.fetchval(
        "SELECT status FROM attendance WHERE session_id = $1 AND user_id = $2", session_id, recipient["id"]
    )
    if session is None or current != status:  # corrected since: the new record decides
        return None
    label = await group_label(conn, session, recipient["id"])
    tz = recipient["timezone"]
    day = session["starts_at"].astimezone(ZoneInfo(tz)).strftime("%A")
    settings_link = f"{settings.base_url}/me"
    if status == "present":
        upcoming = await conn.fetchrow(queries.NEXT_SESSION, session["group_id"], session["starts_at"])
        next_line = (
            f"The next session is on {when(upcoming['starts_at'], upcoming['ends_at'], tz)}."
            if upcoming else "We will let you know when the next session is planned."
        )
        paragraphs = [f"Thank you for coming to {label} on {day}.", next_line]
        subject = f"Thank you for coming to {label} on {day}"
    else:
        paragraphs = [
            f"We missed you at {label} on {day}. There is no need to reply; we just wanted to say hello.",
            "If things are hard right now, you do not have to wait for the next session. "
            f"{session['crisis_resources']}",
            f"You can turn these check-ins off at any time: {settings_link}",
        ]
        subject = titled(label, "thinking of you")
    text, html = paragraphs_to_text_and_html(f"Hello {recipient['display_name']},", paragraphs, f"{settings.base_url}/me")
    return base_message(settings, recipient["email"], subject, text, html, sender=org_sender(session))


async def attendance_reminder(
    conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record, session_id: UUID
) -> Message | None:
    session = await conn.fetchrow(queries.SESSION_FOR_MAIL, session_id)
    recorded = await conn.fetchval("SELECT count(*) FROM attendance WHERE session_id = $1", session_id)
    if session is None or session["status"] != "scheduled" or recorded:
        return None
    label = await group_label(conn, session, recipient["id"])
    link = f"{settings.base_url}/sessions/{session_id}"
    paragraphs = [
        f"The session of {label} on {when(session['starts_at'], session['ends_at'], recipient['timezone'])} "
        "has no attendance recorded yet.",
        "When you have a moment, record who came; it takes a few taps.",
    ]
    text, html = paragraphs_to_text_and_html(f"Hello {recipient['display_name']},", paragraphs, link)
    subject = titled(label, f"attendance to record for {day_of(session['starts_at'], recipient['timezone'])}")
    return base_message(settings, recipient["email"], subject, text, html, sender=org_sender(session))

