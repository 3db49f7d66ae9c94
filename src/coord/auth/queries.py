INSERT_USER = """
INSERT INTO users (email, password_hash, display_name, timezone, email_confirmed_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (lower(email)) WHERE email IS NOT NULL DO NOTHING
RETURNING id, email, display_name, email_confirmed_at IS NOT NULL AS email_confirmed
"""

USER_FOR_LOGIN = """
SELECT id, password_hash, token_version FROM users
WHERE lower(email) = lower($1) AND deleted_at IS NULL
"""

UPDATE_PASSWORD_HASH = "UPDATE users SET password_hash = $2 WHERE id = $1"

# A token carries the account's token_version; "log out everywhere" bumps it.
USER_FOR_TOKEN = """
SELECT id, email, display_name, timezone, email_confirmed_at IS NOT NULL AS email_confirmed FROM users
WHERE id = $1 AND deleted_at IS NULL AND token_version = $2
"""

REVOKE_TOKENS = "UPDATE users SET token_version = token_version + 1 WHERE id = $1"

# The organizations someone belongs to (the bench's raw baseline of GET /me reads it).
MEMBERSHIPS = """
SELECT m.org_id, o.slug AS org_slug, m.roles
FROM org_members m JOIN orgs o ON o.id = m.org_id
WHERE m.user_id = $1
ORDER BY o.slug
"""

# GET /me in one round trip: the profile on each of its memberships' rows (as MEMBERSHIPS lists
# them), or on one row with no membership. Rows rather than a JSON array that PostgreSQL built
# and the server parsed again: less CPU on both sides (bench/README.md, "One core per worker").
ME = """
SELECT u.id, u.email, u.display_name, u.timezone, u.locale, u.email_confirmed_at IS NOT NULL AS email_confirmed,
       (SELECT t.email FROM account_tokens t
        WHERE t.user_id = u.id AND t.purpose = 'change_email' AND t.used_at IS NULL AND t.expires_at > $2
        ORDER BY t.created_at DESC LIMIT 1) AS pending_email,
       m.org_id, o.slug AS org_slug, m.roles
FROM users u LEFT JOIN (org_members m JOIN orgs o ON o.id = m.org_id) ON m.user_id = u.id
WHERE u.id = $1 AND u.deleted_at IS NULL
ORDER BY o.slug
"""

# Only the fields given change ($n IS NULL: keep); locale is cleared with $5 = true.
UPDATE_PROFILE = """
UPDATE users SET display_name = coalesce($2, display_name), timezone = coalesce($3, timezone),
                 locale = CASE WHEN $5 THEN NULL ELSE coalesce($4, locale) END
WHERE id = $1 AND deleted_at IS NULL
"""

# --- email confirmation, password reset, email change (coord.auth.tokens, .recovery, .profile) ---

LIVE_ACCOUNT_BY_EMAIL = """
SELECT id, email, email_confirmed_at IS NOT NULL AS email_confirmed FROM users
WHERE lower(email) = lower($1) AND deleted_at IS NULL
"""
ACCOUNT_FOR_CHANGE = """
SELECT id, email, password_hash, email_confirmed_at IS NOT NULL AS email_confirmed FROM users
WHERE id = $1 AND deleted_at IS NULL FOR UPDATE
"""
EMAIL_TAKEN = "SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1) AND id <> $2)"
EMAIL_CONFIRMED = "SELECT email_confirmed_at IS NOT NULL FROM users WHERE id = $1"

INSERT_TOKEN = """
INSERT INTO account_tokens (user_id, purpose, email, nonce, token_hash, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id
"""
# What the job that mails a link needs: the row, still usable, and its account still there.
PENDING_TOKEN = """
SELECT t.id, t.purpose, t.email, t.nonce, t.expires_at, u.email AS account_email, u.display_name
FROM account_tokens t JOIN users u ON u.id = t.user_id
WHERE t.id = $1 AND t.used_at IS NULL AND t.expires_at > $2 AND u.deleted_at IS NULL
"""
TOKEN_BY_HASH_READ = """
SELECT t.id, t.user_id, t.purpose, t.email, t.expires_at, t.used_at, u.email AS account_email
FROM account_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1 AND u.deleted_at IS NULL
"""
# Locked with its account: a link used twice at once works once.
TOKEN_BY_HASH = TOKEN_BY_HASH_READ + "FOR UPDATE OF t, u"
# Single use: this one is used; others of the same purposes, still open, are void from now.
USE_TOKENS = """
UPDATE account_tokens SET used_at = $3
WHERE user_id = $1 AND purpose = ANY($2::text[]) AND used_at IS NULL
"""

# Links spent (used or voided) or expired before $1 (coord.auth.tokens.purge_spent): gone for good.
PURGE_SPENT_TOKENS = "DELETE FROM account_tokens WHERE used_at < $1 OR expires_at < $1"

CONFIRM_EMAIL = "UPDATE users SET email_confirmed_at = coalesce(email_confirmed_at, $2) WHERE id = $1"
CHANGE_EMAIL = "UPDATE users SET email = $2, email_confirmed_at = $3 WHERE id = $1"
# A new password: every token and page session issued so far stops working; the
# address that got the link is confirmed by its use ($4: a reset link was used).
SET_PASSWORD = """
UPDATE users SET password_hash = $2, token_version = token_version + 1,
                 email_confirmed_at = CASE WHEN $4 THEN coalesce(email_confirmed_at, $3) ELSE email_confirmed_at END
WHERE id = $1
RETURNING token_version
"""
