"""SQL of session series, sessions, facilitator assignments, RSVPs and attendance."""

SESSION_COLUMNS = """
s.id, s.series_id, s.group_id, s.starts_at, s.ends_at, s.status, s.sequence, s.recurrence_id, s.venue_id,
COALESCE((SELECT array_agg(f.user_id ORDER BY f.user_id) FROM session_facilitators f WHERE f.session_id = s.id),
         '{}') AS facilitator_ids,
(SELECT count(*) FROM rsvps r WHERE r.session_id = s.id AND r.response = 'going') AS going_count
"""

# The session and what access checks need; FOR UPDATE variant serializes changes
# (capacity counts, moves, cancellations) on one session.
SESSION_ACCESS = "SELECT id, group_id, org_id, series_id, status, starts_at, ends_at, recurrence_id FROM sessions WHERE id = $1"
LOCK_SESSION = SESSION_ACCESS + " FOR UPDATE"

GET_SESSION = f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id = $1"

CANCEL_REASON = "SELECT cancel_reason FROM sessions WHERE id = $1"

# Sessions overlapping [from, to). A session lasts at most 24 hours, which lets
# the (group_id, starts_at, id) index bound the scan from below.
LIST_GROUP_SESSIONS = f"""
SELECT {SESSION_COLUMNS}
FROM sessions s
WHERE s.group_id = $1
  AND ($2::timestamptz IS NULL OR (s.ends_at > $2 AND s.starts_at > $2 - interval '24 hours'))
  AND ($3::timestamptz IS NULL OR s.starts_at < $3)
  AND ($4::timestamptz IS NULL OR (s.starts_at, s.id) > ($4, $5::uuid))
ORDER BY s.starts_at, s.id
LIMIT $6
"""

INSERT_SERIES = """
INSERT INTO series (group_id, org_id, start_local, timezone, duration_minutes, rrule, venue_id, materialized_until)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id
"""

# Idempotent: an occurrence already materialized (same RECURRENCE-ID) is skipped.
MATERIALIZE = """
INSERT INTO sessions (series_id, group_id, org_id, recurrence_id, starts_at, ends_at, venue_id)
SELECT $1, $2, $3, o.starts_at, o.starts_at, o.ends_at, $4
FROM unnest($5::timestamptz[], $6::timestamptz[]) AS o (starts_at, ends_at)
ON CONFLICT (series_id, recurrence_id) DO NOTHING
RETURNING id
"""

ASSIGN_TO_SESSIONS = """
INSERT INTO session_facilitators (session_id, user_id)
SELECT s, u FROM unnest($1::uuid[]) AS s CROSS JOIN unnest($2::uuid[]) AS u
ON CONFLICT DO NOTHING
"""

# Series whose horizon is due: still open and materialized short of `$1`.
SERIES_DUE = """
SELECT id FROM series WHERE ended_at IS NULL AND materialized_until < $1
ORDER BY materialized_until LIMIT $2
"""

LOCK_SERIES = """
SELECT id, group_id, org_id, start_local, timezone, duration_minutes, rrule, venue_id, materialized_until, ended_at
FROM series WHERE id = $1 FOR UPDATE
"""

LAST_RECURRENCE = "SELECT max(recurrence_id) FROM sessions WHERE series_id = $1"

# A series' own facilitators ($2), kept for the sessions the horizon adds later.
ADD_SERIES_FACILITATORS = """
INSERT INTO series_facilitators (series_id, user_id) SELECT $1, unnest($2::uuid[])
ON CONFLICT DO NOTHING
"""
REMOVE_SERIES_FACILITATORS = "DELETE FROM series_facilitators WHERE series_id = $1 AND user_id <> ALL ($2::uuid[])"

# The series' facilitators who still facilitate its group (one who left is not carried on).
SERIES_FACILITATORS = """
SELECT sf.user_id
FROM series_facilitators sf
JOIN series s ON s.id = sf.series_id
JOIN group_members gm ON gm.group_id = s.group_id AND gm.user_id = sf.user_id
                     AND gm.role = 'facilitator' AND gm.status = 'active'
WHERE sf.series_id = $1
ORDER BY sf.assigned_at, sf.user_id
"""

