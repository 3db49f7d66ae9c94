INSERT_FEED = """
INSERT INTO feed_tokens (user_id, scope, org_id, discreet, label, token_hash)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id
"""

LIST_FEEDS = """
SELECT id, scope, org_id, discreet, label, created_at, last_fetched_at
FROM feed_tokens WHERE user_id = $1 ORDER BY created_at, id
"""

DELETE_FEED = "DELETE FROM feed_tokens WHERE id = $1 AND user_id = $2 RETURNING id"

# The lookup is by hash: an index probe, not a comparison of secrets.
FEED_BY_HASH = """
SELECT f.id, f.user_id, f.scope, f.org_id, f.discreet, f.token_hash
FROM feed_tokens f JOIN users u ON u.id = f.user_id
WHERE f.token_hash = $1 AND u.deleted_at IS NULL
"""

TOUCH_FEED = "UPDATE feed_tokens SET last_fetched_at = now() WHERE id = $1"
