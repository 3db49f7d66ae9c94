"""Facilitator rosters: the next 14 days of one's sessions, co-facilitators,
coverage gaps and RSVP counts (with names, in the reader's own groups); the
organization view for coordinators, gaps first; and alerts 72 hours before a
session that still lacks facilitators."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import Message
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from coord.i18n import gettext as _
from coord.i18n import ngettext
from coord.kernel import clock
from coord.kernel.access import require_role
from coord.kernel.audit import audit
from coord.calendar import CalEvent, Calendar, render_calendar
from coord.kernel.config import Settings
from coord.notify.messages import (
    Sender,
    base_message,
    day_of,
    hello,
    org_sender,
    paragraphs_to_text_and_html,
    titled,
    when,
)

WINDOW = timedelta(days=14)
GAP_ALERT_AHEAD = timedelta(hours=72)

ROSTER_SESSIONS = """
SELECT s.id, s.group_id, s.starts_at, s.ends_at, s.sequence, g.name AS group_name, g.discreet_title, g.timezone,
       c.facilitators_required AS required, c.facilitators_assigned AS assigned, c.short_by,
       (SELECT count(*) FROM rsvps r WHERE r.session_id = s.id AND r.response = 'going')::int AS going,
       -- Who is coming, by name, only in the reader's own groups; elsewhere the count.
       CASE WHEN EXISTS (SELECT 1 FROM session_facilitators f WHERE f.session_id = s.id AND f.user_id = $2)
                 OR EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = s.group_id AND m.user_id = $2
                            AND m.role = 'facilitator' AND m.status = 'active')
            THEN ARRAY(SELECT u.display_name FROM rsvps r JOIN users u ON u.id = r.user_id
                       WHERE r.session_id = s.id AND r.response = 'going' AND u.display_name IS NOT NULL
                       ORDER BY u.display_name)
       END AS going_names,
       ARRAY(SELECT u.display_name FROM session_facilitators f JOIN users u ON u.id = f.user_id
             WHERE f.session_id = s.id AND f.user_id <> $2 ORDER BY u.display_name) AS co_facilitators,
       EXISTS (SELECT 1 FROM session_facilitators f WHERE f.session_id = s.id AND f.user_id = $2) AS mine
FROM sessions s JOIN groups g ON g.id = s.group_id JOIN session_coverage c ON c.session_id = s.id
WHERE s.status = 'scheduled'
  -- Which of the organization's next two weeks are the reader's, from the index alone
  -- (sessions_org_time includes group_id, migration 0027): a facilitator's handful of
  -- rows is then all that is read of the table, not each session of the two weeks.
  AND s.id IN (SELECT w.id FROM sessions w
               WHERE w.org_id = $1 AND w.starts_at >= $3 AND w.starts_at < $4
                 AND ($5 OR EXISTS (SELECT 1 FROM session_facilitators f WHERE f.session_id = w.id AND f.user_id = $2)
                         OR EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = w.group_id AND m.user_id = $2
                                    AND m.role = 'facilitator' AND m.status = 'active')))
ORDER BY (c.short_by > 0) AND $5 DESC, s.starts_at, s.id
"""

ROSTER_PEOPLE = """
SELECT o.id AS org_id, o.name AS org_name, o.timezone, o.contact_email, m.user_id,
       ('coordinator' = ANY(m.roles) OR 'admin' = ANY(m.roles)) AS staff
