"""Community events and registrations.

Places are taken, given up, promoted and cancelled by the booking engine
(coord.bookings, with its capacity rule: the event row is locked here, in an
earlier statement than the engine's count); this module holds the events' own.
"""

from coord.bookings import queries as booking_queries
from coord.bookings.engine import EVENT_REGISTRATIONS

EVENT_COLUMNS = """
e.id, e.org_id, e.title, e.description, e.kind, e.starts_at, e.ends_at, e.timezone, e.capacity, e.venue_id,
e.visibility, e.registration_opens_at, e.registration_closes_at, e.status, e.sequence, e.languages
"""

COUNTS = booking_queries.counts(EVENT_REGISTRATIONS, "e")

# The 1-based waitlist position of registration r (NULL unless r is waitlisted).
REGISTRATION_POSITION = booking_queries.position(EVENT_REGISTRATIONS, "r")

VENUE_IN_ORG = "SELECT EXISTS (SELECT 1 FROM venues WHERE id = $1 AND org_id = $2)"

INSERT_EVENT = """
INSERT INTO events (org_id, title, description, kind, starts_at, ends_at, timezone, capacity, venue_id,
                    visibility, registration_opens_at, registration_closes_at, languages)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
RETURNING id
"""

# One event with counts, and the caller's roles in its organization (NULL: not a member).
GET_EVENT = f"""
SELECT {EVENT_COLUMNS}, c.confirmed_count, c.waitlist_count,
       (SELECT m.roles FROM org_members m WHERE m.org_id = e.org_id AND m.user_id = $2) AS roles
FROM events e {COUNTS}
WHERE e.id = $1
"""

# $2 from, $3 to, $4/$5 keyset (starts_at, id) of the last row seen, $6 limit, $7 a language (NULL: any).
LIST_EVENTS = f"""
SELECT {EVENT_COLUMNS}, c.confirmed_count, c.waitlist_count
FROM events e {COUNTS}
WHERE e.org_id = $1 AND e.status <> 'cancelled'
  AND ($2::timestamptz IS NULL OR e.starts_at >= $2)
  AND ($3::timestamptz IS NULL OR e.starts_at < $3)
  AND ($4::timestamptz IS NULL OR (e.starts_at, e.id) > ($4, $5::uuid))
  AND ($7::text IS NULL OR e.languages @> ARRAY[$7::text])
ORDER BY e.starts_at, e.id
LIMIT $6
"""

# The capacity lock (statement 1; the engine's take_place is the second), with what
# every rule needs: the caller's roles and registration.
LOCK_EVENT = """
SELECT e.id, e.org_id, e.capacity, e.starts_at, e.ends_at, e.timezone, e.status, e.visibility,
       e.registration_opens_at, e.registration_closes_at,
       (SELECT m.roles FROM org_members m WHERE m.org_id = e.org_id AND m.user_id = $2) AS roles,
       (SELECT r.status FROM registrations r WHERE r.event_id = e.id AND r.user_id = $2) AS my_status
FROM events e
WHERE e.id = $1
FOR UPDATE OF e
"""

EVENT_FOR_UPDATE = """
SELECT title, description, starts_at, ends_at, timezone, capacity, venue_id, registration_closes_at, languages
FROM events WHERE id = $1
"""

# $9: the change is one a calendar shows (time, place, title), so SEQUENCE goes up.
UPDATE_EVENT = """
UPDATE events SET title = $2, description = $3, starts_at = $4, ends_at = $5, timezone = $6, capacity = $7,
    venue_id = $8, sequence = sequence + CASE WHEN $9 THEN 1 ELSE 0 END, languages = $10, updated_at = now()
WHERE id = $1
"""

# Who holds a place or waits at event $1, with their names, in registration order; $2 the
# queue_order of the last row seen, $3 limit.
ROSTER = f"""
SELECT r.id, r.event_id, r.user_id, u.display_name, r.status, {REGISTRATION_POSITION} AS position,
       r.created_at AS registered_at, r.queue_order
FROM registrations r JOIN users u ON u.id = r.user_id
WHERE r.event_id = $1 AND r.status <> 'cancelled' AND ($2::bigint IS NULL OR r.queue_order > $2)
ORDER BY r.queue_order
LIMIT $3
"""
