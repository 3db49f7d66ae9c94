"""Volunteer shifts, signups and trainings.

Capacity rule: every statement that can change who holds a place runs after
the shift row is locked (`... FOR UPDATE`) in an EARLIER statement of the same
transaction. Under READ COMMITTED each statement takes a fresh snapshot when it
starts, so counting in a later statement sees every signup committed by whoever
held the lock before us. (Counting inside the locking statement would not: its
snapshot predates the wait for the lock, and it could overbook.)
"""

SHIFT_COLUMNS = """
s.id, s.org_id, s.role, s.description, s.starts_at, s.ends_at, s.capacity, s.event_id, s.session_id,
s.required_training, s.status, s.sequence
"""

# Confirmed and waitlisted counts of one shift, for lists and single reads.
COUNTS = """
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE g.status = 'confirmed') AS confirmed_count,
           count(*) FILTER (WHERE g.status = 'waitlisted') AS waitlist_count
    FROM signups g WHERE g.shift_id = s.id AND g.status <> 'cancelled'
) c ON true
"""

# The 1-based waitlist position of signup g (NULL unless g is waitlisted).
SIGNUP_POSITION = """CASE WHEN g.status = 'waitlisted' THEN (
    SELECT count(*) FROM signups w
    WHERE w.shift_id = g.shift_id AND w.status = 'waitlisted' AND w.queue_order <= g.queue_order
) END"""

INSERT_SHIFT = """
INSERT INTO shifts (org_id, role, description, starts_at, ends_at, capacity, event_id, session_id, required_training)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
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

# Signup, statement 1 of 2: lock the shift and gather every rule's input in one
# round trip. The training must be valid on the shift's date in the org's timezone.
# Whether person $2 holds shift s's training, valid on its date in org o's timezone.
TRAINED_FOR_SHIFT = """
(s.required_training IS NULL OR EXISTS (
    SELECT 1 FROM trainings t
    WHERE t.user_id = $2 AND t.code = s.required_training
      AND t.completed_on <= (s.starts_at AT TIME ZONE o.timezone)::date
      AND (t.expires_on IS NULL OR t.expires_on >= (s.starts_at AT TIME ZONE o.timezone)::date)
))"""

LOCK_SHIFT_FOR_SIGNUP = f"""
SELECT s.id, s.org_id, s.capacity, s.starts_at, s.ends_at, s.status, s.required_training,
       m.roles, (s.starts_at AT TIME ZONE o.timezone)::date AS shift_date,
       (SELECT g.status FROM signups g WHERE g.shift_id = s.id AND g.user_id = $2) AS my_status,
       {TRAINED_FOR_SHIFT} AS trained,
       (SELECT x.id FROM signups g JOIN shifts x ON x.id = g.shift_id
        WHERE g.user_id = $2 AND g.status = 'confirmed' AND x.id <> s.id AND x.status = 'scheduled'
          AND x.starts_at < s.ends_at AND x.ends_at > s.starts_at
        ORDER BY x.starts_at LIMIT 1) AS overlapping_shift_id
FROM shifts s
JOIN orgs o ON o.id = s.org_id
LEFT JOIN org_members m ON m.org_id = s.org_id AND m.user_id = $2
WHERE s.id = $1
FOR UPDATE OF s
"""

# Signup, statement 2 of 2 ($3 = the locked shift's capacity): count and take a
# place or join the back of the waitlist. A cancelled signup is reused with a
# new queue_order; an active one is left alone (no row returned: already signed up).
# The new row has the highest queue_order of the shift, so its rank is waitlisted + 1.
TAKE_PLACE = """
WITH tally AS (
    SELECT count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
           count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted
    FROM signups WHERE shift_id = $1 AND status <> 'cancelled'
)
INSERT INTO signups AS g (shift_id, user_id, status)
SELECT $1, $2, CASE WHEN tally.confirmed < $3 THEN 'confirmed' ELSE 'waitlisted' END FROM tally
ON CONFLICT (shift_id, user_id) DO UPDATE
    SET status = EXCLUDED.status, queue_order = EXCLUDED.queue_order, late_cancel = false,
        checked_in_at = NULL, hours = NULL, cancelled_at = NULL, updated_at = now()
    WHERE g.status = 'cancelled'