FROM orgs o JOIN org_members m ON m.org_id = o.id
WHERE o.id = $1 AND (m.roles && ARRAY['facilitator', 'coordinator', 'admin'])
"""

ROSTER_PERSON = """
SELECT o.name AS org_name, o.contact_email, ('coordinator' = ANY(m.roles) OR 'admin' = ANY(m.roles)) AS staff
FROM orgs o JOIN org_members m ON m.org_id = o.id
WHERE o.id = $1 AND m.user_id = $2 AND (m.roles && ARRAY['facilitator', 'coordinator', 'admin'])
"""

# Coverage gaps (session_coverage, migration 0010) starting within $2 of $1 (now).
GAPS_SOON = """
SELECT session_id AS id, org_id FROM session_coverage
WHERE short_by > 0 AND starts_at > $1 AND starts_at <= $1 + $2::interval
"""
ORG_STAFF = "SELECT user_id FROM org_members WHERE org_id = $1 AND roles && ARRAY['coordinator', 'admin']"


class RosterSession(msgspec.Struct):
    session_id: UUID
    group_id: UUID
    group_name: str
    discreet_title: str | None  # what emails and calendar files call the group, when set
    starts_at: datetime
    ends_at: datetime
    mine: bool
    co_facilitators: list[str]
    assigned: int
    required: int
    short_by: int  # session_coverage: facilitators still missing (0: covered)
    going: int
    going_names: list[str] | None = None  # only for the reader's own groups

    @property
    def gap(self) -> bool:
        return self.short_by > 0


class Roster(msgspec.Struct):
    org_id: UUID
    window_start: datetime
    window_end: datetime
    organization_view: bool  # coordinators: every session, gaps first
    sessions: list[RosterSession]
    gaps: int


async def build_roster(
    conn: asyncpg.Connection, org_id: UUID, user_id: UUID, *, staff: bool, now: datetime | None = None
) -> Roster:
    start = now or clock.now()
    rows = await conn.fetch(ROSTER_SESSIONS, org_id, user_id, start, start + WINDOW, staff)
    sessions = [
        RosterSession(
            session_id=r["id"], group_id=r["group_id"], group_name=r["group_name"],
            discreet_title=r["discreet_title"], starts_at=r["starts_at"],
            ends_at=r["ends_at"], mine=r["mine"], co_facilitators=list(r["co_facilitators"]),
            assigned=r["assigned"], required=r["required"], short_by=r["short_by"], going=r["going"],
            going_names=list(r["going_names"]) if r["going_names"] is not None else None,
        )
        for r in rows
    ]
    return Roster(org_id, start, start + WINDOW, staff, sessions, sum(s.gap for s in sessions))


async def roster_on_demand(conn: asyncpg.Connection, org_id: UUID, user_id: UUID) -> Roster:
    """The caller's roster now (facilitators; coordinators and admins get the organization
    view). Names of who is coming are a roster read, and audited as one."""
    roles = await require_role(conn, org_id, user_id, ("facilitator", "coordinator", "admin"))
    roster = await build_roster(conn, org_id, user_id, staff=bool(roles & {"coordinator", "admin"}))
    named = sorted({str(s.group_id) for s in roster.sessions if s.going_names})
    if named:
        await audit(conn, org_id, user_id, "roster.names_read", "org", org_id, {"group_ids": named})
    return roster


def mail_label(group_name: str, discreet_title: str | None, discreet_reader: bool) -> str:
    """A group as an email or calendar file names it: never the real name of a group
    with a discreet title, nor of any group for a reader in discreet mode."""
    if discreet_title:
        return discreet_title
    return _("Group session") if discreet_reader else group_name


def roster_ics(roster: Roster, settings: Settings, tz: str, discreet_reader: bool = False) -> bytes:
    """The recipient's own sessions as a plain calendar attachment (no METHOD)."""
    events = tuple(
        CalEvent(
            uid=f"session-{s.session_id}@coord", dtstamp=roster.window_start, start=s.starts_at, end=s.ends_at,
            tzid=tz, summary=_("Facilitating: %(group)s") % {
                "group": mail_label(s.group_name, s.discreet_title, discreet_reader)},
            url=f"{settings.base_url}/sessions/{s.session_id}",
        )
        for s in roster.sessions if s.mine
    )
    return render_calendar(Calendar(name=_("My facilitation roster"), events=events, refresh_minutes=None))


