"""SQL of support groups and their membership."""

GROUP_COLUMNS = """
g.id, g.org_id, g.name, g.description, g.topic, g.audience, g.languages, g.format, g.visibility,
g.join_policy, g.capacity, g.facilitators_required, g.venue_id, g.timezone, g.discreet_title, g.created_at,
g.archived_at
"""

ORG_TIMEZONE = "SELECT timezone FROM orgs WHERE id = $1"

VENUE_IN_ORG = "SELECT EXISTS (SELECT 1 FROM venues WHERE id = $1 AND org_id = $2)"

INSERT_GROUP = f"""
INSERT INTO groups AS g (org_id, name, description, topic, audience, languages, format, visibility,
                         join_policy, capacity, facilitators_required, venue_id, timezone, discreet_title)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
RETURNING {GROUP_COLUMNS}
"""

# The group with the caller's own membership (NULLs when they have none).
GET_GROUP = f"""
SELECT {GROUP_COLUMNS}, m.role AS my_role, m.status AS my_status
FROM groups g LEFT JOIN group_members m ON m.group_id = g.id AND m.user_id = $2
WHERE g.id = $1
"""

# Staff ($3) see every group, archived ones too; others see the running public groups and
# those they belong to. Unlisted groups are reachable by link but never listed to non-members.
# $7: only groups held in this language (ISO 639), NULL: any.
LIST_GROUPS = f"""
SELECT {GROUP_COLUMNS}, m.role AS my_role, m.status AS my_status
FROM groups g LEFT JOIN group_members m ON m.group_id = g.id AND m.user_id = $2
WHERE g.org_id = $1
  AND ($3 OR ((g.visibility = 'public' OR m.user_id IS NOT NULL) AND g.archived_at IS NULL))
  AND ($4::text IS NULL OR (g.name, g.id) > ($4, $5::uuid))
  AND ($7::text IS NULL OR g.languages @> ARRAY[$7::text])
ORDER BY g.name, g.id
LIMIT $6
"""

ORG_ROLES = "SELECT roles FROM org_members WHERE org_id = $1 AND user_id = $2"

# PATCH: every column as the service worked it out (absent fields keep their value there).
UPDATE_GROUP = f"""
UPDATE groups AS g SET name = $2, description = $3, topic = $4, audience = $5, languages = $6, format = $7,
    visibility = $8, join_policy = $9, capacity = $10, facilitators_required = $11, venue_id = $12,
    timezone = $13, discreet_title = $14, archived_at = $15, updated_at = now()
WHERE g.id = $1
RETURNING {GROUP_COLUMNS}
"""

LOCK_GROUP = "SELECT id FROM groups WHERE id = $1 FOR UPDATE"

MEMBERSHIP = "SELECT role, status FROM group_members WHERE group_id = $1 AND user_id = $2"

# Staff adding someone: an existing pending request becomes active with the given role.
UPSERT_ACTIVE_MEMBER = """
INSERT INTO group_members (group_id, user_id, role, status) VALUES ($1, $2, $3, 'active')
ON CONFLICT (group_id, user_id) DO UPDATE
    SET role = EXCLUDED.role, status = 'active', updated_at = now()
RETURNING role, status, created_at,
          (xmax = 0) AS inserted
"""

# A self-join never changes an existing membership (no self-promotion to facilitator).
INSERT_SELF_MEMBER = """
INSERT INTO group_members (group_id, user_id, role, status) VALUES ($1, $2, 'participant', $3)
ON CONFLICT (group_id, user_id) DO NOTHING
RETURNING role, status
"""

APPROVE_MEMBER = """
UPDATE group_members SET status = 'active', updated_at = now()
WHERE group_id = $1 AND user_id = $2 AND status = 'pending'
RETURNING role, status, created_at
"""

DELETE_MEMBER = "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2 RETURNING status"

DECLINE_REQUEST = """
DELETE FROM group_members WHERE group_id = $1 AND user_id = $2 AND status = 'pending'
RETURNING role
"""

