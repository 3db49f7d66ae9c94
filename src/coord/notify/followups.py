"""After a session: thanks to those present, a gentle check-in for those absent,
and a nudge to facilitators who have not recorded attendance yet.

Wording is calm and private: a group with a discreet title (or any group, for a reader
in discreet mode) is never named by its real name, in the subject or the body
(`group_label`). Each message is from the organization (its name, replies to its contact).
"""

from __future__ import annotations

from email.message import Message
from uuid import UUID
import asyncpg

from coord import i18n
from coord.i18n import gettext as _
from coord.kernel.config import Settings
from coord.notify import queries
from coord.orgs import crisis
from coord.notify.messages import (
    base_message,
    day_of,
    hello,
    org_sender,
    paragraphs_to_text_and_html,
    titled,
    weekday,
    when,
)
from coord.notify.preferences import get_preferences


async def group_label(conn: asyncpg.Connection, session: asyncpg.Record, user_id: UUID) -> str:
    """How this reader sees the group named: its discreet title, or plainly 'your group'."""
    prefs = await get_preferences(conn, user_id)
    if prefs.discreet:
        return _("your group")
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
    said = {"group": label, "day": weekday(session["starts_at"], tz)}
    settings_link = f"{settings.base_url}/me"
    if status == "present":
        upcoming = await conn.fetchrow(queries.NEXT_SESSION, session["group_id"], session["starts_at"])
        next_line = (
            _("The next session is on %(when)s.") % {"when": when(upcoming["starts_at"], upcoming["ends_at"], tz)}
            if upcoming else _("We will let you know when the next session is planned.")
        )
        paragraphs = [_("Thank you for coming to %(group)s on %(day)s.") % said, next_line]
        subject = _("Thank you for coming to %(group)s on %(day)s") % said
    else:
        paragraphs = [
            _("We missed you at %(group)s on %(day)s. There is no need to reply; we just wanted to say hello.") % said,
            _("If things are hard right now, you do not have to wait for the next session. %(lines)s") % {
                "lines": crisis.said(session["crisis_lines"], session["crisis_resources"], i18n.current())},
            _("You can turn these check-ins off at any time: %(link)s") % {"link": settings_link},
        ]
        subject = titled(label, _("thinking of you"))
    text, html = paragraphs_to_text_and_html(hello(recipient), paragraphs, f"{settings.base_url}/me")
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
    tz = recipient["timezone"]
    paragraphs = [
        _("The session of %(group)s on %(when)s has no attendance recorded yet.") % {
            "group": label, "when": when(session["starts_at"], session["ends_at"], tz)},
        _("When you have a moment, record who came; it takes a few taps."),
    ]
    text, html = paragraphs_to_text_and_html(hello(recipient), paragraphs, link)
    subject = titled(label, _("attendance to record for %(day)s") % {"day": day_of(session["starts_at"], tz)})
    return base_message(settings, recipient["email"], subject, text, html, sender=org_sender(session))