# Sessions added by rolling the horizon forward ($1) get the series' ($2) facilitators,
# those still active facilitators of its group: a weekly group keeps its facilitators
# beyond the first 26 weeks, whatever one occurrence was changed to.
CARRY_FACILITATORS_FORWARD = """
INSERT INTO session_facilitators (session_id, user_id)
SELECT added.id, sf.user_id
FROM unnest($1::uuid[]) AS added (id)
CROSS JOIN series_facilitators sf
JOIN series s ON s.id = sf.series_id
JOIN group_members gm ON gm.group_id = s.group_id AND gm.user_id = sf.user_id
                     AND gm.role = 'facilitator' AND gm.status = 'active'
WHERE sf.series_id = $2
ON CONFLICT DO NOTHING
"""

# The sessions a change of the series' facilitators reaches: not over yet ($2, now),
# still scheduled, and not given facilitators of their own; locked, with who is on each.
SESSIONS_TO_RESTAFF = """
SELECT s.id,
       ARRAY(SELECT f.user_id FROM session_facilitators f WHERE f.session_id = s.id) AS current
FROM sessions s
WHERE s.series_id = $1 AND s.status = 'scheduled' AND NOT s.facilitators_overridden AND s.ends_at > $2
ORDER BY s.starts_at
FOR UPDATE
"""
# How many of the series' sessions not over yet keep facilitators of their own.
OVERRIDDEN_AHEAD = """
SELECT count(*) FROM sessions
WHERE series_id = $1 AND status = 'scheduled' AND facilitators_overridden AND ends_at > $2
"""
MARK_OVERRIDDEN = "UPDATE sessions SET facilitators_overridden = true WHERE id = $1"

# A group's series for its schedule page: open ones and those with sessions still ahead ($2, now).
GROUP_SERIES = """
SELECT s.id, s.start_local, s.timezone, s.duration_minutes, s.rrule, s.ended_at,
       (SELECT min(x.starts_at) FROM sessions x
        WHERE x.series_id = s.id AND x.status = 'scheduled' AND x.starts_at > $2) AS next_start
FROM series s
WHERE s.group_id = $1
  AND (s.ended_at IS NULL OR EXISTS (SELECT 1 FROM sessions x WHERE x.series_id = s.id AND x.starts_at > $2
                                      AND x.status = 'scheduled'))
ORDER BY s.created_at, s.id
"""

SET_MATERIALIZED_UNTIL = "UPDATE series SET materialized_until = $2, updated_at = now() WHERE id = $1"

# Facilitators of the group who are active; others cannot be assigned.
ACTIVE_FACILITATORS = """
SELECT user_id FROM group_members
WHERE group_id = $1 AND user_id = ANY($2::uuid[]) AND role = 'facilitator' AND status = 'active'
"""

VENUE_DETAILS = "SELECT id, name, kind, address, meeting_url, accessibility FROM venues WHERE id = $1"

MOVE_SESSION = """
UPDATE sessions SET starts_at = $2, ends_at = $3, venue_id = $4, sequence = sequence + 1, updated_at = now()
WHERE id = $1
"""

CANCEL_SESSION = """
UPDATE sessions SET status = 'cancelled', cancel_reason = $2, sequence = sequence + 1, updated_at = now()
WHERE id = $1
"""

SESSION_FACILITATORS = "SELECT user_id FROM session_facilitators WHERE session_id = $1"

UNASSIGN = "DELETE FROM session_facilitators WHERE session_id = $1 AND user_id = ANY($2::uuid[])"

ASSIGN = """
INSERT INTO session_facilitators (session_id, user_id) SELECT $1, unnest($2::uuid[])
ON CONFLICT DO NOTHING
"""

BUMP_SEQUENCE = "UPDATE sessions SET sequence = sequence + 1, updated_at = now() WHERE id = $1"

GROUP_CAPACITY = "SELECT capacity FROM groups WHERE id = $1"

