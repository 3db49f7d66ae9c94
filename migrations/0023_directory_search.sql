-- Issue 17, points 2 to 5: imports run as a job, search that finds help near you, and
-- reports that an entry is wrong.

-- Accent-insensitive search: unaccent when the server has it (Debian's PostgreSQL does; the
-- embedded pgserver build does not), else a translate() of the common Latin accents. Either
-- way an IMMUTABLE function, so the search vector can be a stored generated column.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent') THEN
        CREATE EXTENSION IF NOT EXISTS unaccent;
        EXECUTE $f$
            CREATE FUNCTION coord_unaccent(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            AS 'SELECT lower(public.unaccent(''public.unaccent''::regdictionary, $1))'
        $f$;
    ELSE
        EXECUTE $f$
            CREATE FUNCTION coord_unaccent(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            -- Capitals too, before lower(): under the C locale of the embedded server lower()
            -- leaves 'É' as it is.
            AS $g$ SELECT lower(translate($1, 'ÁÀÂÄÃÅĀÉÈÊËĒÍÌÎÏĪÓÒÔÖÕØŌÚÙÛÜŪÑÇÝŸáàâäãåāéèêëēíìîïīóòôöõøōúùûüūñçýÿ',
                                              'aaaaaaaeeeeeiiiiiooooooouuuuuncyyaaaaaaaeeeeeiiiiiooooooouuuuuncyy')) $g$
        $f$;
    END IF;
END
$$;

-- Names weigh more than descriptions; both English and Spanish stems are indexed, so
-- 'viviendas' finds 'vivienda' and 'housing' finds 'house'.
ALTER TABLE directory_services ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(coord_unaccent(name), '')), 'A') ||
    setweight(to_tsvector('spanish'::regconfig, coalesce(coord_unaccent(name), '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(coord_unaccent(description), '')), 'B') ||
    setweight(to_tsvector('spanish'::regconfig, coalesce(coord_unaccent(description), '')), 'B')
) STORED;
CREATE INDEX directory_services_search ON directory_services USING gin (search) WHERE active;
CREATE INDEX directory_services_verified ON directory_services (org_id, last_verified) WHERE active;

-- Near a place: an indexed bounding box, then the haversine distance. Confidential
-- locations are not in it: never searched by address.
CREATE INDEX directory_locations_place ON directory_locations (latitude, longitude)
    WHERE active AND NOT confidential AND latitude IS NOT NULL;
CREATE INDEX directory_languages_service ON directory_languages (service_id) WHERE active;
CREATE INDEX directory_schedules_service ON directory_schedules (service_id) WHERE active;
CREATE INDEX directory_schedules_sal ON directory_schedules (service_at_location_id) WHERE active;
CREATE INDEX directory_cost_options_service ON directory_cost_options (service_id) WHERE active;
CREATE INDEX directory_phones_service ON directory_phones (service_id) WHERE active;
CREATE INDEX directory_accessibility_location ON directory_accessibility (location_id) WHERE active;
CREATE INDEX directory_addresses_postal ON directory_addresses (postal_code) WHERE active;
CREATE INDEX directory_services_modified ON directory_services (updated_at) WHERE active;
CREATE INDEX directory_attributes_term ON directory_attributes (taxonomy_term_id, link_id) WHERE active;

-- An import is queued with its file, run by a worker (progress: entries written of all),
-- then finished; the file goes once the import is done.
ALTER TABLE directory_imports DROP CONSTRAINT directory_imports_status_check;
ALTER TABLE directory_imports ADD CONSTRAINT directory_imports_status_check
    CHECK (status IN ('queued', 'running', 'applied', 'rejected', 'dry_run', 'failed'));
ALTER TABLE directory_imports
    ADD COLUMN dry_run        boolean NOT NULL DEFAULT false,
    ADD COLUMN progress_done  integer NOT NULL DEFAULT 0,
    ADD COLUMN progress_total integer NOT NULL DEFAULT 0,
    ADD COLUMN error          text,
    ADD COLUMN finished_at    timestamptz;

CREATE TABLE directory_import_files (
    import_id uuid PRIMARY KEY REFERENCES directory_imports (id) ON DELETE CASCADE,
    content   bytea NOT NULL
);

-- "This number doesn't work": anyone may say an entry is wrong. No name or address of the
-- reporter is kept, only what they say is wrong.
CREATE TABLE directory_reports (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    service_id  uuid NOT NULL REFERENCES directory_services (id) ON DELETE CASCADE,
    problem     text NOT NULL CHECK (problem IN ('phone', 'address', 'hours', 'closed', 'other')),
    message     text CHECK (char_length(message) <= 1000),
    created_at  timestamptz NOT NULL,
    resolved_at timestamptz,
    resolved_by uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX directory_reports_open ON directory_reports (org_id, created_at) WHERE resolved_at IS NULL;
