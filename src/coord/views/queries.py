"""SQL of the read models: what a person sees across domains, one section per view.

Only the views read these. The column lists, counts and waitlist positions of events
and shifts are the domains' own fragments, so a page shows what the API shows.
Coverage comes from the session_coverage view (migration 0010), never recounted here.
"""

from coord.events.queries import COUNTS as EVENT_COUNTS
from coord.events.queries import EVENT_COLUMNS, REGISTRATION_POSITION
from coord.shifts.queries import COUNTS as SHIFT_COUNTS
from coord.shifts.queries import SHIFT_COLUMNS, SIGNUP_POSITION, TRAINED_FOR_SHIFT

# --- org_directory: what anyone may see without an account ---------------------

# The first organization's timezone: the sign-up form's default.
FIRST_ORG_TIMEZONE = "SELECT timezone FROM orgs ORDER BY created_at, id LIMIT 1"

# Public groups still running (not archived) with their next scheduled session after $3 (now);
# $1 one org or NULL for all, $2 limit.
PUBLIC_GROUPS = """
SELECT g.id, g.name, g.description, g.topic, g.format, g.join_policy, COALESCE(g.timezone, o.timezone) AS timezone,
       o.name AS org_name, o.slug AS org_slug, g.languages,
       (SELECT min(s.starts_at) FROM sessions s
        WHERE s.group_id = g.id AND s.status = 'scheduled' AND s.starts_at > $3) AS next_session
FROM groups g JOIN orgs o ON o.id = g.org_id
WHERE g.visibility = 'public' AND g.archived_at IS NULL AND ($1::uuid IS NULL OR g.org_id = $1)
  AND ($4::text IS NULL OR g.languages @> ARRAY[$4::text])
ORDER BY o.name, g.name, g.id
LIMIT $2
"""

# Public community events not ended by $3 (now); $1 one org or NULL for all, $2 limit, $4 a language
# they are held in (NULL: any; public groups take it too).
PUBLIC_EVENTS = """
SELECT e.id, e.title, e.kind, e.starts_at, e.ends_at, e.timezone, e.capacity,
       o.name AS org_name, o.slug AS org_slug, e.languages,
       (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed') AS confirmed_count
FROM events e JOIN orgs o ON o.id = e.org_id
WHERE e.visibility = 'public' AND e.status = 'scheduled' AND e.ends_at > $3
  AND ($1::uuid IS NULL OR e.org_id = $1)
  AND ($4::text IS NULL OR e.languages @> ARRAY[$4::text])
ORDER BY e.starts_at, e.id
LIMIT $2
"""

# The languages public groups and public events not ended by $2 are held in (of organization
# $1, or of all when NULL): what the lists' language filter offers.
PUBLIC_LANGUAGES = """
SELECT DISTINCT unnest(g.languages) AS code FROM groups g
WHERE g.visibility = 'public' AND g.archived_at IS NULL AND ($1::uuid IS NULL OR g.org_id = $1)
UNION
SELECT DISTINCT unnest(e.languages) FROM events e
WHERE e.visibility = 'public' AND e.status = 'scheduled' AND e.ends_at > $2 AND ($1::uuid IS NULL OR e.org_id = $1)
"""

# --- coverage: sessions short of facilitators (session_coverage) ----------------

GAP_COLUMNS = """
c.session_id, c.group_id, g.name AS group_name, c.starts_at, c.ends_at,
c.facilitators_required AS required, c.facilitators_assigned AS assigned, c.short_by AS missing
"""

# Gaps of one organization ($1), optionally of one group ($2) or of the groups one
# facilitator runs ($3), starting from $4 and before $5; $6/$7 keyset, $8 limit.
COVERAGE_GAPS = f"""
SELECT {GAP_COLUMNS}
FROM session_coverage c JOIN groups g ON g.id = c.group_id
WHERE c.org_id = $1
  AND ($2::uuid IS NULL OR c.group_id = $2)
  AND ($3::uuid IS NULL OR EXISTS (
        SELECT 1 FROM group_members m
        WHERE m.group_id = c.group_id AND m.user_id = $3 AND m.role = 'facilitator' AND m.status = 'active'))
  AND c.short_by > 0
  AND c.starts_at >= $4
  AND ($5::timestamptz IS NULL OR c.starts_at < $5)
  AND ($6::timestamptz IS NULL OR (c.starts_at, c.session_id) > ($6, $7::uuid))
ORDER BY c.starts_at, c.session_id
LIMIT $8
"""

