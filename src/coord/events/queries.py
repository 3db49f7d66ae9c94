"""Community events and registrations.

Capacity rule (as for shifts): the event row is locked with `... FOR UPDATE` in
one statement, and places are counted in a LATER statement of the same
transaction. Under READ COMMITTED a statement's snapshot is taken when it
starts, so a count inside the locking statement could miss registrations
committed while we waited for the lock, and overbook.
"""

EVENT_COLUMNS = """
e.id, e.org_id, e.title, e.description, e.kind, e.starts_at, e.ends_at, e.timezone, e.capacity, e.venue_id,
e.visibility, e.registration_opens_at, e.registration_closes_at, e.status, e.sequence
"""

COUNTS = """
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed_count,
           count(*) FILTER (WHERE r.status = 'waitlisted') AS waitlist_count
    FROM registrations r WHERE r.event_id = e.id AND r.status <> 'cancelled'
) c ON true
"""

# The 1-based waitlist position of registration r (NULL unless r is waitlisted).
REGISTRATION_POSITION = """CASE WHEN r.status = 'waitlisted' THEN (
    SELECT count(*) FROM registrations w
    WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.queue_order <= r.queue_order
) END"""

VENUE_IN_ORG = "SELECT EXISTS (SELECT 1 FROM venues WHERE id = $1 AND org_id = $2)"

INSERT_EVENT = """
INSERT INTO events (org_id, title, description, kind, starts_at, ends_at, timezone, capacity, venue_id,
                    visibility, registration_opens_at, registration_closes_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING id
"""

# One event with counts, and the caller's roles in its organization (NULL: not a member).
GET_EVENT = f"""
SELECT {EVENT_COLUMNS}, c.confirmed_count, c.waitlist_count,
       (SELECT m.roles FROM org_members m WHERE m.org_id = e.org_id AND m.user_id = $2) AS roles
FROM events e {COUNTS}
WHERE e.id = $1
"""

# $2 from, $3 to, $4/$5 keyset (starts_at, id) of the last row seen, $6 limit.
LIST_EVENTS = f"""
SELECT {EVENT_COLUMNS}, c.confirmed_count, c.waitlist_count
FROM events e {COUNTS}
WHERE e.org_id = $1 AND e.status <> 'cancelled'
  AND ($2::timestamptz IS NULL OR e.starts_at >= $2)
  AND ($3::timestamptz IS NULL OR e.starts_at < $3)
  AND ($4::timestamptz IS NULL OR (e.starts_at, e.id) > ($4, $5::uuid))
ORDER BY e.starts_at, e.id
LIMIT $6
"""

# The capacity lock, with what every rule needs: the caller's roles and registration.
LOCK_EVENT = """
SELECT e.id, e.org_id, e.capacity, e.starts_at, e.ends_at, e.status, e.visibility,
       e.registration_opens_at, e.registration_closes_at,
       (SELECT m.roles FROM org_members m WHERE m.org_id = e.org_id AND m.user_id = $2) AS roles,
       (SELECT r.status FROM registrations r WHERE r.event_id = e.id AND r.user_id = $2) AS my_status
FROM events e
WHERE e.id = $1
FOR UPDATE OF e
"""

# Registration, statement 2 of 2 ($3 = the locked capacity; NULL is unlimited).
# A cancelled registration is reused with a new queue_order (the back of the
# queue); an active one returns no row. The new row has the highest queue_order
# of the event, so its rank among the waitlisted is waitlisted + 1.
TAKE_PLACE = """
WITH tally AS (
    SELECT count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
           count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted
    FROM registrations WHERE event_id = $1 AND status <> 'cancelled'
)
INSERT INTO registrations AS r (event_id, user_id, status)
SELECT $1, $2, CASE WHEN $3::int IS NULL OR tally.confirmed < $3 THEN 'confirmed' ELSE 'waitlisted' END FROM tally
ON CONFLICT (event_id, user_id) DO UPDATE
    SET status = EXCLUDED.status, queue_order = EXCLUDED.queue_order, cancelled_at = NULL, updated_at = now()
    WHERE r.status = 'cancelled'
RETURNING r.id, r.status,
          CASE WHEN r.status = 'waitlisted' THEN (SELECT waitlisted FROM tally) + 1 END AS position
"""

