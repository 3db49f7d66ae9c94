"""Volunteer shifts, signups and trainings.

Places are taken, given up, promoted and cancelled by the booking engine
(coord.bookings, with its capacity rule); this module holds what is the shifts'
own: the lock that reads the signup rules' inputs, check-in, hours, trainings.
"""

from coord.bookings import queries as booking_queries
from coord.bookings.engine import SHIFT_SIGNUPS

SHIFT_COLUMNS = """
s.id, s.org_id, s.role, s.description, s.starts_at, s.ends_at, s.capacity, s.event_id, s.session_id,
s.required_training, s.status, s.sequence, s.location
"""

# Confirmed and waitlisted counts of one shift, for lists and single reads.
COUNTS = booking_queries.counts(SHIFT_SIGNUPS, "s")

# The 1-based waitlist position of signup g (NULL unless g is waitlisted).
SIGNUP_POSITION = booking_queries.position(SHIFT_SIGNUPS, "g")

INSERT_SHIFT = """
INSERT INTO shifts (org_id, role, description, starts_at, ends_at, capacity, event_id, session_id, required_training,
                    location)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING id
"""

EVENT_IN_ORG = "SELECT EXISTS (SELECT 1 FROM events WHERE id = $1 AND org_id = $2)"
SESSION_IN_ORG = "SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND org_id = $2)"

GET_SHIFT = f"SELECT {SHIFT_COLUMNS}, c.confirmed_count, c.waitlist_count FROM shifts s {COUNTS} WHERE s.id = $1"

# $2 from, $3 to, $4/$5 keyset (starts_at, id) of the last row seen, $6 open only, $7 limit.
LIST_SHIFTS = f"""
SELECT {SHIFT_COLUMNS}, c.confirmed_count, c.waitlist_count
FROM shifts s {COUNTS}
WHERE s.org_id = $1
  AND ($2::timestamptz IS NULL OR s.starts_at >= $2)
  AND ($3::timestamptz IS NULL OR s.starts_at < $3)
  AND ($4::timestamptz IS NULL OR (s.starts_at, s.id) > ($4, $5::uuid))
  AND (NOT $6 OR (s.status = 'scheduled' AND c.confirmed_count < s.capacity))
ORDER BY s.starts_at, s.id
LIMIT $7
"""

# The lock taken before any change to a shift's places, with the caller's roles.
LOCK_SHIFT = """
SELECT s.id, s.org_id, s.capacity, s.starts_at, s.ends_at, s.status,
       o.cancellation_cutoff_hours, m.roles
FROM shifts s
JOIN orgs o ON o.id = s.org_id
LEFT JOIN org_members m ON m.org_id = s.org_id AND m.user_id = $2
WHERE s.id = $1
FOR UPDATE OF s
"""

# Signup, statement 0: one signup at a time per person (a transaction-scoped lock on
# the person), so two of their signups for overlapping shifts cannot both pass the
# overlap check below. Its own statement, for the same snapshot reason as the row lock.
LOCK_PERSON_FOR_SIGNUP = "SELECT pg_advisory_xact_lock(hashtextextended('coord:signup:' || $1::uuid::text, 0))"

# Whether person $2 holds shift s's training, valid on its date in org o's timezone.
TRAINED_FOR_SHIFT = """
(s.required_training IS NULL OR EXISTS (
    SELECT 1 FROM trainings t
    WHERE t.user_id = $2 AND t.code = s.required_training
      AND t.completed_on <= (s.starts_at AT TIME ZONE o.timezone)::date
      AND (t.expires_on IS NULL OR t.expires_on >= (s.starts_at AT TIME ZONE o.timezone)::date)
))"""

# Signup, statement 1 of 2 (the engine's take_place is the second): lock the shift and
# gather every rule's input in one round trip.
LOCK_SHIFT_FOR_SIGNUP = f"""
SELECT s.id, s.org_id, s.capacity, s.starts_at, s.ends_at, s.status, s.required_training,
       m.roles, (s.starts_at AT TIME ZONE o.timezone)::date AS shift_date,
       (SELECT u.email_confirmed_at IS NOT NULL FROM users u WHERE u.id = $2) AS email_confirmed,
       (SELECT g.status FROM signups g WHERE g.shift_id = s.id AND g.user_id = $2) AS my_status,
       {TRAINED_FOR_SHIFT} AS trained,
       (SELECT x.id FROM signups g JOIN shifts x ON x.id = g.shift_id
        WHERE g.user_id = $2 AND g.status = 'confirmed' AND x.id <> s.id AND x.status = 'scheduled'
          AND tstzrange(x.starts_at, x.ends_at) && tstzrange(s.starts_at, s.ends_at)  -- index shifts_span
        ORDER BY x.starts_at LIMIT 1) AS overlapping_shift_id
FROM shifts s
JOIN orgs o ON o.id = s.org_id
LEFT JOIN org_members m ON m.org_id = s.org_id AND m.user_id = $2
WHERE s.id = $1
FOR UPDATE OF s
"""

