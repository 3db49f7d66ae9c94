INSERT_FEED = """
INSERT INTO feed_tokens (user_id, scope, org_id, discreet, label, token_hash)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id
"""

LIST_FEEDS = """
SELECT id, scope, org_id, discreet, label, created_at, last_fetched_at
FROM feed_tokens WHERE user_id = $1 ORDER BY created_at, id
"""

# The lookup is by hash: an index probe, not a comparison of secrets.
FEED_BY_HASH = """
SELECT f.id, f.user_id, f.scope, f.org_id, f.discreet, f.token_hash, f.created_at, u.locale
FROM feed_tokens f JOIN users u ON u.id = f.user_id
WHERE f.token_hash = $1 AND u.deleted_at IS NULL
"""

TOUCH_FEED = "UPDATE feed_tokens SET last_fetched_at = now() WHERE id = $1"

DELETE_FEED_RETURNING_HASH = "DELETE FROM feed_tokens WHERE id = $1 AND user_id = $2 RETURNING token_hash"

# $1's feeds of organization $2 (scope 'org'), or every feed of theirs when $2 is NULL.
OWN_FEEDS = "SELECT count(*)::int FROM feed_tokens WHERE user_id = $1 AND ($2::uuid IS NULL OR (scope = 'org' AND org_id = $2))"
DELETE_OWN_FEEDS = """
DELETE FROM feed_tokens WHERE user_id = $1 AND ($2::uuid IS NULL OR (scope = 'org' AND org_id = $2))
RETURNING token_hash
"""

# ------------------------------------------------------------------ feed content
# Every query returns what a VEVENT needs and nothing about other people.

_SERIES_COLUMNS = """
se.id, se.group_id, se.start_local, se.timezone, se.duration_minutes, se.rrule, se.sequence, se.venue_id,
greatest(se.updated_at, (SELECT max(s.updated_at) FROM sessions s WHERE s.series_id = se.id)) AS updated_at,
g.name, g.description, g.visibility, g.discreet_title
"""

# Series of the groups $1 is an active member of (participant or facilitator).
MY_SERIES = f"""
SELECT {_SERIES_COLUMNS}, true AS confirmed
FROM series se
JOIN groups g ON g.id = se.group_id
JOIN group_members m ON m.group_id = se.group_id AND m.user_id = $1 AND m.status = 'active'
"""

# Series of the groups of org $1 that $2 may see: staff ($3) all, others public
# groups and those they belong to. `confirmed`: may see where it happens.
ORG_SERIES = f"""
SELECT {_SERIES_COLUMNS}, ($3 OR m.status = 'active' OR g.visibility <> 'private') AS confirmed
FROM series se
JOIN groups g ON g.id = se.group_id
LEFT JOIN group_members m ON m.group_id = se.group_id AND m.user_id = $2
WHERE se.org_id = $1 AND ($3 OR g.visibility = 'public' OR m.user_id IS NOT NULL)
"""

# Occurrences that differ from their series' rule: cancelled, or moved in time or
# place. Rows of series not in $1 are never read.
SERIES_EXCEPTIONS = """
SELECT s.id, s.series_id, s.recurrence_id, s.starts_at, s.ends_at, s.status, s.sequence, s.venue_id
FROM sessions s JOIN series se ON se.id = s.series_id
WHERE s.series_id = ANY($1::uuid[])
  AND (s.status = 'cancelled' OR s.starts_at <> s.recurrence_id
       OR s.ends_at - s.starts_at <> make_interval(mins => se.duration_minutes)
       OR s.venue_id IS DISTINCT FROM se.venue_id)
ORDER BY s.series_id, s.recurrence_id
"""

_SINGLE_SESSION_COLUMNS = """
s.id, s.group_id, s.starts_at, s.ends_at, s.sequence, s.venue_id, s.updated_at,
g.name, g.description, g.visibility, g.discreet_title, g.timezone
"""

# Sessions that are not part of a series the feed shows as a whole: one-off
# sessions of my groups, and sessions I facilitated in groups I have since left.
# Two parts that never share a row (a member of the group, or not), each read from
# $1's own rows by index: one condition with OR read every session of every
# organization (a million in bench scale_100k_members, 400 ms).
MY_SINGLE_SESSIONS = f"""
SELECT {_SINGLE_SESSION_COLUMNS}, true AS confirmed
FROM group_members m
JOIN sessions s ON s.group_id = m.group_id
JOIN groups g ON g.id = s.group_id
WHERE m.user_id = $1 AND m.status = 'active' AND s.series_id IS NULL AND s.status <> 'cancelled'
UNION ALL
SELECT {_SINGLE_SESSION_COLUMNS}, true AS confirmed
FROM session_facilitators f
JOIN sessions s ON s.id = f.session_id
JOIN groups g ON g.id = s.group_id
WHERE f.user_id = $1 AND s.status <> 'cancelled'
  AND NOT EXISTS (
      SELECT 1 FROM group_members m WHERE m.group_id = s.group_id AND m.user_id = $1 AND m.status = 'active')
"""