CANCEL_REGISTRATION = """
WITH mine AS (
    SELECT id, status FROM registrations WHERE event_id = $1 AND user_id = $2 AND status <> 'cancelled'
)
UPDATE registrations r SET status = 'cancelled', cancelled_at = now(), updated_at = now()
FROM mine WHERE r.id = mine.id
RETURNING r.id, mine.status AS was
"""

# Fill free places from the front of the waitlist ($2 = the locked capacity; NULL: all).
PROMOTE_WAITLISTED = """
WITH free AS (
    SELECT CASE WHEN $2::int IS NULL THEN NULL ELSE greatest($2::int - count(*), 0) END AS places
    FROM registrations WHERE event_id = $1 AND status = 'confirmed'
), next_up AS (
    SELECT id FROM registrations WHERE event_id = $1 AND status = 'waitlisted'
    ORDER BY queue_order LIMIT (SELECT places FROM free)
)
UPDATE registrations r SET status = 'confirmed', updated_at = now()
FROM next_up WHERE r.id = next_up.id
RETURNING r.id, r.user_id
"""

EVENT_FOR_UPDATE = """
SELECT title, description, starts_at, ends_at, timezone, capacity, venue_id, registration_closes_at
FROM events WHERE id = $1
"""

# $9: the change is one a calendar shows (time, place, title), so SEQUENCE goes up.
UPDATE_EVENT = """
UPDATE events SET title = $2, description = $3, starts_at = $4, ends_at = $5, timezone = $6, capacity = $7,
    venue_id = $8, sequence = sequence + CASE WHEN $9 THEN 1 ELSE 0 END, updated_at = now()
WHERE id = $1
"""

CANCEL_EVENT = "UPDATE events SET status = 'cancelled', sequence = sequence + 1, updated_at = now() WHERE id = $1"

CANCEL_ALL_REGISTRATIONS = """
WITH before AS (SELECT id, status FROM registrations WHERE event_id = $1 AND status <> 'cancelled' FOR UPDATE)
UPDATE registrations t SET status = 'cancelled', cancelled_at = now(), updated_at = now()
FROM before b WHERE t.id = b.id
RETURNING t.id, t.user_id, b.status AS was
"""

MY_REGISTRATION = f"""
SELECT r.id, r.event_id, r.user_id, r.status,
       {REGISTRATION_POSITION} AS position
FROM registrations r WHERE r.event_id = $1 AND r.user_id = $2
"""

# The event page (coord.events.public): the event with counts, its organization, its
# venue, and the caller's roles and registration ($2 NULL for a visitor without an account).
EVENT_VIEW = f"""
SELECT {EVENT_COLUMNS}, c.confirmed_count, c.waitlist_count,
       o.name AS org_name, o.slug AS org_slug, o.timezone AS org_timezone,
       o.contact_email AS org_contact_email, o.crisis_resources,
       v.kind AS venue_kind, v.name AS venue_name, v.address AS venue_address,
       v.meeting_url AS venue_meeting_url, v.accessibility AS venue_accessibility,
       (SELECT m.roles FROM org_members m WHERE m.org_id = e.org_id AND m.user_id = $2::uuid) AS roles,
       r.status AS my_status,
       {REGISTRATION_POSITION} AS my_position
FROM events e
JOIN orgs o ON o.id = e.org_id
{COUNTS}
LEFT JOIN venues v ON v.id = e.venue_id
LEFT JOIN registrations r ON r.event_id = e.id AND r.user_id = $2::uuid
WHERE e.id = $1
"""

# My schedule (coord.sessions.my_schedule): $1's registrations for events not ended by
# $2 and starting before $3, with the waitlist position; a registration cancelled with
# its event stays listed. $4 limit.
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
