"""The reports' SQL: one aggregate per subject, grouped by period, each on an index that starts
with the organization and a time (sessions_org_time, shifts_org_time, events_org_time,
referrals_org) and reaching attendance, signups and registrations by their parent's id.

Parameters shared by the period queries: $1 the organization, $2 and $3 the range [from, to)
(instants, or the first period as a date where said), $4 the unit ('month' or 'quarter', for
date_trunc), $5 the organization's timezone (periods are its calendar months); each query names
the rest. A period is the first day of its month or quarter, local to the organization.
"""

PERIOD = "date_trunc($4, {col} AT TIME ZONE $5)::date"

# $6 the groups in scope (NULL: all), $7 now (what has happened by then).
SESSIONS = f"""
SELECT {PERIOD.format(col="c.starts_at")} AS period,
       count(*) FILTER (WHERE c.status <> 'cancelled' AND c.ends_at <= $7) AS held,
       count(*) FILTER (WHERE c.status = 'cancelled') AS cancelled,
       coalesce(sum(c.facilitators_required) FILTER (WHERE c.status <> 'cancelled'), 0)::int AS places_needed,
       coalesce(sum(least(c.facilitators_assigned, c.facilitators_required))
                FILTER (WHERE c.status <> 'cancelled'), 0)::int AS places_filled
FROM session_coverage c
WHERE c.org_id = $1 AND c.starts_at >= $2 AND c.starts_at < $3
  AND ($6::uuid[] IS NULL OR c.group_id = ANY($6))
GROUP BY 1
"""

LANGUAGE = "coalesce(lower(split_part(u.locale, '-', 1)), 'unknown')"

# Attendance and people in one pass over the attendance of the sessions in scope, history
# included (who came before decides new or returning): $2 the first period to report (a date),
# $7 a period's length in months, $8 the period before the first (whose people "back from last"
# compares with). Never one language apart: its figures are read from the whole table.
# Rows of kind 'attendance': (period, status, count). Rows of kind 'people': (period, language,
# new, returning, back from last) where a person's language is their saved locale's first
# subtag ('es-MX' -> 'es'), or 'unknown'.
PEOPLE = f"""
WITH scoped AS (
    SELECT s.id, {PERIOD.format(col="s.starts_at")} AS period
    FROM sessions s
    WHERE s.org_id = $1 AND s.starts_at < $3 AND ($6::uuid[] IS NULL OR s.group_id = ANY($6))
), grouped AS (
    SELECT a.user_id, s.period, a.status, count(*) AS n
    FROM scoped s
    JOIN attendance a ON a.session_id = s.id
    GROUP BY 1, 2, 3
), history AS (
    -- One sort of (person, period): the first period each came, and the period before this one.
    SELECT user_id, period, min(period) OVER w AS first_period, lag(period) OVER w AS previous
    FROM grouped
    WHERE status = 'present' AND user_id IS NOT NULL
    WINDOW w AS (PARTITION BY user_id ORDER BY period)
)
SELECT 'attendance' AS kind, g.period, g.status AS key, sum(g.n)::int AS a, 0::bigint AS b, 0::bigint AS c
FROM grouped g
WHERE g.period >= $2::date
GROUP BY 2, 3
UNION ALL
SELECT 'people', h.period, {LANGUAGE},
       count(*) FILTER (WHERE h.first_period = h.period),
       count(*) FILTER (WHERE h.first_period < h.period),
       count(*) FILTER (WHERE h.previous = (h.period - make_interval(months => $7::int))::date)
FROM history h
JOIN users u ON u.id = h.user_id
WHERE h.period >= $8::date
GROUP BY 2, 3
"""

# Per group, the figures a group's report shows, for every group of the organization at once:
# a group's counts are suppressed together with the others' (the organization's figure minus one
# group's must not give away the rest). $2 the first period (a date), $3 the end, $6 a period's
# length in months.
PEOPLE_BY_GROUP = f"""
WITH scoped AS (
    SELECT s.id, s.group_id, {PERIOD.format(col="s.starts_at")} AS period
    FROM sessions s
    WHERE s.org_id = $1 AND s.starts_at < $3
), grouped AS (
    SELECT a.user_id, s.group_id, s.period, a.status, count(*) AS n
    FROM scoped s
    JOIN attendance a ON a.session_id = s.id
    GROUP BY 1, 2, 3, 4
), history AS (
    SELECT group_id, period, min(period) OVER w AS first_period, lag(period) OVER w AS previous
    FROM grouped
    WHERE status = 'present' AND user_id IS NOT NULL
    WINDOW w AS (PARTITION BY user_id, group_id ORDER BY period)
), counted AS (
    SELECT group_id, period,
           sum(n) FILTER (WHERE status = 'present') AS present, sum(n) FILTER (WHERE status = 'absent') AS absent,
           sum(n) FILTER (WHERE status = 'excused') AS excused
    FROM grouped WHERE period >= $2::date GROUP BY 1, 2
), people AS (
    SELECT group_id, period, count(*) AS unique_participants,
           count(*) FILTER (WHERE first_period = period) AS new_participants,
           count(*) FILTER (WHERE first_period < period) AS returning_participants,
           count(*) FILTER (WHERE previous = (period - make_interval(months => $6::int))::date) AS back_from_last
    FROM history WHERE period >= $2::date GROUP BY 1, 2
)
SELECT group_id, period,
       coalesce(c.present, 0)::int AS present, coalesce(c.absent, 0)::int AS absent,
       coalesce(c.excused, 0)::int AS excused, coalesce(p.unique_participants, 0)::int AS unique_participants,
       coalesce(p.new_participants, 0)::int AS new_participants,
       coalesce(p.returning_participants, 0)::int AS returning_participants,
       coalesce(p.back_from_last, 0)::int AS back_from_last
FROM counted c FULL JOIN people p USING (group_id, period)
"""

