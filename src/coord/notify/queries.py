from coord.bookings.engine import EVENT_REGISTRATIONS, SHIFT_SIGNUPS
from coord.bookings.queries import position

# Create the delivery row once per key, then lock it for the send: a duplicate
# job waits here and then finds it already sent.
ENSURE_DELIVERY = """
INSERT INTO deliveries (key, event_id, user_id, org_id, kind)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (key) DO UPDATE SET kind = EXCLUDED.kind  -- a slot's message not sent yet: what it will be now
    WHERE deliveries.status = 'pending' AND deliveries.kind <> EXCLUDED.kind
"""
# The delivery row locked for the send, with what deciding and building the message needs
# read along in the same round trip: the recipient ($2; every column NULL when erased or
# none, as for an invitation to an address) with their settings, and the language of the
# organization ($3) for someone who chose none.
LOCK_DELIVERY = """
SELECT d.id AS delivery_id, d.status, d.attempts,
       u.id, u.email, u.display_name, u.timezone, u.locale, u.email_confirmed_at IS NOT NULL AS email_confirmed,
       p.user_id IS NOT NULL AS has_prefs, p.disabled_kinds, p.quiet_start, p.quiet_end, p.discreet,
       (SELECT default_locale FROM orgs WHERE id = $3) AS org_locale
FROM deliveries d
LEFT JOIN users u ON u.id = $2 AND u.deleted_at IS NULL AND u.email IS NOT NULL
LEFT JOIN notification_prefs p ON p.user_id = u.id
WHERE d.key = $1
FOR UPDATE OF d
"""
MARK_SENT = """
UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = now(), updated_at = now(), last_error = NULL
WHERE id = $1
"""
MARK_ATTEMPT_FAILED = """
UPDATE deliveries SET attempts = attempts + 1, last_error = $2, updated_at = now(),
    status = CASE WHEN $3 THEN 'failed' ELSE status END
WHERE id = $1
RETURNING attempts
"""
MARK_SKIPPED = "UPDATE deliveries SET status = 'skipped', last_error = $2, updated_at = now() WHERE id = $1"

# The recipient and their notification settings (NULL has_prefs: the defaults), in one read.
# The languages of the group (of a session, of a series) or event a message is about; NULL
# when it is about none of them.
HELD_IN = """
SELECT coalesce(
    (SELECT languages FROM groups WHERE id = $1),
    (SELECT g.languages FROM sessions s JOIN groups g ON g.id = s.group_id WHERE s.id = $2),
    (SELECT g.languages FROM series r JOIN groups g ON g.id = r.group_id WHERE r.id = $3),
    (SELECT languages FROM events WHERE id = $4))
"""
# The language someone invited by address chose, if the address already has an account.
ADDRESS_LOCALE = "SELECT locale FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL"
ORG_FOR_MAIL = "SELECT id, name, slug, contact_email, timezone FROM orgs WHERE id = $1"
# An organization as a message about someone's membership there says it, with $2's roles
# there now (NULL: not a member).
ORG_FOR_MEMBERSHIP_NOTICE = """
SELECT o.name, o.contact_email, o.crisis_resources, o.crisis_lines, o.retention_months,
       (SELECT m.roles FROM org_members m WHERE m.org_id = o.id AND m.user_id = $2) AS roles
FROM orgs o WHERE o.id = $1
"""

# One kind off, the rest as they are (a "stop these" link in a message).
TURN_OFF_KIND = """
INSERT INTO notification_prefs (user_id, disabled_kinds) VALUES ($1, ARRAY[$2::text])
ON CONFLICT (user_id) DO UPDATE
SET disabled_kinds = notification_prefs.disabled_kinds || $2::text, updated_at = now()
WHERE NOT $2::text = ANY (notification_prefs.disabled_kinds)
"""

PREFS = """
SELECT disabled_kinds, quiet_start, quiet_end, discreet
FROM notification_prefs WHERE user_id = $1
"""
UPSERT_PREFS = """
INSERT INTO notification_prefs (user_id, disabled_kinds, quiet_start, quiet_end, discreet)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (user_id) DO UPDATE SET
    disabled_kinds = EXCLUDED.disabled_kinds, quiet_start = EXCLUDED.quiet_start,
    quiet_end = EXCLUDED.quiet_end, discreet = EXCLUDED.discreet, updated_at = now()
RETURNING disabled_kinds, quiet_start, quiet_end, discreet
"""

