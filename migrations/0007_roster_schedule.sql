-- When each organization's weekly facilitator roster goes out, in its own timezone
-- (ISO weekday 1 = Monday).
ALTER TABLE orgs
    ADD COLUMN roster_weekday integer NOT NULL DEFAULT 1 CHECK (roster_weekday BETWEEN 1 AND 7),
    ADD COLUMN roster_hour integer NOT NULL DEFAULT 8 CHECK (roster_hour BETWEEN 0 AND 23);