RETURNING g.id, g.status,
          CASE WHEN g.status = 'waitlisted' THEN (SELECT waitlisted FROM tally) + 1 END AS position
"""

# A confirmed place given up later than the org's cutoff before the start is a late cancel:
# $3 the start, $4 the cutoff in hours, $5 now.
CANCEL_SIGNUP = """
WITH mine AS (
    SELECT id, status FROM signups WHERE shift_id = $1 AND user_id = $2 AND status <> 'cancelled'
)
UPDATE signups g
SET status = 'cancelled', cancelled_at = now(), updated_at = now(),
    late_cancel = (mine.status = 'confirmed' AND $5::timestamptz > $3::timestamptz - make_interval(hours => $4::int))
FROM mine WHERE g.id = mine.id
RETURNING g.id, mine.status AS was, g.late_cancel
"""

# Fill free places from the front of the waitlist ($2 = the locked capacity).
PROMOTE_WAITLISTED = """
WITH free AS (
    SELECT greatest($2::int - count(*), 0) AS places FROM signups WHERE shift_id = $1 AND status = 'confirmed'
), next_up AS (
    SELECT id FROM signups WHERE shift_id = $1 AND status = 'waitlisted'
    ORDER BY queue_order LIMIT (SELECT places FROM free)
)
UPDATE signups g SET status = 'confirmed', updated_at = now()
FROM next_up WHERE g.id = next_up.id
RETURNING g.id, g.user_id
"""

UPDATE_SHIFT = """
UPDATE shifts
SET capacity = $2, starts_at = $3, ends_at = $4, role = $5, description = $6,
    sequence = sequence + CASE WHEN $7 THEN 1 ELSE 0 END, updated_at = now()
WHERE id = $1
"""

CANCEL_SHIFT = "UPDATE shifts SET status = 'cancelled', sequence = sequence + 1, updated_at = now() WHERE id = $1"

CANCEL_ALL_SIGNUPS = """
WITH before AS (SELECT id, status FROM signups WHERE shift_id = $1 AND status <> 'cancelled' FOR UPDATE)
UPDATE signups t SET status = 'cancelled', cancelled_at = now(), updated_at = now()
FROM before b WHERE t.id = b.id
RETURNING t.id, t.user_id, b.status AS was
"""

SIGNUP_COLUMNS = f"""
g.id, g.shift_id, g.user_id, g.status, g.late_cancel, g.checked_in_at, g.hours::float8 AS hours,
{SIGNUP_POSITION} AS position
"""

MY_SIGNUP = f"SELECT {SIGNUP_COLUMNS} FROM signups g WHERE g.shift_id = $1 AND g.user_id = $2"

SIGNUP_BY_ID = f"SELECT {SIGNUP_COLUMNS} FROM signups g WHERE g.id = $1 AND g.shift_id = $2"

CHECK_IN = """
UPDATE signups SET checked_in_at = coalesce(checked_in_at, now()), updated_at = now()
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
UPDATE trainings SET verified_by = coalesce(verified_by, $2), verified_at = coalesce(verified_at, now())
WHERE id = $1
RETURNING id, user_id, code, completed_on, expires_on, verified_by IS NOT NULL AS verified, verified_at
"""

# The shift board: one org's shifts in a week with counts, the event they belong to,
# and the reader's own place ($2) with its waitlist position. $3/$4 window.
BOARD = f"""
SELECT {SHIFT_COLUMNS}, c.confirmed_count, c.waitlist_count, e.title AS event_title,
       my.status AS my_status, my.position AS my_position, {TRAINED_FOR_SHIFT} AS trained
FROM shifts s {COUNTS}
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

# My schedule (coord.sessions.my_schedule): $1's places on shifts not ended by $2 and
# starting before $3, with the waitlist position; a place the organization cancelled
# together with its shift stays listed, so the person sees why it is gone. $4 limit.
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