UPDATE_SHIFT = """
UPDATE shifts
SET capacity = $2, starts_at = $3, ends_at = $4, role = $5, description = $6, location = $8,
    sequence = sequence + CASE WHEN $7 THEN 1 ELSE 0 END, updated_at = now()
WHERE id = $1
"""

SIGNUP_COLUMNS = f"""
g.id, g.shift_id, g.user_id, g.status, g.late_cancel, g.checked_in_at, g.hours::float8 AS hours,
{SIGNUP_POSITION} AS position
"""

SIGNUP_BY_ID = f"SELECT {SIGNUP_COLUMNS} FROM signups g WHERE g.id = $1 AND g.shift_id = $2"

# --- an event's shifts, and who signed up (coordinators) ---------------------------------

# The event shifts are added to, with the caller's roles in its organization.
EVENT_FOR_SHIFTS = """
SELECT e.id, e.org_id, e.status, e.timezone,
       (SELECT m.roles FROM org_members m WHERE m.org_id = e.org_id AND m.user_id = $2) AS roles
FROM events e WHERE e.id = $1
"""

# $2/$3 keyset (starts_at, id) of the last row seen, $4 limit.
EVENT_SHIFTS = f"""
SELECT {SHIFT_COLUMNS}, c.confirmed_count, c.waitlist_count
FROM shifts s {COUNTS}
WHERE s.event_id = $1
  AND ($2::timestamptz IS NULL OR (s.starts_at, s.id) > ($2, $3::uuid))
ORDER BY s.starts_at, s.id
LIMIT $4
"""

# The zone a shift's wall-clock times are read in: its event's, else its organization's.
SHIFT_TIMEZONE = """
SELECT coalesce(e.timezone, o.timezone)
FROM shifts s JOIN orgs o ON o.id = s.org_id LEFT JOIN events e ON e.id = s.event_id
WHERE s.id = $1
"""

# Who holds a place or waits, with their names, in signup order: on shift $1, or on every
# shift of event $2 (the other NULL); $3 the queue_order of the last row seen, $4 limit.
ROSTER = f"""
SELECT g.id, g.shift_id, g.user_id, u.display_name, g.status, {SIGNUP_POSITION} AS position, g.late_cancel,
       g.checked_in_at, g.hours::float8 AS hours, g.created_at AS signed_up_at, g.queue_order
FROM signups g JOIN users u ON u.id = g.user_id JOIN shifts s ON s.id = g.shift_id
WHERE ($1::uuid IS NULL OR g.shift_id = $1) AND ($2::uuid IS NULL OR s.event_id = $2)
  AND g.status <> 'cancelled' AND ($3::bigint IS NULL OR g.queue_order > $3)
ORDER BY g.queue_order
LIMIT $4
"""

# $2: coord's clock (a time people read on the roster, not bookkeeping).
CHECK_IN = """
UPDATE signups SET checked_in_at = coalesce(checked_in_at, $2), updated_at = now()
WHERE id = $1
"""

SET_HOURS = "UPDATE signups SET hours = $2::float8, updated_at = now() WHERE id = $1"

# $2/$3 keyset (starts_at, signup id) of the last row seen, $4 limit.
MY_SIGNUPS = f"""
SELECT {SIGNUP_COLUMNS}, s.org_id, s.role, s.starts_at, s.ends_at, s.status AS shift_status
FROM signups g JOIN shifts s ON s.id = g.shift_id
WHERE g.user_id = $1
  AND ($2::timestamptz IS NULL OR (s.starts_at, g.id) > ($2, $3::uuid))
ORDER BY s.starts_at, g.id
LIMIT $4
"""

# Trainings
INSERT_TRAINING = """
INSERT INTO trainings (user_id, code, completed_on, expires_on)
VALUES ($1, $2, $3, $4)
RETURNING id, user_id, code, completed_on, expires_on, verified_by IS NOT NULL AS verified, verified_at
"""

MY_TRAININGS = """
SELECT id, user_id, code, completed_on, expires_on, verified_by IS NOT NULL AS verified, verified_at
FROM trainings
WHERE user_id = $1 AND ($2::uuid IS NULL OR id > $2)
ORDER BY id
LIMIT $3
"""

# The training's owner, and whether the caller is staff in an org the owner belongs to.
TRAINING_FOR_VERIFIER = """
SELECT t.user_id,
       EXISTS (SELECT 1 FROM org_members mine JOIN org_members theirs ON theirs.org_id = mine.org_id
               WHERE mine.user_id = $2 AND theirs.user_id = t.user_id) AS shares_org,
       EXISTS (SELECT 1 FROM org_members mine JOIN org_members theirs ON theirs.org_id = mine.org_id
               WHERE mine.user_id = $2 AND theirs.user_id = t.user_id
                 AND mine.roles && ARRAY['admin', 'coordinator']) AS is_staff
FROM trainings t WHERE t.id = $1
"""

VERIFY_TRAINING = """
UPDATE trainings SET verified_by = coalesce(verified_by, $2), verified_at = coalesce(verified_at, $3)
WHERE id = $1
RETURNING id, user_id, code, completed_on, expires_on, verified_by IS NOT NULL AS verified, verified_at
"""
