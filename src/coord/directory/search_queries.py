"""SQL for finding help (issue 17.4). The search statement is assembled from the constant
fragments below, only those a search uses, so each shape gets its own plan (a generic plan
with `$n IS NULL OR ...` everywhere would scan every service); every value is a parameter.

Confidential locations never take part: they are neither distances nor addresses."""

from __future__ import annotations

# A service's distance: its nearest public, placed location within the bounding box, then
# the haversine distance (Earth radius 6371 km). $1 latitude, $2 longitude, $3 the box's
# half-height in degrees, $4 its half-width, $5 the radius in km.
NEARBY = """
nearby AS (
    SELECT sal.service_id, min(d.km) AS distance_km
    FROM directory_locations l
    JOIN directory_service_at_locations sal ON sal.location_id = l.id AND sal.active
    CROSS JOIN LATERAL (
        SELECT 2 * 6371 * asin(sqrt(
            power(sin(radians(l.latitude - $1) / 2), 2)
            + cos(radians($1)) * cos(radians(l.latitude)) * power(sin(radians(l.longitude - $2) / 2), 2)
        )) AS km
    ) d
    WHERE l.active AND NOT l.confidential AND l.latitude IS NOT NULL
      AND l.latitude BETWEEN $1 - $3 AND $1 + $3 AND l.longitude BETWEEN $2 - $4 AND $2 + $4
    GROUP BY sal.service_id
    HAVING min(d.km) <= $5
)"""

# A search filters on names, hours and languages in directory_service_facets (migration 0035):
# one narrow row per active service, which every import refreshes. Alias `f`.
FACETS = "directory_service_facets f"

# 'Open now' compares each service's weekly hours, as seconds of the week (migration 0034 has
# the rule), with the second of the week now ({now}: the parameter holding coord's clock),
# worked out once per organization: `open_local` in the curating organization's time zone,
# `open_utc` for schedules that give their own UTC offset.
WEEK_CLOCK = """week_clock AS MATERIALIZED (
    SELECT id AS org_id,
           (extract(isodow FROM t)::int - 1) * 86400 + floor(extract(epoch FROM t::time))::int AS local_s,
           (extract(isodow FROM u)::int - 1) * 86400 + floor(extract(epoch FROM u::time))::int AS utc_s
    FROM (SELECT id, {now}::timestamptz AT TIME ZONE timezone AS t, {now}::timestamptz AT TIME ZONE 'UTC' AS u
          FROM orgs) o
)"""
ON_THE_WEEK_CLOCK = "JOIN week_clock wc ON wc.org_id = f.org_id"
OPEN = "(f.open_local @> wc.local_s OR f.open_utc @> wc.utc_s)"

# {codes}, {names}: the ways the language may be written (coord.directory.search.language_forms),
# in lower case as the facets keep them.
SPEAKS = "(f.language_codes && {codes}::text[] OR f.language_names && {names}::text[])"

# Of a page of results ($1), those with hours at all (otherwise 'open now' is unknown, not
# 'closed'), and those open now ($2: coord's clock).
WITH_HOURS = """
SELECT service_id FROM directory_schedules WHERE service_id = ANY($1::uuid[]) AND active AND opens_at IS NOT NULL
UNION
SELECT x.service_id FROM directory_schedules sc
JOIN directory_service_at_locations x ON x.id = sc.service_at_location_id AND x.active
WHERE x.service_id = ANY($1::uuid[]) AND sc.active AND sc.opens_at IS NOT NULL
"""
OPEN_AMONG = ("WITH " + WEEK_CLOCK.format(now="$2") + f"\nSELECT f.id AS service_id FROM {FACETS} {ON_THE_WEEK_CLOCK} "
              f"WHERE {OPEN} AND f.id = ANY($1::uuid[])")

# Both stemmers: a word is found in its English or its Spanish forms, without accents.
TEXT_QUERY = ("(websearch_to_tsquery('english', coord_unaccent({q})) "
              "|| websearch_to_tsquery('spanish', coord_unaccent({q})))")
MATCHES_TEXT = "s.search @@ " + TEXT_QUERY

# {id}: the service's id in the search (s.id or f.id).
IN_CATEGORY = """EXISTS (
    SELECT 1 FROM directory_attributes a JOIN directory_taxonomy_terms t ON t.id = a.taxonomy_term_id
    WHERE a.link_id = {id} AND a.active
      AND (t.id::text = {p} OR t.code = {p} OR coord_unaccent(t.name) = coord_unaccent({p})))"""

