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
