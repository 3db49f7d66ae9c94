PROFILE = "SELECT id, email, display_name, timezone, locale, email_confirmed_at, created_at FROM users WHERE id = $1"
ORG_MEMBERSHIPS = """
SELECT o.id AS org_id, o.name AS org_name, m.roles, m.created_at
FROM org_members m JOIN orgs o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.name
"""
GROUP_MEMBERSHIPS = """
SELECT g.id AS group_id, g.name AS group_name, m.role, m.status, m.alias, m.created_at
FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = $1 ORDER BY g.name
"""
MY_ATTENDANCE = """
SELECT s.id AS session_id, g.name AS group_name, s.starts_at, a.status, a.recorded_at
FROM attendance a JOIN sessions s ON s.id = a.session_id JOIN groups g ON g.id = s.group_id
WHERE a.user_id = $1 ORDER BY s.starts_at
"""
MY_RSVPS = """
SELECT r.session_id, s.starts_at, r.response, r.updated_at
FROM rsvps r JOIN sessions s ON s.id = r.session_id WHERE r.user_id = $1 ORDER BY s.starts_at
"""
MY_SIGNUPS = """
SELECT g.shift_id, s.role, s.starts_at, s.ends_at, g.status, g.late_cancel, g.checked_in_at, g.hours, g.created_at
FROM signups g JOIN shifts s ON s.id = g.shift_id WHERE g.user_id = $1 ORDER BY s.starts_at
"""
MY_REGISTRATIONS = """
SELECT r.event_id, e.title, e.starts_at, r.status, r.created_at
FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.user_id = $1 ORDER BY e.starts_at
"""
MY_TRAININGS = "SELECT code, completed_on, expires_on, verified_at FROM trainings WHERE user_id = $1 ORDER BY completed_on"
MY_FEEDS = "SELECT id, label, scope, org_id, discreet, created_at, last_fetched_at FROM feed_tokens WHERE user_id = $1"
MY_FACILITATIONS = """
SELECT f.session_id, g.name AS group_name, s.starts_at, s.status
FROM session_facilitators f JOIN sessions s ON s.id = f.session_id JOIN groups g ON g.id = s.group_id
WHERE f.user_id = $1 ORDER BY s.starts_at
"""
# What they did that is on record (reads and changes of rosters and attendance, roles granted).
MY_AUDITED_ACTIONS = """
SELECT org_id, action, subject_type, subject_id, at FROM audit_log WHERE actor_id = $1 ORDER BY id
"""
MY_PREFS = "SELECT disabled_kinds, quiet_start::text, quiet_end::text, discreet FROM notification_prefs WHERE user_id = $1"
MY_DELIVERIES = "SELECT kind, status, created_at, sent_at FROM deliveries WHERE user_id = $1 ORDER BY created_at"
# Links mailed to confirm an address, reset the password or move to a new address (never a token).
MY_EMAIL_LINKS = """
SELECT purpose, email, created_at, expires_at, used_at FROM account_tokens WHERE user_id = $1 ORDER BY created_at
"""
MY_ORG_IDS = "SELECT org_id FROM org_members WHERE user_id = $1"

AUDIT = """
INSERT INTO audit_log (org_id, actor_id, action, subject_type, subject_id, detail)
SELECT unnest($1::uuid[]), $2, $3, 'user', $2, $4::jsonb
"""

# Identity gone; the row stays only so that counts and foreign keys hold.
ERASE_IDENTITY = """
UPDATE users SET email = NULL, password_hash = NULL, display_name = 'Erased account', timezone = 'UTC',
                 token_version = token_version + 1, deleted_at = now()
WHERE id = $1 AND deleted_at IS NULL
"""
ERASE_RELATED = [
    # Attendance: only counts remain (who it was is gone for good).
    "UPDATE attendance SET user_id = NULL WHERE user_id = $1",
    "UPDATE attendance SET recorded_by = NULL WHERE recorded_by = $1",
    "DELETE FROM rsvps WHERE user_id = $1",
    "DELETE FROM group_members WHERE user_id = $1",
    "DELETE FROM org_members WHERE user_id = $1",
    "DELETE FROM feed_tokens WHERE user_id = $1",
    "DELETE FROM notification_prefs WHERE user_id = $1",
    "DELETE FROM trainings WHERE user_id = $1",
    # Every message row goes: its key holds the person's id and a follow-up's kind their
    # attendance. A job that runs later finds no recipient and sends nothing.
    "DELETE FROM deliveries WHERE user_id = $1",
    # Links by email hold addresses (a new one asked for, too).
    "DELETE FROM account_tokens WHERE user_id = $1",
]

# Retention: attendance of sessions older than each organization's period.
EXPIRED_ATTENDANCE = """
WITH gone AS (
    DELETE FROM attendance a USING sessions s, orgs o
    WHERE a.session_id = s.id AND s.org_id = o.id
      AND s.starts_at < $1::timestamptz - make_interval(months => o.retention_months)
    RETURNING s.org_id
)
SELECT org_id, count(*)::int AS removed FROM gone GROUP BY org_id
"""
# A follow-up's kind says present or absent: it goes with the attendance it came from.
EXPIRED_FOLLOWUPS = """
DELETE FROM deliveries d USING orgs o
WHERE d.org_id = o.id AND d.kind IN ('followup_present', 'followup_absent')
  AND d.created_at < $1::timestamptz - make_interval(months => o.retention_months)
"""
AUDIT_RETENTION = """
INSERT INTO audit_log (org_id, actor_id, action, subject_type, detail)
VALUES ($1, NULL, 'attendance.retention', 'attendance', jsonb_build_object('removed', $2::int))
"""
AUDIT_REFERRAL_RETENTION = """
INSERT INTO audit_log (org_id, actor_id, action, subject_type, detail)
VALUES ($1, NULL, 'referral.retention', 'referral', jsonb_build_object('removed', $2::int))
"""
