"""SQL of referrals, their history and consents (coord.referrals.service runs them)."""

# The organizations where $1 serves $2: a coordinator or admin of an organization $2 is a
# member of, or an active facilitator of a group $2 is an active member of. Oldest first.
ORGS_SERVING = """
SELECT org_id FROM (
    SELECT m.org_id, p.created_at
    FROM org_members m JOIN org_members p ON p.org_id = m.org_id AND p.user_id = $2
    WHERE m.user_id = $1 AND m.roles && ARRAY['admin', 'coordinator']
    UNION ALL
    SELECT g.org_id, p.created_at
    FROM group_members f
    JOIN group_members p ON p.group_id = f.group_id AND p.user_id = $2 AND p.status = 'active'
    JOIN groups g ON g.id = f.group_id
    JOIN org_members om ON om.org_id = g.org_id AND om.user_id = $2
    WHERE f.user_id = $1 AND f.role = 'facilitator' AND f.status = 'active'
) AS served
GROUP BY org_id ORDER BY min(created_at), org_id
"""
SHARES_AN_ORG = """
SELECT EXISTS (SELECT 1 FROM org_members a JOIN org_members b ON b.org_id = a.org_id
               WHERE a.user_id = $1 AND b.user_id = $2)
"""
PERSON = "SELECT id, display_name FROM users WHERE id = $1 AND deleted_at IS NULL"
# An active directory service and its category: the name of a term applied to it (first by name).
SERVICE = """
SELECT s.id, s.org_id, s.name,
       (SELECT t.name FROM directory_attributes a JOIN directory_taxonomy_terms t ON t.id = a.taxonomy_term_id
        WHERE a.link_id = s.id AND a.link_entity = 'service' AND a.active AND t.active
          AND coalesce(t.code, '') <> 'confidential'
        ORDER BY t.name LIMIT 1) AS category
FROM directory_services s WHERE s.id = $1 AND s.active
"""
GROUP = "SELECT id, org_id, name, archived_at FROM groups WHERE id = $1"
CHECKIN_DAYS = "SELECT referral_checkin_days FROM orgs WHERE id = $1"

INSERT_REFERRAL = """
INSERT INTO referrals (org_id, person_id, referrer_id, service_id, group_id, note, status, category,
                       checkin_due_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $8, $9, $9)
RETURNING id, status
"""
INSERT_EVENT = """
INSERT INTO referral_events (referral_id, actor_id, from_status, to_status, note, at)
VALUES ($1, $2, $3, $4, $5, $6)
"""
# With the person's timezone: a consent's last day is a day of their calendar.
LOCK = """
SELECT r.*, coalesce(p.timezone, 'UTC') AS person_timezone
FROM referrals r LEFT JOIN users p ON p.id = r.person_id
WHERE r.id = $1 FOR UPDATE OF r
"""
SET_STATUS = "UPDATE referrals SET status = $2, updated_at = $3 WHERE id = $1"
SET_CHECKIN = """
UPDATE referrals SET checkin_answer = $2, checkin_answered_at = $3, updated_at = $3 WHERE id = $1
"""

