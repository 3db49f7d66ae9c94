"""Load-test people fast: an org, its admin and volunteers inserted with SQL; their tokens from the app's JWT auth."""

from __future__ import annotations

import itertools
from uuid import UUID

_seed = itertools.count(1)

SEED_ORG = """
WITH org AS (
    INSERT INTO orgs (name, slug, timezone, contact_email)
    VALUES ('Load ' || $1, 'load-' || $1, 'America/New_York', 'load@example.org') RETURNING id
), people AS (
    INSERT INTO users (email, display_name, email_confirmed_at)
    SELECT 'load-' || $1 || '-' || n || '@example.org', 'Person ' || n, now() FROM generate_series(0, $2) n
    RETURNING id, display_name
), members AS (
    INSERT INTO org_members (org_id, user_id, roles)
    SELECT org.id, people.id, CASE WHEN people.display_name = 'Person 0' THEN '{admin}'::text[] ELSE '{volunteer}' END
    FROM org, people
)
SELECT (SELECT id FROM org) AS org_id, id AS user_id, display_name FROM people
"""


async def seed(pool, people: int) -> tuple[UUID, UUID, list[UUID]]:
    """An org with an admin and `people` volunteers: (org_id, admin_id, volunteer ids)."""
    rows = await pool.fetch(SEED_ORG, f"{next(_seed)}-{UUID(int=id(pool)).hex[-6:]}", people)
    admin = next(r["user_id"] for r in rows if r["display_name"] == "Person 0")
    return rows[0]["org_id"], admin, [r["user_id"] for r in rows if r["user_id"] != admin]


def headers(app, user_id: UUID) -> dict[str, str]:
    token = app.state.jwt_auth.create_token(identifier=str(user_id), token_extras={"tv": 0})
    return {"Authorization": f"Bearer {token}"}