# One booking as its message says it (coord.notify.bookings): $1 the shift/event, $2 the booking.
SHIFT_BOOKING = f"""
SELECT s.id, s.role, s.description, s.starts_at, s.ends_at, s.status, s.sequence, s.updated_at, s.location,
       v.name AS venue_name, v.address, v.meeting_url,
       o.name AS org_name, o.contact_email, o.timezone AS org_timezone,
       g.status AS booking_status,
       {position(SHIFT_SIGNUPS, "g")} AS position
FROM shifts s
JOIN orgs o ON o.id = s.org_id
JOIN signups g ON g.shift_id = s.id AND g.id = $2
-- Where: the venue of the shift's event, else of its session (a volunteer there is confirmed).
LEFT JOIN events e ON e.id = s.event_id
LEFT JOIN sessions ss ON ss.id = s.session_id
LEFT JOIN venues v ON v.id = coalesce(e.venue_id, ss.venue_id)
WHERE s.id = $1
"""

EVENT_BOOKING = f"""
SELECT e.id, e.title, e.description, e.kind, e.starts_at, e.ends_at, e.timezone, e.status, e.sequence,
       e.updated_at, e.visibility, e.venue_id, v.name AS venue_name, v.address, v.meeting_url,
       o.name AS org_name, o.contact_email,
       r.status AS booking_status,
       {position(EVENT_REGISTRATIONS, "r")} AS position
FROM events e
JOIN orgs o ON o.id = e.org_id
LEFT JOIN venues v ON v.id = e.venue_id
JOIN registrations r ON r.event_id = e.id AND r.id = $2
WHERE e.id = $1
"""

# --- attendance follow-ups and reminders --------------------------------------

SESSION_FOR_MAIL = """
SELECT s.id, s.group_id, s.starts_at, s.ends_at, s.status, s.sequence, s.org_id,
       g.name AS group_name, g.discreet_title, g.timezone AS group_timezone,
       o.name AS org_name, o.contact_email, o.crisis_resources, o.crisis_lines
FROM sessions s JOIN groups g ON g.id = s.group_id JOIN orgs o ON o.id = s.org_id
WHERE s.id = $1
"""

ATTENDANCE_OF = "SELECT user_id, status FROM attendance WHERE session_id = $1 AND user_id IS NOT NULL"
# When a session's follow-ups may go: its end plus its organization's delay.
FOLLOWUP_TIMING = """
SELECT s.org_id, s.ends_at + make_interval(mins => o.followup_delay_minutes) AS due
FROM sessions s JOIN orgs o ON o.id = s.org_id
WHERE s.id = $1
"""

NEXT_SESSION = """
SELECT starts_at, ends_at FROM sessions
WHERE group_id = $1 AND status = 'scheduled' AND starts_at > $2
ORDER BY starts_at LIMIT 1
"""

# Sessions that ended two hours ago or more (up to two days) with nobody recorded.
UNRECORDED_SESSIONS = """
SELECT s.id FROM sessions s
WHERE s.status = 'scheduled' AND s.ends_at <= $1::timestamptz - interval '2 hours'
  AND s.ends_at > $1::timestamptz - interval '2 days'
  AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = s.id)
ORDER BY s.ends_at LIMIT 500
"""

# Who records attendance: the assigned facilitators, else the group's facilitators.
SESSION_RECORDERS = """
SELECT user_id FROM session_facilitators WHERE session_id = $1
UNION
SELECT m.user_id FROM group_members m JOIN sessions s ON s.group_id = m.group_id
WHERE s.id = $1 AND m.role = 'facilitator' AND m.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM session_facilitators f WHERE f.session_id = $1)
"""

# --- reminders ----------------------------------------------------------------


def _upcoming(table: str) -> str:
    """Items (rows of `table`, a constant) starting within each organization's reminder
    lead (plus a margin for the planner's period), not yet started."""
    return f"""
SELECT i.id, i.sequence, i.starts_at, o.reminder_lead_minutes AS lead
FROM {table} i JOIN orgs o ON o.id = i.org_id
WHERE i.status = 'scheduled' AND o.reminder_lead_minutes > 0
  AND i.starts_at > $1 AND i.starts_at <= $1 + make_interval(mins => o.reminder_lead_minutes) + $2::interval
"""


