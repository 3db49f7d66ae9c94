-- Issue 15, point 6: events and their shifts from the pages.

-- A general kind for what fits no other: a wellness fair, an open day, a celebration.
ALTER TABLE events DROP CONSTRAINT events_kind_check;
ALTER TABLE events ADD CONSTRAINT events_kind_check
    CHECK (kind IN ('workshop', 'training', 'awareness', 'social', 'community'));

-- Where at the venue a shift's volunteers go ("Front desk", "Room 2", "Car park"), in the
-- coordinators' words. NULL: nothing more than the event or the organization says.
ALTER TABLE shifts ADD COLUMN location text;
