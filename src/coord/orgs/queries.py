INSERT_ORG = """
INSERT INTO orgs (name, slug, timezone, contact_email)
VALUES ($1, $2, $3, $4)
ON CONFLICT (slug) DO NOTHING
RETURNING id, name, slug, timezone, contact_email, created_at
"""

GET_ORG = "SELECT id, name, slug, timezone, contact_email, created_at FROM orgs WHERE id = $1"

ADD_MEMBER = """
INSERT INTO org_members (org_id, user_id, roles) VALUES ($1, $2, $3)
ON CONFLICT (org_id, user_id) DO UPDATE
    SET roles = ARRAY(SELECT DISTINCT unnest(org_members.roles || EXCLUDED.roles) ORDER BY 1)
RETURNING roles, (xmax = 0) AS inserted
"""

USER_ID_BY_EMAIL = "SELECT id FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL"

LIST_MEMBERS = """
SELECT m.org_id, m.user_id, m.roles, u.display_name
FROM org_members m JOIN users u ON u.id = m.user_id
WHERE m.org_id = $1 AND ($2::uuid IS NULL OR m.user_id > $2)
ORDER BY m.user_id
LIMIT $3
"""

INSERT_VENUE = """
INSERT INTO venues (org_id, name, kind, address, meeting_url, accessibility)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id, org_id, name, kind, address, meeting_url, accessibility
"""

LIST_VENUES = """
SELECT id, org_id, name, kind, address, meeting_url, accessibility
FROM venues WHERE org_id = $1 AND ($2::uuid IS NULL OR id > $2)
ORDER BY id LIMIT $3
"""
