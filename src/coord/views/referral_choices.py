"""What the Refer form offers (issue 17.6): the people a facilitator or coordinator serves,
and what to refer them to (their organization's groups, directory services found by name).
Pages only; the rules are coord.referrals.service's, which checks again on sending."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

# Members of organizations where the reader is a coordinator or admin, and of groups they facilitate.
PEOPLE_SERVED = """
SELECT DISTINCT u.id AS user_id, u.display_name
FROM users u
WHERE u.deleted_at IS NULL AND u.id <> $1 AND (
    EXISTS (SELECT 1 FROM org_members m JOIN org_members p ON p.org_id = m.org_id
            WHERE m.user_id = $1 AND p.user_id = u.id AND m.roles && ARRAY['admin', 'coordinator'])
    OR EXISTS (SELECT 1 FROM group_members f JOIN group_members p ON p.group_id = f.group_id
               WHERE f.user_id = $1 AND f.role = 'facilitator' AND f.status = 'active' AND p.user_id = u.id
                 AND p.status = 'active'))
ORDER BY u.display_name, u.id LIMIT $2
"""
# The running groups of the organizations where the reader serves the person.
GROUPS_FOR = """
SELECT g.id, g.name, o.name AS org_name
FROM groups g JOIN orgs o ON o.id = g.org_id
WHERE g.archived_at IS NULL AND g.org_id IN (
    SELECT m.org_id FROM org_members m JOIN org_members p ON p.org_id = m.org_id AND p.user_id = $2
    WHERE m.user_id = $1 AND m.roles && ARRAY['admin', 'coordinator']
    UNION
    SELECT g2.org_id FROM group_members f
    JOIN group_members p ON p.group_id = f.group_id AND p.user_id = $2 AND p.status = 'active'
    JOIN groups g2 ON g2.id = f.group_id
    WHERE f.user_id = $1 AND f.role = 'facilitator' AND f.status = 'active')
ORDER BY o.name, g.name LIMIT 100
"""
SERVICES_NAMED = """
SELECT s.id, s.name, d.name AS provider
FROM directory_services s JOIN directory_organizations d ON d.id = s.organization_id
WHERE s.active AND (s.id = $2::uuid OR ($1::text IS NOT NULL AND s.name ILIKE '%' || $1 || '%'))
ORDER BY s.id = $2::uuid DESC, s.name LIMIT 20
"""
PERSON_NAME = "SELECT display_name FROM users WHERE id = $1 AND deleted_at IS NULL"
# The organizations where the reader may read referral counts (coordinators, admins, facilitators).
ORG_OF_SLUG_FOR = """
SELECT o.id, o.name, o.slug, m.roles FROM orgs o JOIN org_members m ON m.org_id = o.id AND m.user_id = $2
WHERE o.slug = $1
"""


class Person(msgspec.Struct):
    user_id: UUID
    display_name: str


class Choice(msgspec.Struct):
    id: UUID
    name: str
    detail: str  # the group's organization, the service's provider


class ReferChoices(msgspec.Struct):
    people: list[Person]
    person_name: str | None
    groups: list[Choice]
    services: list[Choice]


async def refer_choices(conn: asyncpg.Connection, actor_id: UUID, person_id: UUID | None, find: str | None,
                        service_id: UUID | None) -> ReferChoices:
    people = [Person(**dict(r)) for r in await conn.fetch(PEOPLE_SERVED, actor_id, 300)]
    served = {p.user_id for p in people}
    if person_id is None or person_id not in served:
        return ReferChoices(people, None, [], [])
    name = await conn.fetchval(PERSON_NAME, person_id)
    groups = [Choice(r["id"], r["name"], r["org_name"]) for r in await conn.fetch(GROUPS_FOR, actor_id, person_id)]
    services = [Choice(r["id"], r["name"], r["provider"])
                for r in await conn.fetch(SERVICES_NAMED, (find or "").strip() or None, service_id)]
    return ReferChoices(people, name, groups, services)


async def org_for_counts(conn: asyncpg.Connection, slug: str, user_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(ORG_OF_SLUG_FOR, slug, user_id)
