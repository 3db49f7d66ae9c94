"""What searches filter on besides words and place (names, weekly hours, languages) is kept per
service at import (migration 0035): a re-import that renames a service, changes its languages
or hours, or drops it, changes what every kind of search finds, straight away. Languages match
however the directory wrote them (code or name, any case, in English, Spanish or Arabic)."""

from __future__ import annotations

import json
import shutil

from coord.directory import search
from coord.directory import service as directory_service
from coord.kernel.db.migrate import load_migrations, migrate, migrations_dir
from coord.kernel.db.pool import create_pool, transaction
from tests.directory.conftest import directory_file
from tests.directory.test_search import find, names
from tests.moments import weekly_hours
from tests.support import API, expect


async def reimport(client, world, document: dict) -> None:
    out = expect(await client.post(f"{API}/orgs/{world.org['id']}/directory/imports?source=help",
                                   content=json.dumps(document).encode(), headers=world.admin.headers), 202)
    assert out["status"] == "applied", out["problems"]


async def test_a_reimport_changes_what_each_kind_of_search_finds(client, directory_world):
    assert names(await find(client, language="es")) == ["Vivienda Segura"]
    assert names(await find(client, open_now="true")) == ["Vivienda Segura"]
    document = json.loads(directory_file())
    services = {s["id"]: s for s in document["services"]}
    vivienda, cafe = services["vivienda"], services["cafe"]
    vivienda["name"] = "Casa Segura"
    vivienda["languages"] = [{"id": "lang-es", "name": "SPANISH", "code": "ES"},
                             {"id": "lang-ar", "name": "Arabic", "code": "ar"}]
    vivienda["schedules"] = [{"id": "open", **weekly_hours(opens_in_hours=2, closes_in_hours=3)}]  # now closed
    cafe["languages"] = [{"id": "lang-cafe", "name": "Español"}]  # a name, no code
    cafe["schedules"] = [{"id": "cafe-hours", **weekly_hours(opens_in_hours=-1, closes_in_hours=1)}]
    document["services"] = [s for s in document["services"] if s["id"] != "pantry"]  # no longer listed
    await reimport(client, directory_world, document)

    # Language alone (one scan of the facets), sorted by the new name.
    for spanish in ("es", "ES", "Spanish", "español", "espanol", "الإسبانية"):
        assert names(await find(client, language=spanish)) == ["Café Counseling", "Casa Segura"], spanish
    for arabic in ("ar", "Arabic", "árabe", "العربية"):
        assert names(await find(client, language=arabic)) == ["Casa Segura"], arabic
    assert (await find(client, language="en"))["results"] == []  # the Pantry was its only English
    # Open now, alone, with a language, near a place, and with words (the service's own row too).
    assert names(await find(client, open_now="true")) == ["Café Counseling"]
    assert names(await find(client, open_now="true", language="es")) == ["Café Counseling"]
    assert (await find(client, open_now="true", language="ar"))["results"] == []
    assert (await find(client, open_now="true", near="10001", radius_km=20))["results"] == []
    assert names(await find(client, open_now="true", near="10001", radius_km=200)) == ["Café Counseling"]
    assert names(await find(client, q="counseling", open_now="true", language="spanish")) == ["Café Counseling"]
    assert names(await find(client, q="alquiler", language="arabic")) == ["Casa Segura"]
    # The dropped service is found by no search, and each result says what the facets say.
    every = await find(client, per_page=100)
    assert set(names(every)) == {"Casa Segura", "Café Counseling", "Safe House"} and every["total"] == 3
    flags = {r["name"]: (r["open_now"], sorted(r["languages"])) for r in every["results"]}
    assert flags["Casa Segura"] == (False, ["Arabic", "SPANISH"]) and flags["Café Counseling"] == (True, ["Español"])
    assert names(await find(client, near="10001", radius_km=20)) == ["Casa Segura"]


async def test_a_service_page_and_the_rarer_filters_read_the_same_rows(client, directory_world):
    page = await client.get(f"/resources/{directory_world.ids['vivienda']}")  # the search's `only`
    assert page.status_code == 200 and 'class="open-now"' in page.text and "Languages: Spanish" in page.text
    assert names(await find(client, free="true", language="es")) == ["Vivienda Segura"]
    assert names(await find(client, accessible="true", open_now="true")) == ["Vivienda Segura"]
    assert names(await find(client, category="Housing", age=40, language="spanish")) == ["Vivienda Segura"]
    assert (await find(client, category="Housing", age=15))["results"] == []


async def test_migration_0035_fills_the_facets_of_a_directory_imported_before_it(fresh_database, tmp_path):
    before = tmp_path / "migrations"
    before.mkdir()
    for migration in load_migrations():
        if migration.name < "0035":
            shutil.copy(migrations_dir() / migration.name, before)
    await migrate(fresh_database, before)
    pool = await create_pool(fresh_database, min_size=1, max_size=1)
    try:
        async with transaction(pool) as conn:
            # What an import refreshed before 0035: the weekly hours alone.
            await conn.execute("CREATE FUNCTION coord_refresh_search_facets(org uuid) RETURNS void LANGUAGE sql "
                               "AS $$ SELECT coord_refresh_open_week(org) $$")
            await conn.execute("INSERT INTO orgs (name, slug, timezone, contact_email) "
                               "VALUES ('Help', 'help', 'America/New_York', 'help@example.org')")
            (tmp_path / "directory.json").write_bytes(directory_file())
            out = await directory_service.import_path(conn, "help", tmp_path / "directory.json", "help", dry_run=False)
            assert out.status == "applied", out.problems
            await conn.execute("DROP FUNCTION coord_refresh_search_facets(uuid)")
        assert await migrate(fresh_database) == ["0035_directory_search_facets.sql"]
        rows = await pool.fetch("SELECT name, language_codes, language_names, open_local <> '{}' AS with_hours "
                                "FROM directory_service_facets ORDER BY name")
        assert [tuple(r) for r in rows] == [("Café Counseling", [], [], False), ("Food Pantry", ["en"], ["english"], True),
                                            ("Safe House", [], [], False), ("Vivienda Segura", ["es"], ["spanish"], True)]
        async with transaction(pool) as conn:
            found = await search.search(conn, search.Query(language="Spanish", open_now=True))
        assert [r.name for r in found.results] == ["Vivienda Segura"]
    finally:
        await pool.close()
