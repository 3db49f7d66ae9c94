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
