ORG_COLUMNS = """id, name, slug, timezone, contact_email, created_at,
    cancellation_cutoff_hours, reminder_lead_minutes, retention_months, crisis_resources,
    roster_weekday, roster_hour, digest_hour, followup_delay_minutes, default_locale,
    volunteer_hour_value::float8 AS volunteer_hour_value, volunteer_hour_value_year, referral_checkin_days,
    crisis_lines"""

INSERT_ORG = f"""
INSERT INTO orgs (name, slug, timezone, contact_email)
VALUES ($1, $2, $3, $4)
ON CONFLICT (slug) DO NOTHING
RETURNING {ORG_COLUMNS}
"""

GET_ORG = f"SELECT {ORG_COLUMNS} FROM orgs WHERE id = $1"

# What the organization's feeds show of it (compared before and after a change of settings).
ORG_FEED_FACTS = "SELECT name, timezone, default_locale FROM orgs WHERE id = $1"

# NULL keeps the current value.
UPDATE_ORG = f"""
UPDATE orgs SET
    name = coalesce($2, name),
    contact_email = coalesce($3, contact_email),
    timezone = coalesce($4, timezone),
    cancellation_cutoff_hours = coalesce($5, cancellation_cutoff_hours),
    reminder_lead_minutes = coalesce($6, reminder_lead_minutes),
    retention_months = coalesce($7, retention_months),
    crisis_resources = coalesce($8, crisis_resources),
    roster_weekday = coalesce($9, roster_weekday),
    roster_hour = coalesce($10, roster_hour),
    followup_delay_minutes = coalesce($11, followup_delay_minutes),
    default_locale = coalesce($12, default_locale),
    volunteer_hour_value = coalesce($13, volunteer_hour_value),
    volunteer_hour_value_year = coalesce($14, volunteer_hour_value_year),
    referral_checkin_days = coalesce($15, referral_checkin_days),
    crisis_lines = coalesce($16::jsonb, crisis_lines),
    digest_hour = coalesce($17, digest_hour)
WHERE id = $1
RETURNING {ORG_COLUMNS}
"""

LIST_AUDIT = """
SELECT id, actor_id, action, subject_type, subject_id, detail, at
FROM audit_log
WHERE org_id = $1 AND ($2::bigint IS NULL OR id < $2)
ORDER BY id DESC
LIMIT $3
"""

# A follow-up's own kind says present or absent: staff listing messages see "followup".
LIST_DELIVERIES = """
SELECT id, CASE WHEN kind IN ('followup_present', 'followup_absent') THEN 'followup' ELSE kind END AS kind,
       status, attempts, last_error, user_id, event_id, updated_at
FROM deliveries
WHERE org_id = $1 AND status = $2
  AND ($3::timestamptz IS NULL OR (updated_at, id) < ($3, $4::uuid))
ORDER BY updated_at DESC, id DESC
LIMIT $5
"""

ADD_MEMBER = """
INSERT INTO org_members (org_id, user_id, roles) VALUES ($1, $2, $3)
ON CONFLICT (org_id, user_id) DO UPDATE
    SET roles = ARRAY(SELECT DISTINCT unnest(org_members.roles || EXCLUDED.roles) ORDER BY 1)
RETURNING roles, (xmax = 0) AS inserted
"""

USER_ID_BY_EMAIL = "SELECT id FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL"

# Changes to an organization's memberships (roles, leaving, removal) take turns, so that
# two admins demoting each other at once cannot leave it without one. NO KEY UPDATE:
# rows that only reference the organization (inserts elsewhere) do not wait for it.
LOCK_MEMBERSHIPS = "SELECT id FROM orgs WHERE id = $1 FOR NO KEY UPDATE"

ADMIN_COUNT = "SELECT count(*)::int FROM org_members WHERE org_id = $1 AND 'admin' = ANY(roles)"

MEMBER = """
SELECT m.org_id, m.user_id, m.roles, u.display_name
FROM org_members m JOIN users u ON u.id = m.user_id
WHERE m.org_id = $1 AND m.user_id = $2
"""

SET_ROLES = "UPDATE org_members SET roles = $3 WHERE org_id = $1 AND user_id = $2"

DELETE_MEMBER = "DELETE FROM org_members WHERE org_id = $1 AND user_id = $2"

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

LOCK_VENUE = """
SELECT id, org_id, name, kind, address, meeting_url, accessibility FROM venues
WHERE id = $1 AND org_id = $2 FOR UPDATE
"""

UPDATE_VENUE = """
UPDATE venues SET name = $2, kind = $3, address = $4, meeting_url = $5, accessibility = $6 WHERE id = $1
RETURNING id, org_id, name, kind, address, meeting_url, accessibility
"""

# Series with a session still ahead ($2 now) at the venue: their invites show its address or link.
REISSUE_SERIES_AT_VENUE = """
WITH held_there AS (
    SELECT DISTINCT series_id FROM sessions
    WHERE venue_id = $1 AND ends_at > $2 AND status <> 'cancelled' AND series_id IS NOT NULL
)
UPDATE series r SET sequence = r.sequence + 1, updated_at = now()
FROM held_there h WHERE r.id = h.series_id
RETURNING r.id, r.group_id
"""

# Events at the venue not ended by $2 (now).
REISSUE_EVENTS_AT_VENUE = """
UPDATE events SET sequence = sequence + 1, updated_at = now()
WHERE venue_id = $1 AND ends_at > $2 AND status <> 'cancelled'
RETURNING id
"""

LIST_VENUES = """
SELECT id, org_id, name, kind, address, meeting_url, accessibility
FROM venues WHERE org_id = $1 AND ($2::uuid IS NULL OR id > $2)
ORDER BY id LIMIT $3
"""

# A failed delivery goes back to pending; the worker re-runs the event's jobs.
RESET_FAILED_DELIVERY = """
UPDATE deliveries SET status = 'pending', attempts = 0, last_error = NULL, updated_at = now()
WHERE id = $1 AND org_id = $2 AND status = 'failed' AND event_id IS NOT NULL
RETURNING id, kind, status, attempts, last_error, user_id, event_id, updated_at
"""
DELIVERY_STATUS = "SELECT status, event_id FROM deliveries WHERE id = $1 AND org_id = $2"

# What anyone may see of an organization (orgs.schemas.PublicOrg), by slug or id.
PUBLIC_ORG_COLUMNS = "id, name, slug, timezone, contact_email, crisis_resources, crisis_lines"
PUBLIC_ORG_BY_SLUG = f"SELECT {PUBLIC_ORG_COLUMNS} FROM orgs WHERE slug = $1"
PUBLIC_ORG = f"SELECT {PUBLIC_ORG_COLUMNS} FROM orgs WHERE id = $1"

# The organizations $1 belongs to, with their roles.
MY_ORGS = """
SELECT o.id, o.slug, o.name, m.roles
FROM org_members m JOIN orgs o ON o.id = m.org_id
WHERE m.user_id = $1
ORDER BY o.name, o.slug
"""