# A referral with the names the person and the referrer may read (no one else is given them).
VIEW = """
SELECT r.id, r.org_id, o.name AS org_name, r.status, r.person_id, p.display_name AS person_name,
       r.referrer_id, rf.display_name AS referrer_name, r.service_id, s.name AS service_name,
       r.group_id, g.name AS group_name, r.category, r.note, r.created_at, r.updated_at,
       r.checkin_due_at, r.checkin_answer
FROM referrals r
JOIN orgs o ON o.id = r.org_id
JOIN users p ON p.id = r.person_id
LEFT JOIN users rf ON rf.id = r.referrer_id
LEFT JOIN directory_services s ON s.id = r.service_id
LEFT JOIN groups g ON g.id = r.group_id
"""
ONE = VIEW + "WHERE r.id = $1"
OF_PERSON = VIEW + "WHERE r.person_id = $1 ORDER BY r.created_at DESC, r.id"
BY_REFERRER = VIEW + "WHERE r.org_id = $1 AND r.referrer_id = $2 ORDER BY r.created_at DESC, r.id"
HISTORY = """
SELECT referral_id, actor_id, from_status, to_status, note, at FROM referral_events
WHERE referral_id = ANY($1::uuid[]) ORDER BY id
"""
CONSENTS = """
SELECT id, referral_id, share_with, fields, purpose, until, created_at, revoked_at FROM referral_consents
WHERE referral_id = ANY($1::uuid[]) ORDER BY created_at, id
"""
# Counts by category and outcome: $2 NULL for the whole organization, else one referrer's.
# One entered in error is no referral (as in the reports).
COUNTS = """
SELECT category, status, count(*)::int AS count FROM referrals
WHERE org_id = $1 AND ($2::uuid IS NULL OR referrer_id = $2) AND status <> 'entered-in-error'
GROUP BY category, status ORDER BY category NULLS LAST, status
"""

INSERT_CONSENT = """
INSERT INTO referral_consents (referral_id, share_with, fields, purpose, until, created_at)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id, share_with, fields, purpose, until, created_at, revoked_at
"""
REVOKE_CONSENT = """
UPDATE referral_consents SET revoked_at = $3
WHERE id = $2 AND referral_id = $1 AND revoked_at IS NULL
RETURNING id
"""
CONSENT_EXISTS = "SELECT revoked_at FROM referral_consents WHERE id = $2 AND referral_id = $1"
# Consents in force today: not revoked, not past their day.
LIVE_CONSENTS = """
SELECT id, share_with, fields, purpose, until FROM referral_consents
WHERE referral_id = $1 AND revoked_at IS NULL AND until >= $2::date ORDER BY created_at DESC
"""
# The facts a consent may name, from the person's account and the referral.
FACTS = """
SELECT u.display_name AS name, u.email, u.locale AS language, u.timezone, r.note
FROM referrals r JOIN users u ON u.id = r.person_id WHERE r.id = $1
"""

# The check-in's opt-out: no more check-ins for this person, whichever referral.

# Privacy: the person's referrals for their export; erasure; retention.
EXPORT = """
SELECT r.id, o.name AS org_name, r.status, s.name AS service_name, g.name AS group_name, r.category, r.note,
       rf.display_name AS referrer_name, r.created_at, r.updated_at, r.checkin_answer,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('from', e.from_status, 'to', e.to_status, 'at', e.at,
                                                     'note', e.note) ORDER BY e.id), '[]')
        FROM referral_events e WHERE e.referral_id = r.id) AS history,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('share_with', c.share_with, 'fields', c.fields,
                                                     'purpose', c.purpose, 'until', c.until,
                                                     'created_at', c.created_at, 'revoked_at', c.revoked_at)
                                  ORDER BY c.created_at), '[]')
        FROM referral_consents c WHERE c.referral_id = r.id) AS consents
FROM referrals r JOIN orgs o ON o.id = r.org_id
LEFT JOIN users rf ON rf.id = r.referrer_id
LEFT JOIN directory_services s ON s.id = r.service_id
LEFT JOIN groups g ON g.id = r.group_id
WHERE r.person_id = $1 ORDER BY r.created_at
"""
ERASE = "DELETE FROM referrals WHERE person_id = $1"
# Referrals they made keep their counts; who made them goes.
ERASE_AS_REFERRER = "UPDATE referrals SET referrer_id = NULL WHERE referrer_id = $1"
ERASE_AS_ACTOR = "UPDATE referral_events SET actor_id = NULL WHERE actor_id = $1"
# Retention: referrals last changed longer ago than the organization keeps records.
EXPIRED = """
WITH gone AS (
    DELETE FROM referrals r USING orgs o
    WHERE r.org_id = o.id AND r.updated_at < $1::timestamptz - make_interval(months => o.retention_months)
    RETURNING r.org_id
)
SELECT org_id, count(*)::int AS removed FROM gone GROUP BY org_id
"""
