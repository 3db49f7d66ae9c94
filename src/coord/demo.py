"""`coord demo`: a realistic demo organization, loaded through the services.

Idempotent: running it twice leaves one demo organization. Every demo account
has the password printed at the end (development only).
"""

from __future__ import annotations

import asyncpg

from coord.auth import service as auth_service
from coord.auth.schemas import RegisterIn
from coord.config import Settings
from coord.db.pool import create_pool, transaction
from coord.orgs import service as org_service
from coord.orgs.schemas import MemberIn, OrgIn, VenueIn

DEMO_SLUG = "riverside-wellbeing"
DEMO_PASSWORD = "demo-password-2026"
PEOPLE = [
    ("coordinator@demo.coord.test", "Rosa Coordinator", ["coordinator"]),
    ("facilitator@demo.coord.test", "Femi Facilitator", ["facilitator"]),
    ("peer@demo.coord.test", "Priya Peer", ["facilitator", "participant"]),
    ("volunteer@demo.coord.test", "Vic Volunteer", ["volunteer"]),
    ("participant@demo.coord.test", "Pat Participant", ["participant"]),
]


async def _user(conn: asyncpg.Connection, email: str, name: str) -> None:
    exists = await conn.fetchval("SELECT id FROM users WHERE lower(email) = lower($1)", email)
    if not exists:
        await auth_service.register(
            conn, RegisterIn(email=email, password=DEMO_PASSWORD, display_name=name, timezone="America/New_York")
        )


async def load_demo(settings: Settings) -> str:
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        async with transaction(pool) as conn:
            if await conn.fetchval("SELECT id FROM orgs WHERE slug = $1", DEMO_SLUG):
                return f"demo organization {DEMO_SLUG!r} already loaded; accounts use password {DEMO_PASSWORD!r}"
            await _user(conn, "admin@demo.coord.test", "Ada Admin")
            admin_id = await conn.fetchval("SELECT id FROM users WHERE email = 'admin@demo.coord.test'")
            org = await org_service.create_org(
                conn,
                admin_id,
                OrgIn(
                    name="Riverside Wellbeing Collective",
                    slug=DEMO_SLUG,
                    timezone="America/New_York",
                    contact_email="hello@demo.coord.test",
                ),
            )
            for email, name, roles in PEOPLE:
                await _user(conn, email, name)
                await org_service.add_member(conn, admin_id, org.id, MemberIn(email=email, roles=roles))
            await org_service.create_venue(
                conn,
                admin_id,
                org.id,
                VenueIn(
                    name="Riverside Community Center, Room 2",
                    kind="in_person",
                    address="120 River St, Springfield",
                    accessibility="Step-free entrance on Mill Lane; accessible restroom on the ground floor.",
                ),
            )
            await org_service.create_venue(
                conn, admin_id, org.id, VenueIn(name="Online room", kind="virtual", meeting_url="https://meet.example.org/riverside")
            )
        return f"loaded demo organization {DEMO_SLUG!r}; log in as admin@demo.coord.test with {DEMO_PASSWORD!r}"
    finally:
        await pool.close()
