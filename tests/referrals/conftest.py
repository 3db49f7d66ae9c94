"""A world to refer people in: an organization with a group (tests.support.world.setup) and
its directory imported from the CSV package of tests/directory/fixtures."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.support import API, expect, run_jobs
from tests.support.world import Setup, setup

PACKAGE = Path(__file__).resolve().parent.parent / "directory" / "fixtures" / "csv_package"


def zipped_package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(PACKAGE.glob("*.csv")):
            archive.writestr(f"package/{path.name}", path.read_text())
    return buffer.getvalue()


class World:
    """Setup's people and group, plus two directory services (Food and uncategorized housing)."""

    s: Setup
    food: str  # Riverside Food Pantry, category "Food"
    housing: str


@pytest.fixture
async def world(client, api, pool, redis, smtp, mail_settings) -> World:
    """Jobs run once it is built (a large import may be a job too), and the mail so far is cleared."""
    w = World()
    w.s = await setup(client, api)
    url = f"{API}/orgs/{w.s.org['id']}/directory/imports?source=county"
    expect(await client.post(url, content=zipped_package(), headers=w.s.admin.headers), 202)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    rows = await pool.fetch("SELECT external_id, id FROM directory_services")
    ids = {r["external_id"]: str(r["id"]) for r in rows}
    w.food, w.housing = ids["svc-food"], ids["svc-housing"]
    return w