GOING_OTHERS = "SELECT count(*) FROM rsvps WHERE session_id = $1 AND response = 'going' AND user_id <> $2"

GOING_COUNT = "SELECT count(*) FROM rsvps WHERE session_id = $1 AND response = 'going'"

MY_RSVP = "SELECT response FROM rsvps WHERE session_id = $1 AND user_id = $2"

UPSERT_RSVP = """
INSERT INTO rsvps (session_id, user_id, response) VALUES ($1, $2, $3)
ON CONFLICT (session_id, user_id) DO UPDATE SET response = EXCLUDED.response, updated_at = now()
"""

# Who may appear on an attendance sheet: the group's active members and anyone who RSVPed.
ATTENDABLE = """
SELECT user_id FROM group_members WHERE group_id = $1 AND status = 'active' AND user_id = ANY($3::uuid[])
UNION
SELECT user_id FROM rsvps WHERE session_id = $2 AND user_id = ANY($3::uuid[])
"""

UPSERT_ATTENDANCE = """
INSERT INTO attendance (session_id, user_id, status, recorded_by)
SELECT $1, r.user_id, r.status, $4
FROM unnest($2::uuid[], $3::text[]) AS r (user_id, status)
ON CONFLICT (session_id, user_id) DO UPDATE
    SET status = EXCLUDED.status, recorded_by = EXCLUDED.recorded_by, recorded_at = now()
"""

COMPLETE_SESSION = "UPDATE sessions SET status = 'completed', updated_at = now() WHERE id = $1 AND status = 'scheduled'"

LIST_ATTENDANCE = """
SELECT user_id, status, recorded_by, recorded_at FROM attendance WHERE session_id = $1
ORDER BY user_id NULLS LAST, id
"""

# "This and following": the old series ends before the split, a new one takes over.
END_SERIES_RULE = """
UPDATE series SET rrule = $2, ended_at = CASE WHEN $3 THEN now() ELSE ended_at END,
                  sequence = sequence + 1, updated_at = now()
WHERE id = $1
"""

CANCEL_FOLLOWING = """
UPDATE sessions SET status = 'cancelled', cancel_reason = $3, sequence = sequence + 1, updated_at = now()
WHERE series_id = $1 AND recurrence_id >= $2 AND status = 'scheduled'
RETURNING id
"""

SET_SPLIT_FROM = "UPDATE series SET split_from = $2 WHERE id = $1"

SERIES_TIMEZONE = "SELECT timezone FROM series WHERE id = $1"

# Sessions starting after $2 (now) that $1 is assigned to facilitate: of organization $3, or
# of any organization when $3 is NULL. Past assignments stay, like attendance.
FUTURE_FACILITATIONS = """
SELECT s.id FROM session_facilitators f JOIN sessions s ON s.id = f.session_id
WHERE f.user_id = $1 AND s.starts_at > $2 AND ($3::uuid IS NULL OR s.org_id = $3)
ORDER BY s.starts_at, s.id
"""
# The same assignments removed; each session's SEQUENCE goes up (its calendars change).
UNASSIGN_FUTURE = """
WITH removed AS (
    DELETE FROM session_facilitators f USING sessions s
    WHERE f.session_id = s.id AND f.user_id = $1 AND s.starts_at > $2 AND ($3::uuid IS NULL OR s.org_id = $3)
    RETURNING s.id
)
UPDATE sessions SET sequence = sequence + 1, updated_at = now()
WHERE id IN (SELECT id FROM removed)
RETURNING id
"""

# --- archiving a group (sessions.archive) ---------------------------------------------------

OPEN_SERIES_OF_GROUP = "SELECT id FROM series WHERE group_id = $1 AND ended_at IS NULL ORDER BY created_at, id"

# Sessions of group $1 still to start after $2 (now) and scheduled: what ending its series left.
SCHEDULED_AHEAD_OF_GROUP = """
SELECT id FROM sessions WHERE group_id = $1 AND status = 'scheduled' AND starts_at > $2 ORDER BY starts_at, id
"""