UPCOMING_SESSIONS = _upcoming("sessions")
UPCOMING_SHIFTS = _upcoming("shifts")
UPCOMING_EVENTS = _upcoming("events")

SESSION_REMINDER_RECIPIENTS = """
SELECT m.user_id FROM group_members m JOIN sessions s ON s.group_id = m.group_id
WHERE s.id = $1 AND m.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM rsvps r WHERE r.session_id = s.id AND r.user_id = m.user_id AND r.response = 'not_going')
UNION
SELECT user_id FROM session_facilitators WHERE session_id = $1
"""
SHIFT_REMINDER_RECIPIENTS = "SELECT user_id FROM signups WHERE shift_id = $1 AND status = 'confirmed'"
EVENT_REMINDER_RECIPIENTS = "SELECT user_id FROM registrations WHERE event_id = $1 AND status = 'confirmed'"

SHIFT_FOR_REMINDER = """
SELECT s.id, s.role AS title, s.starts_at, s.ends_at, s.status, s.sequence, o.name AS org_name, o.contact_email
FROM shifts s JOIN orgs o ON o.id = s.org_id WHERE s.id = $1
"""
EVENT_FOR_REMINDER = """
SELECT e.id, e.title, e.starts_at, e.ends_at, e.status, e.sequence, o.name AS org_name, o.contact_email
FROM events e JOIN orgs o ON o.id = e.org_id WHERE e.id = $1
"""

# --- group schedules (series invites) ------------------------------------------

SERIES_FOR_INVITE = """
SELECT r.id, r.group_id, r.start_local, r.timezone, r.duration_minutes, r.rrule, r.sequence, r.ended_at,
       r.venue_id, g.name AS group_name, g.discreet_title, g.visibility,
       o.name AS org_name, o.contact_email
FROM series r JOIN groups g ON g.id = r.group_id JOIN orgs o ON o.id = r.org_id
WHERE r.id = $1
"""
SERIES_SESSIONS = """
SELECT id, recurrence_id, starts_at, ends_at, status, sequence, venue_id FROM sessions
WHERE series_id = $1 AND recurrence_id IS NOT NULL ORDER BY recurrence_id
"""
OPEN_SERIES_OF_GROUP = "SELECT id FROM series WHERE group_id = $1 AND ended_at IS NULL ORDER BY created_at"
# A series as a schedule change finds it at $2 (now): a session not cancelled still to end,
# whether it was ended, and whether the change cancelled sessions not ended yet.
_SERIES_STATE = """
SELECT r.id, r.ended_at IS NOT NULL AS ended,
       exists(SELECT 1 FROM sessions s WHERE s.series_id = r.id AND s.status <> 'cancelled' AND s.ends_at > $2)
           AS has_future,
       exists(SELECT 1 FROM sessions s WHERE s.series_id = r.id AND s.status = 'cancelled' AND s.ends_at > $2)
           AS cut_short
FROM series r
"""
SERIES_STATE = _SERIES_STATE + "WHERE r.id = $1"
OPEN_SERIES_STATE = _SERIES_STATE + "WHERE r.group_id = $1 AND r.ended_at IS NULL ORDER BY r.created_at"
SESSION_SERIES = """
SELECT series_id, group_id, recurrence_id, starts_at, ends_at, status, sequence, venue_id FROM sessions WHERE id = $1
"""

# Everyone confirmed for a group's schedule: active members and facilitators assigned
# to a session starting after $2 (now).
GROUP_PEOPLE = """
SELECT user_id FROM group_members WHERE group_id = $1 AND status = 'active'
UNION
SELECT f.user_id FROM session_facilitators f JOIN sessions s ON s.id = f.session_id
WHERE s.group_id = $1 AND s.starts_at > $2
"""
VENUE_FOR_INVITE = "SELECT name, address, meeting_url FROM venues WHERE id = $1"
# $3 now: facilitating a session still ahead counts as being in the group.
STILL_IN_GROUP = """
SELECT exists(SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2 AND status = 'active')
    OR exists(SELECT 1 FROM session_facilitators f JOIN sessions s ON s.id = f.session_id
              WHERE s.group_id = $1 AND f.user_id = $2 AND s.starts_at > $3)
"""