# Per group and language, the people who came (for the same joint suppression).
LANGUAGES_BY_GROUP = f"""
SELECT s.group_id, {PERIOD.format(col="s.starts_at")} AS period, {LANGUAGE} AS language,
       count(DISTINCT a.user_id)::int AS n
FROM sessions s
JOIN attendance a ON a.session_id = s.id AND a.status = 'present' AND a.user_id IS NOT NULL
JOIN users u ON u.id = a.user_id
WHERE s.org_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3
GROUP BY 1, 2, 3
"""

# $6: now.
SHIFTS = f"""
SELECT {PERIOD.format(col="sh.starts_at")} AS period,
       coalesce(sum(sh.capacity), 0)::int AS capacity,
       coalesce(sum(g.confirmed), 0)::int AS confirmed,
       coalesce(sum(g.due), 0)::int AS due,
       coalesce(sum(g.no_shows), 0)::int AS no_shows,
       coalesce(sum(g.hours_approved), 0)::float8 AS hours_approved,
       coalesce(sum(g.pending * extract(epoch FROM sh.ends_at - sh.starts_at) / 3600), 0)::float8 AS hours_pending
FROM shifts sh
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE sg.status = 'confirmed') AS confirmed,
           count(*) FILTER (WHERE sg.status = 'confirmed' AND sh.ends_at <= $6) AS due,
           count(*) FILTER (WHERE sg.status = 'confirmed' AND sh.ends_at <= $6
                            AND sg.checked_in_at IS NULL AND sg.hours IS NULL) AS no_shows,
           sum(sg.hours) FILTER (WHERE sg.status = 'confirmed') AS hours_approved,
           count(*) FILTER (WHERE sg.status = 'confirmed' AND sh.ends_at <= $6
                            AND sg.checked_in_at IS NOT NULL AND sg.hours IS NULL) AS pending
    FROM signups sg WHERE sg.shift_id = sh.id
) g
WHERE sh.org_id = $1 AND sh.starts_at >= $2 AND sh.starts_at < $3 AND sh.status <> 'cancelled'
GROUP BY 1
"""

# Volunteers who served: a confirmed place on a shift that has started, checked in or given hours.
VOLUNTEERS = f"""
SELECT {PERIOD.format(col="sh.starts_at")} AS period, count(DISTINCT sg.user_id) AS active
FROM shifts sh
JOIN signups sg ON sg.shift_id = sh.id AND sg.status = 'confirmed'
                   AND (sg.checked_in_at IS NOT NULL OR sg.hours > 0)
WHERE sh.org_id = $1 AND sh.starts_at >= $2 AND sh.starts_at < $3 AND sh.status <> 'cancelled'
GROUP BY 1
"""

# $6: one kind of event only (NULL: all).
EVENTS = f"""
SELECT {PERIOD.format(col="e.starts_at")} AS period,
       count(*) FILTER (WHERE e.status <> 'cancelled') AS held,
       count(*) FILTER (WHERE e.status = 'cancelled') AS cancelled,
       coalesce(sum(r.confirmed) FILTER (WHERE e.status <> 'cancelled'), 0)::int AS registrations
FROM events e
CROSS JOIN LATERAL (
    SELECT count(*) AS confirmed FROM registrations g WHERE g.event_id = e.id AND g.status = 'confirmed'
) r
WHERE e.org_id = $1 AND e.starts_at >= $2 AND e.starts_at < $3 AND ($6::text IS NULL OR e.kind = $6)
GROUP BY 1
"""

# Referrals made in the range, by category and outcome ($4: the groups in scope, NULL: all);
# one entered in error is no referral.
REFERRALS = """
SELECT coalesce(r.category, 'other') AS category, r.status, count(*) AS n
FROM referrals r
WHERE r.org_id = $1 AND r.created_at >= $2 AND r.created_at < $3 AND r.status <> 'entered-in-error'
  AND ($4::uuid[] IS NULL OR r.group_id = ANY($4))
GROUP BY 1, 2
"""

REFERRALS_EXIST = "SELECT to_regclass('referrals') IS NOT NULL"

ORG = """
SELECT id, slug, name, timezone, volunteer_hour_value::float8 AS hour_value, volunteer_hour_value_year AS hour_year
FROM orgs WHERE id = $1
"""

ORG_BY_SLUG = "SELECT id FROM orgs WHERE slug = $1"

# A facilitator's own groups: those they facilitate as an active member.
FACILITATED_GROUPS = """
SELECT m.group_id FROM group_members m JOIN groups g ON g.id = m.group_id
WHERE g.org_id = $1 AND m.user_id = $2 AND m.role = 'facilitator' AND m.status = 'active'
"""

GROUP_IN_ORG = "SELECT id, name FROM groups WHERE id = $1 AND org_id = $2"

ORG_GROUPS = "SELECT id, name FROM groups WHERE org_id = $1 ORDER BY name, id"