# How many gaps of organization $1 start from $2 and before $3, counting no further than $5
# (the first ones, as COVERAGE_GAPS lists them), and how many of those start before $4.
COVERAGE_GAP_COUNT = """
SELECT count(*)::int AS gaps, count(*) FILTER (WHERE c.starts_at < $4)::int AS before
FROM (SELECT c.starts_at FROM session_coverage c
      WHERE c.org_id = $1 AND c.short_by > 0 AND c.starts_at >= $2 AND c.starts_at < $3
      ORDER BY c.starts_at, c.session_id
      LIMIT $5) c
"""

# Gaps in every group $1 facilitates (in organizations they still belong to), from $2
# (now) and before $3; $4 limit.
MY_COVERAGE_GAPS = f"""
SELECT {GAP_COLUMNS}
FROM group_members m
JOIN groups g ON g.id = m.group_id
JOIN org_members om ON om.org_id = g.org_id AND om.user_id = m.user_id
JOIN session_coverage c ON c.group_id = g.id
WHERE m.user_id = $1 AND m.role = 'facilitator' AND m.status = 'active'
  AND c.short_by > 0 AND c.starts_at >= $2 AND c.starts_at < $3
ORDER BY c.starts_at, c.session_id
LIMIT $4
"""

# --- facilitators: whom a form offers to staff a session or a series --------------

# The active facilitators of group $1, by name.
GROUP_FACILITATORS = """
SELECT u.id AS user_id, u.display_name
FROM group_members gm JOIN users u ON u.id = gm.user_id
WHERE gm.group_id = $1 AND gm.role = 'facilitator' AND gm.status = 'active' AND u.deleted_at IS NULL
ORDER BY lower(u.display_name), u.id
"""
# For each session of $1, its group's active facilitators not on it yet, by name.
FACILITATORS_TO_ASSIGN = """
SELECT s.id AS session_id, u.id AS user_id, u.display_name
FROM sessions s
JOIN group_members gm ON gm.group_id = s.group_id AND gm.role = 'facilitator' AND gm.status = 'active'
JOIN users u ON u.id = gm.user_id AND u.deleted_at IS NULL
WHERE s.id = ANY ($1::uuid[])
  AND NOT EXISTS (SELECT 1 FROM session_facilitators f WHERE f.session_id = s.id AND f.user_id = gm.user_id)
ORDER BY s.id, lower(u.display_name), u.id
"""

# --- my_schedule: one person's sessions, shift places and registrations ---------
# Each: $1's own items not ended by $2 and starting before $3, with $1's own answer
# only; $4 limit.

MY_SCHEDULE_SESSIONS = """
SELECT s.id AS session_id, s.group_id, g.name AS group_name, o.name AS org_name, o.slug AS org_slug,
       s.starts_at, s.ends_at, s.status, s.cancel_reason, m.role AS my_role,
       EXISTS (SELECT 1 FROM session_facilitators f WHERE f.session_id = s.id AND f.user_id = $1) AS facilitating,
       r.response AS my_rsvp
FROM group_members m
JOIN groups g ON g.id = m.group_id
JOIN sessions s ON s.group_id = m.group_id
JOIN orgs o ON o.id = s.org_id
LEFT JOIN rsvps r ON r.session_id = s.id AND r.user_id = $1
WHERE m.user_id = $1 AND m.status = 'active' AND s.ends_at > $2 AND s.starts_at < $3
ORDER BY s.starts_at, s.id
LIMIT $4
"""

