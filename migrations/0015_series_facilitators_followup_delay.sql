-- Issue 15, points 4 and 7.
--
-- A series has its own facilitators: every session of it carries them, including the
-- ones the rolling horizon adds later, unless that one occurrence was changed (then
-- `facilitators_overridden` keeps its own list when the series' list changes).
CREATE TABLE series_facilitators (
    series_id   uuid NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (series_id, user_id)
);
CREATE INDEX series_facilitators_user ON series_facilitators (user_id);

ALTER TABLE sessions ADD COLUMN facilitators_overridden boolean NOT NULL DEFAULT false;

-- Series made before: their facilitators are those of their latest occurrence, which is
-- what the horizon carried forward until now.
INSERT INTO series_facilitators (series_id, user_id)
SELECT latest.series_id, sf.user_id
FROM (
    SELECT DISTINCT ON (series_id) series_id, id
    FROM sessions WHERE series_id IS NOT NULL
    ORDER BY series_id, recurrence_id DESC
) AS latest
JOIN session_facilitators sf ON sf.session_id = latest.id
ON CONFLICT DO NOTHING;

-- Attendance follow-ups go this long after a session ends (0: as soon as it ends).
ALTER TABLE orgs ADD COLUMN followup_delay_minutes integer NOT NULL DEFAULT 30
    CHECK (followup_delay_minutes BETWEEN 0 AND 10080);

-- Follow-ups are now keyed per session x person whatever the attendance says (one
-- message each, never a thank-you after a check-in): the ones already keyed per status
-- hold their new key too, so a correction after this migration sends nothing more.
INSERT INTO deliveries (key, event_id, user_id, org_id, kind, status, attempts, last_error, sent_at)
SELECT DISTINCT ON (split_part(key, ':', 2), user_id)
       'followup:' || split_part(key, ':', 2) || ':' || user_id || ':followup',
       event_id, user_id, org_id, kind, status, attempts, last_error, sent_at
FROM deliveries
WHERE kind IN ('followup_present', 'followup_absent') AND key LIKE 'session:%' AND user_id IS NOT NULL
ORDER BY split_part(key, ':', 2), user_id, created_at
ON CONFLICT (key) DO NOTHING;
