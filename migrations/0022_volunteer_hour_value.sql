-- Issue 18: what an hour of volunteer time is worth in an organization's reports, and the
-- year of that figure. The default is Independent Sector's value of a volunteer hour for
-- 2024 in the United States ($34.79, published April 2025); an organization sets its own
-- (a state's figure, or its own wage data).
ALTER TABLE orgs
    ADD COLUMN volunteer_hour_value numeric(8, 2) NOT NULL DEFAULT 34.79
        CHECK (volunteer_hour_value >= 0 AND volunteer_hour_value <= 10000),
    ADD COLUMN volunteer_hour_value_year integer NOT NULL DEFAULT 2024
        CHECK (volunteer_hour_value_year BETWEEN 1990 AND 2100);

-- Reports count a person's first attendance in an organization (new or returning): the
-- attendance of each session is read by its id, and present rows by person.
CREATE INDEX attendance_present_user ON attendance (user_id, session_id) WHERE status = 'present';
