-- What a search filters on besides words, place and the rarer filters, kept in one narrow row
-- per active service (issue 17.4): its name (the order of results), its weekly hours (migration
-- 0034's rule, unchanged) and the languages it is offered in, folded to lower case. A search
-- that asks for open services in a language reads this row alone: it used to scan the services
-- (wide: their text index column), the languages and the hours, and meet three sets of 50,000
-- by hashing (110-145 ms at noon for a directory of 50,000 on a slow two-core box, where a
-- scan of this table takes 15). Every import refreshes it (coord_refresh_search_facets), in
-- the import's transaction; the import is the only writer of names, hours, languages and
-- `active`.

CREATE TABLE directory_service_facets (
    id             uuid PRIMARY KEY REFERENCES directory_services (id) ON DELETE CASCADE,
    org_id         uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name           text NOT NULL,
    open_local     int4multirange NOT NULL DEFAULT '{}',
    open_utc       int4multirange NOT NULL DEFAULT '{}',
    language_codes text[] NOT NULL DEFAULT '{}',
    language_names text[] NOT NULL DEFAULT '{}'
);

-- Every active service of an organization's directory, from its rows as they are now, set-based;
-- rows that did not change are not written, and a service no longer active loses its row.
-- The hours come from directory_service_hours, refreshed first: migration 0034 holds their rule
-- (tests/directory/test_open_now.py models it).
CREATE FUNCTION coord_refresh_search_facets(org uuid) RETURNS void
LANGUAGE sql AS $$
    SELECT coord_refresh_open_week(org);
    WITH spoken AS (
        SELECT service_id,
               coalesce(array_agg(DISTINCT lower(code) ORDER BY lower(code)) FILTER (WHERE code IS NOT NULL), '{}') AS codes,
               coalesce(array_agg(DISTINCT lower(name) ORDER BY lower(name)) FILTER (WHERE name IS NOT NULL), '{}') AS names
        FROM directory_languages
        WHERE org_id = org AND active AND service_id IS NOT NULL
        GROUP BY service_id
    ),
    facets AS (
        SELECT s.id, s.name, coalesce(w.open_local, '{}') AS open_local, coalesce(w.open_utc, '{}') AS open_utc,
               coalesce(l.codes, '{}') AS language_codes, coalesce(l.names, '{}') AS language_names
        FROM directory_services s
        LEFT JOIN directory_service_hours w ON w.service_id = s.id
        LEFT JOIN spoken l ON l.service_id = s.id
        WHERE s.org_id = org AND s.active
    ),
    gone AS (
        DELETE FROM directory_service_facets f
        WHERE f.org_id = org AND NOT EXISTS (SELECT 1 FROM facets WHERE facets.id = f.id)
    )
    INSERT INTO directory_service_facets (id, org_id, name, open_local, open_utc, language_codes, language_names)
    SELECT id, org, name, open_local, open_utc, language_codes, language_names FROM facets
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, open_local = excluded.open_local,
        open_utc = excluded.open_utc, language_codes = excluded.language_codes, language_names = excluded.language_names
    WHERE (directory_service_facets.name, directory_service_facets.open_local, directory_service_facets.open_utc,
           directory_service_facets.language_codes, directory_service_facets.language_names)
          IS DISTINCT FROM (excluded.name, excluded.open_local, excluded.open_utc,
                            excluded.language_codes, excluded.language_names)
$$;

SELECT coord_refresh_search_facets(id) FROM orgs WHERE EXISTS (SELECT 1 FROM directory_services s WHERE s.org_id = orgs.id);