FOR_AGE = "(s.minimum_age IS NULL OR s.minimum_age <= {p}) AND (s.maximum_age IS NULL OR s.maximum_age >= {p})"

# `free`: the cost option's rule (migration 0029), the same one each result's flag reads.
FREE = """EXISTS (SELECT 1 FROM directory_cost_options c WHERE c.service_id = {id} AND c.active AND c.free)"""

ACCESSIBLE = """EXISTS (
    SELECT 1 FROM directory_service_at_locations x
    JOIN directory_locations l ON l.id = x.location_id AND l.active AND NOT l.confidential
    JOIN directory_accessibility ac ON ac.location_id = l.id AND ac.active
    WHERE x.service_id = {id} AND x.active)"""

# The page of results: ids in order, then their details by id.
RESULT_DETAILS = """
SELECT s.id, s.name, s.description, s.url, s.email, s.last_verified, s.group_id, s.data ->> 'fees_description' AS fees,
       o.name AS organization_name
FROM directory_services s JOIN directory_organizations o ON o.id = s.organization_id
WHERE s.id = ANY($1::uuid[])
"""

# Each service's nearest public location (to $2, $3 when given), with its first address.
RESULT_PLACES = """
SELECT DISTINCT ON (sal.service_id) sal.service_id, l.id AS location_id, l.latitude, l.longitude,
       a.address_1, a.address_2, a.city, a.state_province, a.postal_code, a.country
FROM directory_service_at_locations sal
JOIN directory_locations l ON l.id = sal.location_id AND l.active AND NOT l.confidential
LEFT JOIN LATERAL (
    SELECT * FROM directory_addresses d WHERE d.location_id = l.id AND d.active ORDER BY d.external_id LIMIT 1
) a ON true
WHERE sal.service_id = ANY($1::uuid[]) AND sal.active
ORDER BY sal.service_id,
         CASE WHEN $2::float8 IS NULL OR l.latitude IS NULL THEN 0
              ELSE power(l.latitude - $2, 2) + power((l.longitude - $3) * cos(radians($2)), 2) END,
         l.external_id
"""

RESULT_PHONES = """
SELECT service_id, number, extension FROM directory_phones
WHERE service_id = ANY($1::uuid[]) AND active ORDER BY service_id, external_id
"""

RESULT_LANGUAGES = """
SELECT DISTINCT service_id, code, name FROM directory_languages
WHERE service_id = ANY($1::uuid[]) AND active ORDER BY service_id, code, name
"""

RESULT_ACCESSIBILITY = """
SELECT DISTINCT x.service_id, coalesce(ac.description, ac.details) AS text
FROM directory_service_at_locations x
JOIN directory_locations l ON l.id = x.location_id AND l.active AND NOT l.confidential
JOIN directory_accessibility ac ON ac.location_id = l.id AND ac.active
WHERE x.service_id = ANY($1::uuid[]) AND x.active AND coalesce(ac.description, ac.details) IS NOT NULL
ORDER BY 1, 2
"""

RESULT_COSTS = """
SELECT service_id, option, amount, currency, free FROM directory_cost_options
WHERE service_id = ANY($1::uuid[]) AND active ORDER BY service_id, external_id
"""

# A postal code's centre from the directory's own public addresses (as written, $1, or
# without spaces and in capitals, $2; a few hundred are enough for a centre).
POSTAL_CENTROID = """
SELECT avg(latitude) AS latitude, avg(longitude) AS longitude FROM (
    SELECT l.latitude, l.longitude
    FROM directory_addresses a JOIN directory_locations l ON l.id = a.location_id
    WHERE a.postal_code IN ($1, $2) AND a.active AND l.active AND NOT l.confidential AND l.latitude IS NOT NULL
    LIMIT 200
) near
"""

# Else a US ZIP code's centre (migration 0032; filled by coord.directory.zip_centres).
US_ZIP_CENTRE = "SELECT latitude, longitude FROM us_zip_centres WHERE code = $1"
# Filling it: one filler at a time (readers go on), and only while it is empty.
LOCK_US_ZIP_CENTRES = "LOCK TABLE us_zip_centres IN SHARE ROW EXCLUSIVE MODE"
ANY_US_ZIP_CENTRE = "SELECT EXISTS (SELECT 1 FROM us_zip_centres)"
US_ZIP_CENTRE_COLUMNS = ("code", "latitude", "longitude")