def roster_message(
    settings: Settings, recipient: asyncpg.Record, org_name: str, roster: Roster, discreet_reader: bool = False,
    sender: Sender | None = None,
) -> Message | None:
    if not roster.sessions:
        return None
    tz = recipient["timezone"]
    lines = []
    for s in roster.sessions:
        flags = []
        if s.gap:
            flags.append(ngettext("needs %(num)s more facilitator", "needs %(num)s more facilitators", s.short_by)
                         % {"num": s.short_by})
        if s.mine:
            flags.append(_("you with %(names)s") % {"names": ", ".join(s.co_facilitators)} if s.co_facilitators
                         else _("you"))
        going = {"num": s.going, "names": ", ".join(s.going_names or [])}
        flags.append(_("%(num)s going: %(names)s") % going if s.going_names else _("%(num)s going") % going)
        label = mail_label(s.group_name, s.discreet_title, discreet_reader)
        lines.append(f"{when(s.starts_at, s.ends_at, tz)}: {label} ({'; '.join(flags)})")
    counts = {"org": org_name, "num": len(roster.sessions), "gaps": roster.gaps}
    intro = (
        ngettext("The next 14 days at %(org)s: %(num)s session, %(gaps)s still short of facilitators.",
                 "The next 14 days at %(org)s: %(num)s sessions, %(gaps)s still short of facilitators.",
                 len(roster.sessions)) % counts
        if roster.organization_view else _("Your next 14 days at %(org)s.") % counts
    )
    text, html = paragraphs_to_text_and_html(hello(recipient), [intro, *lines], f"{settings.base_url}/me")
    return base_message(
        settings, recipient["email"], _("Your roster for the next two weeks (%(org)s)") % counts, text, html,
        attachments=((roster_ics(roster, settings, tz, discreet_reader), "text", "calendar", "roster.ics"),),
        sender=sender,
    )


def roster_due(now: datetime, org_tz: str, iso_weekday: int = 1, hour: int = 8) -> bool:
    """The organization's roster hour (default Monday 08:00) in its own timezone; the cron runs hourly."""
    local = now.astimezone(ZoneInfo(org_tz))
    return local.isoweekday() == iso_weekday and local.hour == hour


def roster_week(now: datetime, org_tz: str) -> str:
    year, week, _ = now.astimezone(ZoneInfo(org_tz)).isocalendar()
    return f"{year}-W{week:02d}"


def gap_alert_message(
    settings: Settings, recipient: asyncpg.Record, session: asyncpg.Record, discreet_reader: bool = False
) -> Message | None:
    if session is None or session["short_by"] == 0:  # gone, cancelled, held, or covered since
        return None
    assigned = session["assigned"]
    label = mail_label(session["group_name"], session["discreet_title"], discreet_reader)
    tz = recipient["timezone"]
    paragraphs = [
        ngettext("%(group)s on %(when)s has %(assigned)s of %(num)s facilitator.",
                 "%(group)s on %(when)s has %(assigned)s of %(num)s facilitators.", session["required"]) % {
            "group": label, "when": when(session["starts_at"], session["ends_at"], tz), "assigned": assigned,
            "num": session["required"]},
        _("Assign someone on the session page, or let the group know if it cannot go ahead."),
    ]
    link = f"{settings.base_url}/sessions/{session['id']}"
    text, html = paragraphs_to_text_and_html(hello(recipient), paragraphs, link)
    subject = titled(label, _("the session on %(day)s needs a facilitator") % {"day": day_of(session["starts_at"], tz)})
    return base_message(settings, recipient["email"], subject, text, html, sender=org_sender(session))


SESSION_FOR_GAP = """
SELECT c.session_id AS id, c.starts_at, c.ends_at, c.status, g.name AS group_name, g.discreet_title,
       c.facilitators_required AS required, c.facilitators_assigned AS assigned, c.short_by,
       o.name AS org_name, o.contact_email
FROM session_coverage c JOIN groups g ON g.id = c.group_id JOIN orgs o ON o.id = g.org_id WHERE c.session_id = $1
"""
