INSERT_USER = """
INSERT INTO users (email, password_hash, display_name, timezone)
VALUES ($1, $2, $3, $4)
ON CONFLICT (lower(email)) WHERE email IS NOT NULL DO NOTHING
RETURNING id, email, display_name
"""

USER_FOR_LOGIN = """
SELECT id, password_hash, token_version FROM users
WHERE lower(email) = lower($1) AND deleted_at IS NULL
"""

UPDATE_PASSWORD_HASH = "UPDATE users SET password_hash = $2 WHERE id = $1"

# A token carries the account's token_version; "log out everywhere" bumps it.
USER_FOR_TOKEN = """
SELECT id, email, display_name, timezone FROM users
WHERE id = $1 AND deleted_at IS NULL AND token_version = $2
"""

REVOKE_TOKENS = "UPDATE users SET token_version = token_version + 1 WHERE id = $1"

MEMBERSHIPS = """
SELECT m.org_id, o.slug AS org_slug, m.roles
FROM org_members m JOIN orgs o ON o.id = m.org_id
WHERE m.user_id = $1
ORDER BY o.slug
"""
