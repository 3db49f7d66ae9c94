"""The directory's SQL. The upserts are built once from the constant column lists of
coord.directory.bundle (never from input): a row is written only when new, changed (its
content hash) or coming back (inactive); an import never clears a confidential flag."""

from __future__ import annotations

from coord.directory.bundle import TABLES

_PROVENANCE = ("id", "org_id", "source", "external_id", "content_hash", "last_verified")


def _upsert(table: str) -> str:
    columns = (*_PROVENANCE, *TABLES[table], "data")
    names = ", ".join(columns)
    changes = [f"{c} = EXCLUDED.{c}" for c in columns if c not in ("id", "org_id", "source", "external_id")]
    if table == "locations":
        changes = [c if not c.startswith("confidential ") else
                   "confidential = directory_locations.confidential OR EXCLUDED.confidential" for c in changes]
    return (
        f"INSERT INTO directory_{table} ({names}, active, created_at, updated_at) "
        f"SELECT {names}, true, $2, $2 FROM jsonb_populate_recordset(NULL::directory_{table}, $1::jsonb) "
        f"ON CONFLICT (org_id, source, external_id) DO UPDATE SET {', '.join(changes)}, active = true, "
        f"updated_at = EXCLUDED.updated_at "
        f"WHERE directory_{table}.content_hash <> EXCLUDED.content_hash OR NOT directory_{table}.active "
        f"RETURNING (xmax = 0) AS inserted"
    )


UPSERT = {table: _upsert(table) for table in TABLES}

# A full import: what this source's file no longer holds is marked inactive, never deleted.
DEACTIVATE = {
    table: f"UPDATE directory_{table} SET active = false, updated_at = $4 "
           f"WHERE org_id = $1 AND source = $2 AND active AND NOT (external_id = ANY($3::text[]))"
    for table in TABLES
}

EXISTING = {
    table: f"SELECT external_id FROM directory_{table} WHERE org_id = $1 AND source = $2 "
           f"AND external_id = ANY($3::text[])"
    for table in TABLES
}

# One import of an organization's source at a time: the second waits, then finds the first's rows.
LOCK_SOURCE = "SELECT pg_advisory_xact_lock(hashtext('coord.directory:' || $1::uuid || ':' || $2::text))"

# What searches filter on (name, weekly hours, languages), one row per active service, from the
# rows as they are after an import (migrations 0034, 0035).
REFRESH_SEARCH_FACETS = "SELECT coord_refresh_search_facets($1)"

DEFAULT_TAXONOMY_LOADED = "SELECT EXISTS (SELECT 1 FROM directory_taxonomies WHERE org_id IS NULL AND source = $1)"

INSERT_DEFAULT_TAXONOMY = """
INSERT INTO directory_taxonomies (id, org_id, source, external_id, content_hash, created_at, updated_at,
                                  name, uri, version, attribution)
VALUES ($1, NULL, $2, $2, $3, $4, $4, $5, $6, $7, $8)
ON CONFLICT DO NOTHING
"""

INSERT_DEFAULT_TERMS = """
INSERT INTO directory_taxonomy_terms (id, org_id, source, external_id, content_hash, created_at, updated_at,
                                      taxonomy_id, taxonomy, parent_id, code, name, data)
SELECT t.id, NULL, $1, t.code, $2, $3, $3, $4, $5, t.parent_id, t.code, t.name, jsonb_build_object('facet', t.facet)
FROM unnest($6::uuid[], $7::text[], $8::text[], $9::uuid[], $10::text[]) AS t (id, code, name, parent_id, facet)
ON CONFLICT DO NOTHING
"""

INSERT_IMPORT = """
INSERT INTO directory_imports (org_id, actor_id, source, format, status, full_import, counts, report, created_at,
                               finished_at, dry_run, progress_done, progress_total)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $5 = 'dry_run', $10, $10)
RETURNING id
"""

# A queued import's outcome, written in the transaction that applied its file.
FINISH_IMPORT = """
UPDATE directory_imports SET format = $2, status = $3, counts = $4, report = $5, finished_at = $6,
                             progress_done = $7, progress_total = $7
WHERE id = $1
RETURNING created_at
"""

_IMPORT_COLUMNS = """id, source, format, status, full_import, counts, report, created_at, finished_at, error,
progress_done, progress_total"""

IMPORT = f"SELECT {_IMPORT_COLUMNS} FROM directory_imports WHERE id = $1 AND org_id = $2"

IMPORTS = f"""
SELECT {_IMPORT_COLUMNS} FROM directory_imports WHERE org_id = $1 ORDER BY created_at DESC, id LIMIT $2
"""

QUEUE_IMPORT = """
INSERT INTO directory_imports (org_id, actor_id, source, format, status, full_import, dry_run, created_at)
VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7)
RETURNING id
"""

STORE_IMPORT_FILE = "INSERT INTO directory_import_files (import_id, content) VALUES ($1, $2)"