ORG_SINGLE_SESSIONS = f"""
SELECT {_SINGLE_SESSION_COLUMNS}, ($3 OR m.status = 'active' OR g.visibility <> 'private') AS confirmed
FROM sessions s
JOIN groups g ON g.id = s.group_id
LEFT JOIN group_members m ON m.group_id = s.group_id AND m.user_id = $2
WHERE s.org_id = $1 AND s.series_id IS NULL AND s.status <> 'cancelled'
  AND ($3 OR g.visibility = 'public' OR m.user_id IS NOT NULL)
"""

_EVENT_COLUMNS = "e.id, e.title, e.description, e.kind, e.starts_at, e.ends_at, e.timezone, e.sequence, e.venue_id"

# Events I hold a confirmed place at. updated_at covers my registration too.
MY_EVENTS = f"""
SELECT {_EVENT_COLUMNS}, greatest(e.updated_at, r.updated_at) AS updated_at
FROM registrations r JOIN events e ON e.id = r.event_id
WHERE r.user_id = $1 AND r.status = 'confirmed' AND e.status <> 'cancelled'
"""

ORG_EVENTS = f"""
SELECT {_EVENT_COLUMNS}, e.updated_at
FROM events e WHERE e.org_id = $1 AND e.status <> 'cancelled'
"""

PUBLIC_EVENTS = f"""
SELECT {_EVENT_COLUMNS}, e.updated_at
FROM events e WHERE e.org_id = $1 AND e.visibility = 'public' AND e.status <> 'cancelled'
"""

# Newest change to my bookings, cancelled ones included: a booking that leaves
# the feed still moves Last-Modified forward.
MY_BOOKINGS_CHANGED = """
SELECT greatest(
    (SELECT max(updated_at) FROM registrations WHERE user_id = $1),
    (SELECT max(updated_at) FROM signups WHERE user_id = $1),
    (SELECT max(updated_at) FROM group_members WHERE user_id = $1)
)
"""

_SHIFT_COLUMNS = """
sh.id, sh.role, sh.description, sh.starts_at, sh.ends_at, sh.sequence, sh.event_id,
e.venue_id, e.timezone, o.timezone AS org_timezone
"""

MY_SHIFTS = f"""
SELECT {_SHIFT_COLUMNS}, greatest(sh.updated_at, su.updated_at) AS updated_at
FROM signups su
JOIN shifts sh ON sh.id = su.shift_id
JOIN orgs o ON o.id = sh.org_id
LEFT JOIN events e ON e.id = sh.event_id
WHERE su.user_id = $1 AND su.status = 'confirmed' AND sh.status <> 'cancelled'
"""

ORG_SHIFTS = f"""
SELECT {_SHIFT_COLUMNS}, sh.updated_at
FROM shifts sh
JOIN orgs o ON o.id = sh.org_id
LEFT JOIN events e ON e.id = sh.event_id
WHERE sh.org_id = $1 AND sh.status <> 'cancelled'
"""

VENUES = "SELECT id, kind, name, address, meeting_url FROM venues WHERE id = ANY($1::uuid[])"

ORG_FOR_FEED = "SELECT id, name, created_at, default_locale FROM orgs WHERE id = $1"

ORG_BY_SLUG = "SELECT id, name, slug, created_at, default_locale FROM orgs WHERE slug = $1"

# ------------------------------------------------------------------ invalidation
# Which cached feeds a change may touch, in one round trip: the organization's slug (its
# public feed) and the token hashes of its own feeds, of its members' personal feeds, and of
# every feed of the people $2 the change names. Each query finds the organization from the
# changed thing $1 its own way; when that is gone (NULL), only the people's feeds remain.
def _stale_feeds(org_of: str) -> str:
    return f"""
WITH o AS (SELECT ({org_of}) AS id)
SELECT (SELECT slug FROM orgs WHERE id = o.id) AS slug,
       ARRAY(SELECT f.token_hash FROM feed_tokens f
             WHERE (f.scope = 'org' AND f.org_id = o.id)
                OR (f.scope = 'mine' AND f.user_id IN (SELECT user_id FROM org_members WHERE org_id = o.id))
                OR f.user_id = ANY($2::uuid[])) AS token_hashes
FROM o
"""


STALE_FEEDS_OF_ORG = _stale_feeds("SELECT $1::uuid")  # $1 is the organization, or NULL for none
STALE_FEEDS_OF_GROUP = _stale_feeds("SELECT org_id FROM groups WHERE id = $1")
STALE_FEEDS_OF_SERIES = _stale_feeds("SELECT org_id FROM series WHERE id = $1")
STALE_FEEDS_OF_SESSION = _stale_feeds("SELECT org_id FROM sessions WHERE id = $1")
STALE_FEEDS_OF_EVENT = _stale_feeds("SELECT org_id FROM events WHERE id = $1")
STALE_FEEDS_OF_SHIFT = _stale_feeds("SELECT org_id FROM shifts WHERE id = $1")