# $1's memberships (pending requests too) in a group role of $3, in the groups of
# organization $2, or of every organization $1 belongs to when $2 is NULL.
MEMBERSHIPS_IN_ORG = """
SELECT m.group_id FROM group_members m
JOIN groups g ON g.id = m.group_id
JOIN org_members o ON o.org_id = g.org_id AND o.user_id = m.user_id
WHERE m.user_id = $1 AND ($2::uuid IS NULL OR g.org_id = $2) AND m.role = ANY($3::text[])
ORDER BY g.name, g.id
"""

# A person who leaves keeps no assignment to sessions still to come (after $3, now).
UNASSIGN_FUTURE_SESSIONS = """
WITH removed AS (
    DELETE FROM session_facilitators sf USING sessions s
    WHERE sf.session_id = s.id AND s.group_id = $1 AND sf.user_id = $2 AND s.starts_at > $3
    RETURNING s.id
)
UPDATE sessions SET sequence = sequence + 1, updated_at = now()
WHERE id IN (SELECT id FROM removed)
RETURNING id
"""

# ... nor an answer to come to one: they are no longer on its sheet or counted as going.
DROP_FUTURE_RSVPS = """
DELETE FROM rsvps r USING sessions s
WHERE r.session_id = s.id AND s.group_id = $1 AND r.user_id = $2 AND s.starts_at > $3
"""

LIST_MEMBERS = """
SELECT m.group_id, m.user_id, m.role, m.status, u.display_name, m.created_at AS joined_at
FROM group_members m JOIN users u ON u.id = m.user_id
WHERE m.group_id = $1
  AND ($2::text IS NULL OR m.status = $2)
  AND ($3::uuid IS NULL OR m.user_id > $3)
ORDER BY m.user_id
LIMIT $4
"""

# Head counts per group of an organization, for its coordinators (groups.counts): of the
# groups in $2 (the ones a page shows), or of all when $2 is NULL.
GROUP_MEMBER_COUNTS = """
SELECT g.id AS group_id,
       count(m.user_id) FILTER (WHERE m.status = 'active' AND m.role = 'participant') AS participants,
       count(m.user_id) FILTER (WHERE m.status = 'active' AND m.role = 'facilitator') AS facilitators,
       count(m.user_id) FILTER (WHERE m.status = 'pending') AS pending
FROM groups g LEFT JOIN group_members m ON m.group_id = g.id
WHERE g.org_id = $1 AND ($2::uuid[] IS NULL OR g.id = ANY($2))
GROUP BY g.id
"""

# How many groups organization $1 has, counting no further than $2.
COUNT_GROUPS = "SELECT count(*) FROM (SELECT 1 FROM groups WHERE org_id = $1 LIMIT $2) g"

# The groups with join requests waiting, and how many, among the first $2 of organization $1
# by name (what its list holds), by name: the indexes groups_org_name and group_members_pending
# (migration 0025) read no membership but the waiting ones.
WAITING_REQUESTS = f"""
SELECT {GROUP_COLUMNS}, w.pending
FROM groups g
CROSS JOIN LATERAL (
    SELECT count(*)::int AS pending FROM group_members m WHERE m.group_id = g.id AND m.status = 'pending'
) w
WHERE g.id = ANY (ARRAY(SELECT f.id FROM groups f WHERE f.org_id = $1 ORDER BY f.name, f.id LIMIT $2))
  AND w.pending > 0
ORDER BY g.name, g.id
"""

# --- invitation links (groups.links) ------------------------------------------------------

LIVE_LINK = "SELECT id, nonce, created_at FROM group_links WHERE group_id = $1 AND revoked_at IS NULL"

INSERT_LINK = """
INSERT INTO group_links (group_id, nonce, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (group_id) WHERE revoked_at IS NULL DO NOTHING
RETURNING id, nonce, created_at
"""

REVOKE_LINK = "UPDATE group_links SET revoked_at = $2 WHERE group_id = $1 AND revoked_at IS NULL RETURNING id"

# The group a live link opens (archived groups' links open nothing), with its organization.
GROUP_BY_LINK = """
SELECT g.id AS group_id, g.name AS group_name, g.description, g.join_policy, g.org_id,
       o.name AS org_name, o.slug AS org_slug
FROM group_links l JOIN groups g ON g.id = l.group_id JOIN orgs o ON o.id = g.org_id
WHERE l.token_hash = $1 AND l.revoked_at IS NULL AND g.archived_at IS NULL
"""
