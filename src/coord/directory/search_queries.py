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

# 'Open now' reads each service's weekly hours, kept as seconds of the week in
# directory_service_hours (migration 0034 has the rule; every import refreshes them): `open_local`
# in the curating organization's time zone, `open_utc` for schedules that give their own UTC
# offset. They are compared with the second of the week now ({now}: the parameter holding
# coord's clock), worked out once per organization.
_WEEK_CLOCK = """week_clock AS MATERIALIZED (
    SELECT id AS org_id,
           (extract(isodow FROM t)::int - 1) * 86400 + floor(extract(epoch FROM t::time))::int AS local_s,
           (extract(isodow FROM u)::int - 1) * 86400 + floor(extract(epoch FROM u::time))::int AS utc_s
    FROM (SELECT id, {now}::timestamptz AT TIME ZONE timezone AS t, {now}::timestamptz AT TIME ZONE 'UTC' AS u
          FROM orgs) o
)"""
_OPEN_HOURS = """SELECT h.service_id FROM directory_service_hours h JOIN week_clock wc ON wc.org_id = h.org_id
    WHERE (h.open_local @> wc.local_s OR h.open_utc @> wc.utc_s)"""
# The services open now, as a set the search keeps (MATERIALIZED) and meets with its other
# filters' set by hashing: the planner cannot estimate how many are open, and misjudged would
# look each candidate up one by one.
OPEN_NOW = _WEEK_CLOCK + ",\nopen_services AS MATERIALIZED (\n    " + _OPEN_HOURS + "\n)"

# Of a page of results ($1), those with hours at all (otherwise 'open now' is unknown, not
# 'closed'), and those open now ($2: coord's clock).
WITH_HOURS = """
SELECT service_id FROM directory_schedules WHERE service_id = ANY($1::uuid[]) AND active AND opens_at IS NOT NULL
UNION
SELECT x.service_id FROM directory_schedules sc
JOIN directory_service_at_locations x ON x.id = sc.service_at_location_id AND x.active
WHERE x.service_id = ANY($1::uuid[]) AND sc.active AND sc.opens_at IS NOT NULL
"""
OPEN_AMONG = "WITH " + _WEEK_CLOCK.format(now="$2") + "\n" + _OPEN_HOURS + " AND h.service_id = ANY($1::uuid[])"

# Both stemmers: a word is found in its English or its Spanish forms, without accents.
TEXT_QUERY = ("(websearch_to_tsquery('english', coord_unaccent({q})) "
              "|| websearch_to_tsquery('spanish', coord_unaccent({q})))")
MATCHES_TEXT = "s.search @@ " + TEXT_QUERY

# {codes}, {names}: the ways the language may be written (coord.directory.search.language_forms),
# compared as they are so that the planner reads its statistics of the columns.
SPEAKS = """s.id IN (
    SELECT dl.service_id FROM directory_languages dl
    WHERE dl.active AND (dl.code = ANY({codes}::text[]) OR dl.name = ANY({names}::text[])))"""

IN_CATEGORY = """EXISTS (
    SELECT 1 FROM directory_attributes a JOIN directory_taxonomy_terms t ON t.id = a.taxonomy_term_id
    WHERE a.link_id = s.id AND a.active
      AND (t.id::text = {p} OR t.code = {p} OR coord_unaccent(t.name) = coord_unaccent({p})))"""

FOR_AGE = "(s.minimum_age IS NULL OR s.minimum_age <= {p}) AND (s.maximum_age IS NULL OR s.maximum_age >= {p})"

# `free`: the cost option's rule (migration 0029), the same one each result's flag reads.
FREE = """EXISTS (SELECT 1 FROM directory_cost_options c WHERE c.service_id = s.id AND c.active AND c.free)"""

ACCESSIBLE = """EXISTS (
    SELECT 1 FROM directory_service_at_locations x
    JOIN directory_locations l ON l.id = x.location_id AND l.active AND NOT l.confidential
    JOIN directory_accessibility ac ON ac.location_id = l.id AND ac.active
    WHERE x.service_id = s.id AND x.active)"""

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
