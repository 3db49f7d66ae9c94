"""SQL of the public HSDS 3.0 API (coord.directory.hsds_feed): active directory entries, and
coord's own public support groups as services. Confidential locations are never read.
Statements are assembled from these constant pieces (filters a request uses); values are
always parameters."""

from __future__ import annotations

# The directory's services and the public groups no directory service stands for, as one
# list. {dir_where} / {group_where}: extra conditions (or 'true').
SERVICE_ENTRIES = """
WITH entries AS (
    SELECT s.id, s.organization_id, s.name, s.description, s.url, s.email, s.status, s.minimum_age,
           s.maximum_age, s.updated_at, s.data, false AS is_group
    FROM directory_services s
    WHERE s.active AND {dir_where}
    UNION ALL
    SELECT g.id, g.org_id, g.name, g.description, NULL, NULL, 'active', NULL, NULL, g.updated_at,
           '{{}}'::jsonb, true
    FROM groups g
    WHERE g.visibility = 'public' AND g.archived_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM directory_services d WHERE d.group_id = g.id AND d.active)
      AND {group_where}
)
SELECT *, count(*) OVER () AS total FROM entries ORDER BY name, id LIMIT {limit} OFFSET {offset}
"""

DIR_TEXT = ("s.search @@ (websearch_to_tsquery('english', coord_unaccent({p})) "
            "|| websearch_to_tsquery('spanish', coord_unaccent({p})))")
GROUP_TEXT = "coord_unaccent(g.name || ' ' || coalesce(g.description, '')) LIKE '%' || coord_unaccent({p}) || '%'"
DIR_TERM = """EXISTS (SELECT 1 FROM directory_attributes a WHERE a.link_id = s.id AND a.active
                      AND a.taxonomy_term_id::text = {p})"""
DIR_MODIFIED = "s.updated_at > {p}"
GROUP_MODIFIED = "g.updated_at > {p}"

SERVICE = """
SELECT s.id, s.organization_id, s.name, s.description, s.url, s.email, s.status, s.minimum_age, s.maximum_age,
       s.updated_at, s.data, false AS is_group
FROM directory_services s WHERE s.id = $1 AND s.active
"""

PUBLIC_GROUP = """
SELECT g.id, g.org_id AS organization_id, g.name, g.description, g.languages, g.timezone, g.updated_at
FROM groups g
WHERE g.id = $1 AND g.visibility = 'public' AND g.archived_at IS NULL
"""

GROUP_SERIES = """
SELECT id, start_local, timezone, duration_minutes, rrule FROM series
WHERE group_id = $1 AND ended_at IS NULL ORDER BY start_local, id
"""

ORGANIZATION = """
SELECT id, name, description, website, email, data FROM directory_organizations WHERE id = $1 AND active
"""

COORD_ORG = "SELECT id, name, contact_email FROM orgs WHERE id = $1"

# Organizations: the directory's, and coord organizations with a public group.
ORGANIZATION_ENTRIES = """
WITH entries AS (
    SELECT o.id, o.name, o.description, o.website, o.email, o.data, o.updated_at
    FROM directory_organizations o WHERE o.active AND {dir_where}
    UNION ALL
    SELECT c.id, c.name, NULL, NULL, NULL, '{{}}'::jsonb, c.created_at
    FROM orgs c
    WHERE EXISTS (SELECT 1 FROM groups g WHERE g.org_id = c.id AND g.visibility = 'public' AND g.archived_at IS NULL)
      AND {coord_where}
)
SELECT *, count(*) OVER () AS total FROM entries ORDER BY name, id LIMIT {limit} OFFSET {offset}
"""
ORG_DIR_TEXT = "coord_unaccent(o.name || ' ' || coalesce(o.description, '')) LIKE '%' || coord_unaccent({p}) || '%'"
ORG_COORD_TEXT = "coord_unaccent(c.name) LIKE '%' || coord_unaccent({p}) || '%'"
ORG_DIR_MODIFIED = "o.updated_at > {p}"
ORG_COORD_MODIFIED = "c.created_at > {p}"

PUBLIC_COORD_ORG = """
SELECT c.id, c.name, NULL::text AS description, NULL::text AS website, NULL::text AS email, '{}'::jsonb AS data
FROM orgs c
WHERE c.id = $1 AND EXISTS (
    SELECT 1 FROM groups g WHERE g.org_id = c.id AND g.visibility = 'public' AND g.archived_at IS NULL)
"""

ORGANIZATION_SERVICES = """
SELECT s.id, s.organization_id, s.name, s.description, s.url, s.email, s.status, s.minimum_age, s.maximum_age,
       s.updated_at, s.data
FROM directory_services s WHERE s.organization_id = $1 AND s.active
UNION ALL
SELECT g.id, g.org_id, g.name, g.description, NULL, NULL, 'active', NULL, NULL, g.updated_at, '{}'::jsonb
FROM groups g WHERE g.org_id = $1 AND g.visibility = 'public' AND g.archived_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM directory_services d WHERE d.group_id = g.id AND d.active)
ORDER BY name, id
"""

# A service's children (active ones).
PHONES = """
SELECT id, number, extension, type, description FROM directory_phones
WHERE service_id = $1 AND active ORDER BY external_id
"""
SCHEDULES = """
SELECT id, freq, byday, opens_at, closes_at, description, data FROM directory_schedules
WHERE service_id = $1 AND active ORDER BY external_id
"""
LANGUAGES = "SELECT id, name, code, note FROM directory_languages WHERE service_id = $1 AND active ORDER BY external_id"
SERVICE_AREAS = "SELECT id, name, description FROM directory_service_areas WHERE service_id = $1 AND active ORDER BY external_id"
COST_OPTIONS = """
SELECT id, option, currency, amount FROM directory_cost_options WHERE service_id = $1 AND active ORDER BY external_id
"""
ATTRIBUTES = """
SELECT a.id, a.link_id, a.link_type, a.link_entity, a.value, t.id AS term_id, t.name AS term_name,
       t.description AS term_description, t.code AS term_code, t.taxonomy AS term_taxonomy
FROM directory_attributes a JOIN directory_taxonomy_terms t ON t.id = a.taxonomy_term_id
WHERE a.link_id = $1 AND a.active ORDER BY a.external_id
"""
SERVICE_AT_LOCATIONS = """
SELECT sal.id AS sal_id, sal.description AS sal_description, l.id, l.name, l.description, l.location_type,
       l.latitude, l.longitude
FROM directory_service_at_locations sal
JOIN directory_locations l ON l.id = sal.location_id AND l.active AND NOT l.confidential
WHERE sal.service_id = $1 AND sal.active ORDER BY sal.external_id
"""
ADDRESSES = """
SELECT id, address_type, address_1, address_2, city, region, state_province, postal_code, country
FROM directory_addresses WHERE location_id = $1 AND active ORDER BY external_id
"""
ACCESSIBILITY = "SELECT id, description, details, url FROM directory_accessibility WHERE location_id = $1 AND active"

TAXONOMY_TERMS = """
SELECT t.id, t.code, t.name, t.description, t.parent_id, t.taxonomy, t.taxonomy_id, t.language,
       count(*) OVER () AS total
FROM directory_taxonomy_terms t
WHERE t.active AND {where}
ORDER BY t.taxonomy NULLS LAST, t.code NULLS LAST, t.name, t.id LIMIT {limit} OFFSET {offset}
"""
TERM_TEXT = "coord_unaccent(t.name) LIKE '%' || coord_unaccent({p}) || '%'"