# The worker claims a queued import (or one a killed worker left running: nothing of it was
# committed); a finished one is not run again.
CLAIM_IMPORT = """
UPDATE directory_imports i SET status = 'running', progress_done = 0
FROM directory_import_files f
WHERE i.id = $1 AND f.import_id = i.id AND i.status IN ('queued', 'running')
RETURNING i.org_id, i.actor_id, i.source, i.full_import, i.dry_run, f.content
"""

IMPORT_PROGRESS = "UPDATE directory_imports SET progress_done = $2, progress_total = $3 WHERE id = $1 AND status = 'running'"

DROP_IMPORT_FILE = "DELETE FROM directory_import_files WHERE import_id = $1"

FAIL_IMPORT = """
UPDATE directory_imports SET status = $2, error = $3, finished_at = $4, report = $5
WHERE id = $1 AND status IN ('queued', 'running')
"""

ORG_ID_BY_SLUG = "SELECT id FROM orgs WHERE slug = $1"

SERVICE = """
SELECT s.id, s.org_id, s.name, s.description, s.status, s.url, s.email, s.minimum_age, s.maximum_age,
       s.last_verified, s.active, s.group_id, o.name AS organization_name
FROM directory_services s JOIN directory_organizations o ON o.id = s.organization_id
WHERE s.id = $1
"""

# A location's fields and first address. $2: the reader is staff of the organization that
# curates the directory; everyone else never reads a confidential location (nor its address).
_LOCATION = """
SELECT l.id, l.org_id, l.name, l.description, l.latitude, l.longitude, l.confidential, l.active, l.last_verified,
       a.address_1, a.address_2, a.city, a.state_province, a.postal_code, a.country
FROM directory_locations l
LEFT JOIN LATERAL (
    SELECT * FROM directory_addresses d WHERE d.location_id = l.id AND d.active ORDER BY d.external_id LIMIT 1
) a ON true
"""

SERVICE_LOCATIONS = _LOCATION + """
JOIN directory_service_at_locations sal ON sal.location_id = l.id
WHERE sal.service_id = $1 AND sal.active AND l.active AND (NOT l.confidential OR $2)
ORDER BY l.name, l.id
"""

LOCATION = _LOCATION + " WHERE l.id = $1 AND (NOT l.confidential OR $2) AND (l.active OR $2)"

LOCATION_ORG = "SELECT org_id FROM directory_locations WHERE id = $1"

SET_LOCATION_CONFIDENTIAL = "UPDATE directory_locations SET confidential = $2, updated_at = $3 WHERE id = $1"

SERVICE_ORG = "SELECT org_id FROM directory_services WHERE id = $1"

SET_SERVICE_GROUP = "UPDATE directory_services SET group_id = $2, updated_at = $3 WHERE id = $1"

SERVICE_PHONES = """
SELECT number, extension, type FROM directory_phones
WHERE service_id = $1 AND active ORDER BY external_id
"""

SERVICE_LANGUAGES = """
SELECT DISTINCT code, name FROM directory_languages WHERE service_id = $1 AND active ORDER BY code, name
"""

# Reports that an entry is wrong, and entries to verify (coord.directory.reports).
PUBLIC_SERVICE_ORG = "SELECT org_id FROM directory_services WHERE id = $1 AND active"

INSERT_REPORT = """
INSERT INTO directory_reports (org_id, service_id, problem, message, created_at)
VALUES ($1, $2, $3, $4, $5)
RETURNING id, created_at, (SELECT name FROM directory_services WHERE id = $2) AS service_name
"""

OPEN_REPORTS = """
SELECT r.id, r.service_id, s.name AS service_name, r.problem, r.message, r.created_at, r.resolved_at
FROM directory_reports r JOIN directory_services s ON s.id = r.service_id
WHERE r.org_id = $1 AND r.resolved_at IS NULL
ORDER BY r.created_at, r.id LIMIT $2
"""

STALE_SERVICES = """
SELECT id, name, last_verified FROM directory_services
WHERE org_id = $1 AND active AND (last_verified IS NULL OR last_verified < $2)
ORDER BY last_verified NULLS FIRST, name, id LIMIT $3
"""

RESOLVE_REPORT = """
UPDATE directory_reports SET resolved_at = $3, resolved_by = $4
WHERE id = $1 AND org_id = $2 AND resolved_at IS NULL RETURNING id
"""

# Verified by a person: the date changes, the content hash does not (a re-import of an
# unchanged file leaves it). The date is the organization's ($3 is the instant): a coordinator
# in New York checking an entry at 8 pm verified it that day, not the next one in UTC.
VERIFY_SERVICE = """
UPDATE directory_services s SET last_verified = ($3::timestamptz AT TIME ZONE o.timezone)::date, updated_at = $3
FROM orgs o WHERE s.id = $1 AND s.org_id = $2 AND o.id = s.org_id RETURNING s.id
"""
