# Create the delivery row once per key, then lock it for the send: a duplicate
# job waits here and then finds it already sent.
ENSURE_DELIVERY = """
INSERT INTO deliveries (key, event_id, user_id, org_id, kind)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (key) DO NOTHING
"""
LOCK_DELIVERY = "SELECT id, status, attempts FROM deliveries WHERE key = $1 FOR UPDATE"
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

RECIPIENT = """
SELECT id, email, display_name, timezone FROM users WHERE id = $1 AND deleted_at IS NULL AND email IS NOT NULL
"""
ORG_FOR_MAIL = "SELECT id, name, slug, contact_email, timezone FROM orgs WHERE id = $1"

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

SHIFT_BOOKING = """
SELECT s.id, s.role, s.description, s.starts_at, s.ends_at, s.status, s.sequence, s.updated_at,
       o.name AS org_name, o.contact_email, o.timezone AS org_timezone,
       g.status AS signup_status,
       CASE WHEN g.status = 'waitlisted' THEN (
           SELECT count(*) FROM signups w
           WHERE w.shift_id = s.id AND w.status = 'waitlisted' AND w.queue_order <= g.queue_order) END AS position
FROM shifts s
JOIN orgs o ON o.id = s.org_id
JOIN signups g ON g.shift_id = s.id AND g.id = $2
WHERE s.id = $1
"""

EVENT_BOOKING = """
SELECT e.id, e.title, e.description, e.kind, e.starts_at, e.ends_at, e.timezone, e.status, e.sequence,
       e.updated_at, e.visibility, v.name AS venue_name, v.address, v.meeting_url,
       o.name AS org_name, o.contact_email,
       r.status AS registration_status,
       CASE WHEN r.status = 'waitlisted' THEN (
           SELECT count(*) FROM registrations w
           WHERE w.event_id = e.id AND w.status = 'waitlisted' AND w.queue_order <= r.queue_order) END AS position
FROM events e
JOIN orgs o ON o.id = e.org_id
LEFT JOIN venues v ON v.id = e.venue_id
JOIN registrations r ON r.event_id = e.id AND r.id = $2
WHERE e.id = $1
"""
