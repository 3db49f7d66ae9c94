-- Editing a venue finds the sessions and events held there, to update their invites.
CREATE INDEX sessions_venue_time ON sessions (venue_id, ends_at) WHERE venue_id IS NOT NULL;
CREATE INDEX events_venue_time ON events (venue_id, ends_at) WHERE venue_id IS NOT NULL;
