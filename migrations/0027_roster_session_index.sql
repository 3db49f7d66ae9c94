-- A facilitator's roster at any size (issue 19.6): it picks the reader's sessions among
-- the organization's next two weeks (4,000 at 1,000,000 sessions, for two of theirs) by
-- session and group. With group_id in the organization's time index that choice reads the
-- index only, not a table row per session. The same key, so every other reader of
-- sessions_org_time keeps its order. Index only.
DROP INDEX sessions_org_time;
CREATE INDEX sessions_org_time ON sessions (org_id, starts_at, id) INCLUDE (group_id);
