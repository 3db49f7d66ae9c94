-- A signup checks the volunteer's confirmed shifts for one that overlaps the new one
-- (coord.shifts.queries.LOCK_SHIFT_FOR_SIGNUP). With no index on a shift's time span, the
-- planner joined the volunteer's signups to a sequential scan of every shift: about 170 us
-- of PostgreSQL's 415 us per signup at the benchmark's few thousand shifts, growing with
-- the table. With this index it joins the volunteer's signups to the shifts that overlap
-- the new one (`&&`), both found by index. ends_at > starts_at (0002) keeps every span non-empty.
CREATE INDEX shifts_span ON shifts USING gist (tstzrange(starts_at, ends_at));
