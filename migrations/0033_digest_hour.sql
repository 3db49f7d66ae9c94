-- The hour each organization's daily digest for coordinators and admins goes out, in its
-- own timezone (08:00 until now, for everyone).
ALTER TABLE orgs
    ADD COLUMN digest_hour integer NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23);