# A place the organization cancelled together with its shift stays listed, so the
# person sees why it is gone.
MY_SCHEDULE_SIGNUPS = f"""
SELECT s.id AS shift_id, s.role, s.starts_at, s.ends_at, s.status AS shift_status, s.event_id,
       e.title AS event_title, o.name AS org_name, o.slug AS org_slug, g.status,
       ({SIGNUP_POSITION})::int AS position
FROM signups g
JOIN shifts s ON s.id = g.shift_id
JOIN orgs o ON o.id = s.org_id
LEFT JOIN events e ON e.id = s.event_id
WHERE g.user_id = $1 AND s.ends_at > $2 AND s.starts_at < $3
  AND (g.status <> 'cancelled' OR (s.status = 'cancelled' AND g.cancelled_at >= s.updated_at))
ORDER BY s.starts_at, s.id
LIMIT $4
"""

# Likewise a registration cancelled with its event.
MY_SCHEDULE_REGISTRATIONS = f"""
SELECT e.id AS event_id, e.title, e.starts_at, e.ends_at, e.status AS event_status,
       o.name AS org_name, o.slug AS org_slug, r.status,
       ({REGISTRATION_POSITION})::int AS position
FROM registrations r
JOIN events e ON e.id = r.event_id
JOIN orgs o ON o.id = e.org_id
WHERE r.user_id = $1 AND e.ends_at > $2 AND e.starts_at < $3
  AND (r.status <> 'cancelled' OR (e.status = 'cancelled' AND r.cancelled_at >= e.updated_at))
ORDER BY e.starts_at, e.id
LIMIT $4
"""

# --- my_groups: the groups one person belongs to --------------------------------

# In organizations they still belong to, with the next session after $3 (now); $2 limit.
MY_GROUPS = """
SELECT g.id, g.name, o.name AS org_name, o.slug AS org_slug, m.role, m.status,
       n.id AS next_session_id, n.starts_at AS next_starts_at, n.ends_at AS next_ends_at
FROM group_members m
JOIN groups g ON g.id = m.group_id
JOIN orgs o ON o.id = g.org_id
JOIN org_members om ON om.org_id = g.org_id AND om.user_id = m.user_id
LEFT JOIN LATERAL (
    SELECT s.id, s.starts_at, s.ends_at FROM sessions s
    WHERE s.group_id = g.id AND s.status = 'scheduled' AND s.starts_at > $3
    ORDER BY s.starts_at, s.id LIMIT 1
) n ON true
WHERE m.user_id = $1
ORDER BY lower(g.name), g.id
LIMIT $2
"""

# --- group_page ------------------------------------------------------------------

# Sessions not yet over at $3 (now), cancelled ones included (marked on the page); $2 limit.
UPCOMING_GROUP_SESSIONS = """
SELECT id, starts_at, ends_at, status FROM sessions
WHERE group_id = $1 AND starts_at > $3::timestamptz - interval '24 hours' AND ends_at > $3
ORDER BY starts_at, id
LIMIT $2
"""

# The latest sessions that have begun by $3 (now), newest first (for taking attendance afterwards).
RECENT_GROUP_SESSIONS = """
SELECT id, starts_at, ends_at, status FROM sessions
WHERE group_id = $1 AND starts_at <= $3
ORDER BY starts_at DESC, id DESC
LIMIT $2
"""

GROUP_MEMBER_TOTALS = """
SELECT count(*) FILTER (WHERE status = 'active') AS active,
       count(*) FILTER (WHERE status = 'pending') AS pending
FROM group_members WHERE group_id = $1
"""

VENUE = "SELECT id, name, kind, address, meeting_url, accessibility FROM venues WHERE id = $1"

# --- session_page ----------------------------------------------------------------

RSVP_COUNTS = """
SELECT count(*) FILTER (WHERE response = 'going') AS going,
       count(*) FILTER (WHERE response = 'not_going') AS not_going
FROM rsvps WHERE session_id = $1
"""

USER_NAMES = "SELECT id, display_name FROM users WHERE id = ANY($1::uuid[]) ORDER BY lower(display_name), id"

