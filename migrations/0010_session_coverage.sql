-- Coverage, defined once: how many facilitators each session has against what its
-- group requires. Every reader (the coverage-gaps API, the group, organization and
-- "my groups" pages, weekly rosters, coverage alerts) selects from this view and adds
-- only its own window (starts_at) and audience; "a gap" is short_by > 0.
--
-- The rule: every row of session_facilitators counts (leaving a group or erasing an
-- account removes future assignments, so a row is a facilitator still expected);
-- only a scheduled session can be short (a cancelled or completed one needs nobody).
-- No clock inside: readers compare starts_at with the instant they pass in.
CREATE VIEW session_coverage AS
SELECT s.id AS session_id, s.group_id, s.org_id, s.starts_at, s.ends_at, s.status,
       g.facilitators_required,
       a.assigned AS facilitators_assigned,
       CASE WHEN s.status = 'scheduled' THEN greatest(g.facilitators_required - a.assigned, 0) ELSE 0 END
           AS short_by
FROM sessions s
JOIN groups g ON g.id = s.group_id
CROSS JOIN LATERAL (
    SELECT count(*)::int AS assigned FROM session_facilitators f WHERE f.session_id = s.id
) a;
