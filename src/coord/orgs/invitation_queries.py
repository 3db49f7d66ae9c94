"""SQL of invitations (coord.orgs.invitations). $1-style parameters; instants passed in."""

INVITATION_COLUMNS = """
i.id, i.org_id, i.email, i.roles, i.display_name, i.created_at, i.sent_at, i.expires_at,
i.accepted_at, i.revoked_at,
CASE WHEN i.accepted_at IS NOT NULL THEN 'accepted'
     WHEN i.revoked_at IS NOT NULL THEN 'revoked'
     WHEN i.expires_at <= $2 THEN 'expired'
     ELSE 'pending' END AS status
"""

# Creates the open invitation of this address, or renews the one there is (new link,
# roles merged): returns it and whether it is new.
UPSERT_INVITATION = f"""
INSERT INTO invitations AS i (org_id, email, roles, display_name, invited_by, nonce, token_hash,
                              created_at, sent_at, expires_at)
VALUES ($1, $3, $4, $5, $6, $7, $8, $2, $2, $9)
ON CONFLICT (org_id, lower(email)) WHERE accepted_at IS NULL AND revoked_at IS NULL
DO UPDATE SET roles = ARRAY(SELECT DISTINCT r FROM unnest(i.roles || EXCLUDED.roles) r ORDER BY r),
              display_name = COALESCE(EXCLUDED.display_name, i.display_name),
              invited_by = EXCLUDED.invited_by, nonce = EXCLUDED.nonce, token_hash = EXCLUDED.token_hash,
              sent_at = EXCLUDED.sent_at, expires_at = EXCLUDED.expires_at
RETURNING {INVITATION_COLUMNS}, (xmax = 0) AS inserted
"""

# Many at once (the CSV import): one statement for the whole file.
UPSERT_INVITATIONS = """
INSERT INTO invitations AS i (org_id, email, roles, display_name, invited_by, nonce, token_hash,
                              created_at, sent_at, expires_at)
SELECT $1, r.email, string_to_array(r.roles, ';'), r.display_name, $3, r.nonce, r.token_hash, $2, $2, $4
FROM unnest($5::text[], $6::text[], $7::text[], $8::bytea[], $9::bytea[])
     AS r (email, roles, display_name, nonce, token_hash)
ON CONFLICT (org_id, lower(email)) WHERE accepted_at IS NULL AND revoked_at IS NULL
DO UPDATE SET roles = ARRAY(SELECT DISTINCT x FROM unnest(i.roles || EXCLUDED.roles) x ORDER BY x),
              display_name = COALESCE(EXCLUDED.display_name, i.display_name),
              invited_by = EXCLUDED.invited_by, nonce = EXCLUDED.nonce, token_hash = EXCLUDED.token_hash,
              sent_at = EXCLUDED.sent_at, expires_at = EXCLUDED.expires_at
RETURNING i.id, i.org_id
"""

# Pending first, then the others made since $3.
LIST_INVITATIONS = f"""
SELECT {INVITATION_COLUMNS} FROM invitations i
WHERE i.org_id = $1 AND (i.accepted_at IS NULL AND i.revoked_at IS NULL
                         OR i.created_at > $3)
ORDER BY (i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2) DESC, i.sent_at DESC, i.id
LIMIT 500
"""

# Accepted, withdrawn or expired before $1: no longer listed, and nobody's business.
PURGE_SETTLED = "DELETE FROM invitations WHERE coalesce(accepted_at, revoked_at, expires_at) < $1"

INVITATION = f"SELECT {INVITATION_COLUMNS} FROM invitations i WHERE i.id = $1 AND i.org_id = $3"

LOCK_INVITATION = f"""
SELECT {INVITATION_COLUMNS} FROM invitations i WHERE i.id = $1 AND i.org_id = $3 FOR UPDATE
"""

REVOKE = "UPDATE invitations SET revoked_at = $2 WHERE id = $1"

RENEW = "UPDATE invitations SET nonce = $2, token_hash = $3, sent_at = $4, expires_at = $5 WHERE id = $1"

# What the link opens, by the hash of its token.
BY_TOKEN_HASH = f"""
SELECT {INVITATION_COLUMNS}, o.name AS org_name, o.slug AS org_slug, o.timezone AS org_timezone,
       u.id AS account_id, u.email_confirmed_at IS NOT NULL AS account_confirmed
FROM invitations i JOIN orgs o ON o.id = i.org_id
LEFT JOIN users u ON lower(u.email) = lower(i.email) AND u.deleted_at IS NULL
WHERE i.token_hash = $1
"""
LOCK_BY_TOKEN_HASH = BY_TOKEN_HASH + " FOR UPDATE OF i"

# For the job that mails it.
TO_MAIL = f"""
SELECT {INVITATION_COLUMNS}, i.nonce, o.name AS org_name, o.contact_email AS org_contact,
       inviter.display_name AS inviter_name
FROM invitations i JOIN orgs o ON o.id = i.org_id
LEFT JOIN users inviter ON inviter.id = i.invited_by
WHERE i.id = $1
"""

ACCEPT = "UPDATE invitations SET accepted_at = $2, accepted_by = $3 WHERE id = $1"

# The import's look-ups: which addresses are members already, with which roles.
MEMBERS_BY_EMAIL = """
SELECT lower(u.email) AS email, u.id, u.email_confirmed_at IS NOT NULL AS confirmed, m.roles
FROM users u LEFT JOIN org_members m ON m.user_id = u.id AND m.org_id = $1
WHERE lower(u.email) = ANY($2::text[]) AND u.deleted_at IS NULL
"""

ACTOR_IS_ADMIN = "SELECT 'admin' = ANY(roles) FROM org_members WHERE org_id = $1 AND user_id = $2"