# Everyone a facilitator takes attendance for: the group's active participants, and
# anyone else who answered the RSVP or already has an attendance record ($1 group, $2 session).
SESSION_ROSTER = """
SELECT u.id AS user_id, u.display_name, m.status AS member_status, r.response AS rsvp, a.status AS attendance
FROM users u
LEFT JOIN group_members m ON m.group_id = $1 AND m.user_id = u.id
LEFT JOIN rsvps r ON r.session_id = $2 AND r.user_id = u.id
LEFT JOIN attendance a ON a.session_id = $2 AND a.user_id = u.id
WHERE u.id IN (
    SELECT user_id FROM group_members WHERE group_id = $1 AND status = 'active' AND role = 'participant'
    UNION SELECT user_id FROM rsvps WHERE session_id = $2
    UNION SELECT user_id FROM attendance WHERE session_id = $2 AND user_id IS NOT NULL
)
  AND (m.role IS NULL OR m.role = 'participant')
ORDER BY lower(u.display_name), u.id
LIMIT $3
"""

# --- event_page ------------------------------------------------------------------

# The event with counts, its organization, its venue, and the caller's roles and
# registration ($2 NULL for a visitor without an account).
EVENT_PAGE = f"""
SELECT {EVENT_COLUMNS}, c.confirmed_count, c.waitlist_count,
       o.name AS org_name, o.slug AS org_slug, o.timezone AS org_timezone,
       o.contact_email AS org_contact_email, o.crisis_resources, o.crisis_lines,
       v.kind AS venue_kind, v.name AS venue_name, v.address AS venue_address,
       v.meeting_url AS venue_meeting_url, v.accessibility AS venue_accessibility,
       (SELECT m.roles FROM org_members m WHERE m.org_id = e.org_id AND m.user_id = $2::uuid) AS roles,
       r.status AS my_status,
       {REGISTRATION_POSITION} AS my_position
FROM events e
JOIN orgs o ON o.id = e.org_id
{EVENT_COUNTS}
LEFT JOIN venues v ON v.id = e.venue_id
LEFT JOIN registrations r ON r.event_id = e.id AND r.user_id = $2::uuid
WHERE e.id = $1
"""

# --- shift_board -----------------------------------------------------------------

# One organization's ($1) shifts starting in [$3, $4), with person $2's own place and
# whether they hold the required training.
# The start of the next shift ahead with a place left ($1 org, $2 now): where the board
# opens when this week has none.
NEXT_OPEN_SHIFT = f"""
SELECT s.starts_at FROM shifts s {SHIFT_COUNTS}
WHERE s.org_id = $1 AND s.status = 'scheduled' AND s.starts_at > $2 AND c.confirmed_count < s.capacity
ORDER BY s.starts_at LIMIT 1
"""

SHIFT_BOARD = f"""
SELECT {SHIFT_COLUMNS}, c.confirmed_count, c.waitlist_count, e.title AS event_title,
       my.status AS my_status, my.position AS my_position, {TRAINED_FOR_SHIFT} AS trained
FROM shifts s {SHIFT_COUNTS}
JOIN orgs o ON o.id = s.org_id
LEFT JOIN events e ON e.id = s.event_id
LEFT JOIN LATERAL (
    SELECT g.status,
           {SIGNUP_POSITION} AS position
    FROM signups g WHERE g.shift_id = s.id AND g.user_id = $2 AND g.status <> 'cancelled'
) my ON true
WHERE s.org_id = $1 AND s.starts_at >= $3 AND s.starts_at < $4
ORDER BY s.starts_at, s.id
LIMIT 500
"""

# --- group_page: people a coordinator may add to a group ------------------------------------

# Members of organization $1 not active in group $2 (those asking to join are listed: adding
# them approves them), whose name contains $3 (NULL: anyone), by name; $4 the limit.
PEOPLE_TO_ADD = r"""
SELECT u.id AS user_id, u.display_name, m.roles
FROM org_members m JOIN users u ON u.id = m.user_id
WHERE m.org_id = $1 AND u.deleted_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = $2 AND gm.user_id = m.user_id
                  AND gm.status = 'active')
  AND ($3::text IS NULL OR u.display_name ILIKE '%' || $3 || '%' ESCAPE '\')
ORDER BY lower(u.display_name), u.id
LIMIT $4
"""

# Sessions of group $1 still to start after $2 (now) and scheduled: what archiving cancels.
SESSIONS_AHEAD = "SELECT count(*) FROM sessions WHERE group_id = $1 AND status = 'scheduled' AND starts_at > $2"