# --- to staff: requests to join, the daily digest (coord.notify.staff_mail) --------

GROUP_FACILITATORS = "SELECT user_id FROM group_members WHERE group_id = $1 AND role = 'facilitator' AND status = 'active'"
# The group of a request to join as its notice to facilitator $3 names it, if $2 is still
# waiting for an answer and $3 still facilitates it; with how many are waiting.
JOIN_REQUEST_FOR_NOTICE = """
SELECT g.id, g.org_id, g.name AS group_name, g.discreet_title, o.name AS org_name, o.contact_email,
       (SELECT count(*) FROM group_members w WHERE w.group_id = g.id AND w.status = 'pending')::int AS waiting
FROM groups g JOIN orgs o ON o.id = g.org_id
WHERE g.id = $1
  AND EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = $2 AND m.status = 'pending')
  AND EXISTS (SELECT 1 FROM group_members f WHERE f.group_id = g.id AND f.user_id = $3
              AND f.role = 'facilitator' AND f.status = 'active')
"""
# Who gets an organization's digest: its coordinators and admins ($1), or whether $2 is one.
DIGEST_READERS = "SELECT user_id FROM org_members WHERE org_id = $1 AND roles && ARRAY['coordinator', 'admin']"
DIGEST_ORG = """
SELECT o.id, o.name AS org_name, o.slug, o.contact_email FROM orgs o JOIN org_members m ON m.org_id = o.id
WHERE o.id = $1 AND m.user_id = $2 AND m.roles && ARRAY['coordinator', 'admin']
"""
DIGEST_REQUESTS = """
SELECT g.id, g.name AS group_name, g.discreet_title, count(*)::int AS waiting
FROM group_members m JOIN groups g ON g.id = m.group_id
WHERE g.org_id = $1 AND m.status = 'pending'
GROUP BY g.id ORDER BY g.name, g.id
"""
# Sessions short of facilitators starting after $2 (now) and within $3.
DIGEST_GAPS = """
SELECT c.session_id AS id, c.starts_at, c.ends_at, c.short_by, g.name AS group_name, g.discreet_title
FROM session_coverage c JOIN groups g ON g.id = c.group_id
WHERE c.org_id = $1 AND c.short_by > 0 AND c.starts_at > $2 AND c.starts_at <= $2 + $3::interval
ORDER BY c.starts_at, c.session_id
"""
# Messages of the organization given up on (failed) within $3 before $2 (now).
DIGEST_ORGS = "SELECT id, timezone, digest_hour FROM orgs"
DIGEST_FAILED = """
SELECT count(*)::int FROM deliveries
WHERE org_id = $1 AND status = 'failed' AND updated_at > $2::timestamptz - $3::interval
"""

# --- rosters and resends -------------------------------------------------------

ROSTER_ORGS = "SELECT id, timezone, roster_weekday, roster_hour FROM orgs"
# The outbox event that caused a delivery (outbox.event_id is the outbox row's own id).
DELIVERY_ORIGIN = """
SELECT o.event_id, o.kind, o.payload, o.request_id FROM deliveries d
JOIN outbox o ON o.event_id = d.event_id WHERE d.id = $1
"""

# --- notices about a group (group_notices) --------------------------------------------------

# Everyone in group $1, members and people waiting for an answer to join.
GROUP_MEMBERS_ALL = "SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY user_id"
GROUP_ORG = "SELECT org_id FROM groups WHERE id = $1"
# A group as its notices name it, with $2's membership there now (NULL: none).
GROUP_FOR_NOTICE = """
SELECT g.id, g.name AS group_name, g.discreet_title, g.archived_at, o.name AS org_name, o.slug AS org_slug,
       o.contact_email, o.crisis_resources, o.crisis_lines,
       (SELECT m.status FROM group_members m WHERE m.group_id = g.id AND m.user_id = $2) AS my_status
FROM groups g JOIN orgs o ON o.id = g.org_id
WHERE g.id = $1
"""
