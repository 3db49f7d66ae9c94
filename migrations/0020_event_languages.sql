-- Issue 16, point 7: events say which languages they are held in, as groups do (ISO 639
-- codes), and lists filter by one language (`?language=`), hence the GIN indexes.
ALTER TABLE events ADD COLUMN languages text[] NOT NULL DEFAULT '{}';
CREATE INDEX events_languages ON events USING gin (languages);
CREATE INDEX groups_languages ON groups USING gin (languages);
