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

# `{now}`: the parameter holding coord's clock. A schedule's hours are in its own UTC offset
# (HSDS `timezone`) when it gives one, else in the curating organization's time zone. Weekly
# and daily schedules are understood; others (monthly by position...) are not 'open now'.
OPEN_NOW = """EXISTS (
    SELECT 1 FROM directory_schedules sc
    CROSS JOIN LATERAL (
        SELECT CASE WHEN jsonb_typeof(sc.data -> 'timezone') = 'number'
                    THEN ({now}::timestamptz AT TIME ZONE 'UTC') + (sc.data ->> 'timezone')::float8 * interval '1 hour'
                    ELSE {now}::timestamptz AT TIME ZONE o.timezone END AS t
    ) lt
    WHERE sc.active AND sc.opens_at IS NOT NULL AND sc.closes_at IS NOT NULL
      AND (sc.service_id = s.id OR sc.service_at_location_id IN (
            SELECT x.id FROM directory_service_at_locations x WHERE x.service_id = s.id AND x.active))
      AND (sc.freq IS NULL OR upper(sc.freq) IN ('WEEKLY', 'DAILY'))
      AND (sc.byday IS NULL OR upper(sc.freq) = 'DAILY'
           OR (ARRAY['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'])[extract(dow FROM lt.t)::int + 1]
              = ANY (string_to_array(upper(replace(sc.byday, ' ', '')), ',')))
      AND CASE WHEN sc.opens_at < sc.closes_at THEN lt.t::time >= sc.opens_at AND lt.t::time < sc.closes_at
               ELSE lt.t::time >= sc.opens_at OR lt.t::time < sc.closes_at END
)"""

# Whether a service has hours at all (otherwise 'open now' is unknown, not 'closed').
HAS_HOURS = """EXISTS (
    SELECT 1 FROM directory_schedules sc
    WHERE sc.active AND sc.opens_at IS NOT NULL
      AND (sc.service_id = s.id OR sc.service_at_location_id IN (
            SELECT x.id FROM directory_service_at_locations x WHERE x.service_id = s.id AND x.active))
)"""

# Both stemmers: a word is found in its English or its Spanish forms, without accents.
TEXT_QUERY = ("(websearch_to_tsquery('english', coord_unaccent({q})) "
              "|| websearch_to_tsquery('spanish', coord_unaccent({q})))")
MATCHES_TEXT = "s.search @@ " + TEXT_QUERY

SPEAKS = """EXISTS (
    SELECT 1 FROM directory_languages dl WHERE dl.service_id = s.id AND dl.active
      AND (lower(dl.code) = lower({p}) OR coord_unaccent(dl.name) = coord_unaccent({p})))"""

IN_CATEGORY = """EXISTS (
    SELECT 1 FROM directory_attributes a JOIN directory_taxonomy_terms t ON t.id = a.taxonomy_term_id
    WHERE a.link_id = s.id AND a.active
      AND (t.id::text = {p} OR t.code = {p} OR coord_unaccent(t.name) = coord_unaccent({p})))"""

FOR_AGE = "(s.minimum_age IS NULL OR s.minimum_age <= {p}) AND (s.maximum_age IS NULL OR s.maximum_age >= {p})"

FREE = """EXISTS (
    SELECT 1 FROM directory_cost_options c WHERE c.service_id = s.id AND c.active
      AND (c.amount = 0 OR coord_unaccent(c.option) ~ '(free|gratis|gratuit)'))"""

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
SELECT service_id, option, amount, currency FROM directory_cost_options
WHERE service_id = ANY($1::uuid[]) AND active ORDER BY service_id, external_id
"""

# A postal code's centre from the directory's own public addresses.
POSTAL_CENTROID = """
SELECT avg(l.latitude) AS latitude, avg(l.longitude) AS longitude
FROM directory_addresses a JOIN directory_locations l ON l.id = a.location_id
WHERE a.active AND l.active AND NOT l.confidential AND l.latitude IS NOT NULL
  AND upper(replace(a.postal_code, ' ', '')) = $1
"""
