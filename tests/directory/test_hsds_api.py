"""The public HSDS 3.0 API (issue 17.3): every document valid against the official schemas
(tests/directory/fixtures/hsds_schema), the page envelope and its parameters, public entries
only, never a confidential location, and coord's public support groups as services whose
schedules are their RRULEs."""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

import jsonschema

from tests.moments import local_start
from tests.support import API, assert_problem, expect, shows_number
from tests.support.world import make_group

SCHEMAS = Path(__file__).parent / "fixtures" / "hsds_schema"


@functools.cache
def schema(name: str) -> dict:
    path = SCHEMAS / f"{name}.json.gz"
    return json.loads(gzip.decompress(path.read_bytes())) if path.exists() else json.loads(
        (SCHEMAS / f"{name}.json").read_text())


PAGE = json.loads((SCHEMAS / "openapi.json").read_text())["components"]["schemas"]["Page"]
PAGE_WITH_CONTENTS = {**PAGE, "required": list(PAGE["properties"]) + ["contents"]}
_validators: dict[int, tuple] = {}


def validate(document: dict, against: dict) -> None:
    """jsonschema.validate, checking each schema against its metaschema once rather than for
    every document (the HSDS schemas are large: that check was ~90% of this module's time)."""
    if (known := _validators.get(id(against))) is None:
        cls = jsonschema.validators.validator_for(against)
        cls.check_schema(against)
        known = _validators[id(against)] = (cls(against), against)  # the schema kept: its id stays its own
    if (error := jsonschema.exceptions.best_match(known[0].iter_errors(document))) is not None:
        raise error


def valid_page(document: dict, item_schema: dict) -> list[dict]:
    validate(document, PAGE_WITH_CONTENTS)
    for item in document["contents"]:
        validate(item, item_schema)
    return document["contents"]


async def test_the_hsds_api_is_valid_public_and_pages(client, api, directory_world, pool):
    w = directory_world
    meta = expect(await client.get("/hsds/"), 200)
    assert meta["version"] == "3.0" and meta["openapi_url"].endswith("/schema/openapi.json")

    services = expect(await client.get("/hsds/services"), 200)
    items = valid_page(services, schema("service_list"))
    assert {i["name"] for i in items} == {"Vivienda Segura", "Food Pantry", "Café Counseling", "Safe House"}
    assert (services["total_items"], services["page_number"], services["empty"]) == (4, 1, False)

    paged = expect(await client.get("/hsds/services?per_page=3&page=2"), 200)
    assert (paged["size"], paged["total_pages"], paged["first_page"], paged["last_page"]) == (1, 2, False, True)
    found = expect(await client.get("/hsds/services?search=viviendas"), 200)
    assert [i["name"] for i in found["contents"]] == ["Vivienda Segura"]
    assert expect(await client.get("/hsds/services?modified_after=2999-01-01T00:00:00Z"), 200)["empty"] is True
    term = await pool.fetchval("SELECT id::text FROM directory_taxonomy_terms WHERE code = '1200' AND org_id IS NOT NULL")
    tagged = expect(await client.get(f"/hsds/services?taxonomy_term_id={term}"), 200)
    assert [i["name"] for i in tagged["contents"]] == ["Vivienda Segura"]
    assert_problem(await client.get("/hsds/services?modified_after=yesterday"), 422)

    service_schema = schema("service")
    for item in items:
        full = expect(await client.get(f"/hsds/services/{item['id']}"), 200)
        validate(full, service_schema)
    vivienda = expect(await client.get(f"/hsds/services/{w.ids['vivienda']}"), 200)
    [sal] = vivienda["service_at_locations"]
    assert sal["location"]["addresses"][0]["address_1"] == "350 Fifth Avenue"
    assert vivienda["schedules"][0]["freq"] == "WEEKLY" and vivienda["languages"][0]["code"] == "es"
    # The shelter's confidential location never appears: no address, no coordinates.
    shelter = await client.get(f"/hsds/services/{w.ids['shelter']}")
    assert expect(shelter, 200)["service_at_locations"] == []
    assert "Secret Lane" not in shelter.text and not shows_number(shelter.text, "10018") and "40.75," not in shelter.text
    assert_problem(await client.get(f"/hsds/services/{w.ids['loc-secret']}"), 404)

    organizations = expect(await client.get("/hsds/organizations"), 200)
    [organization] = valid_page(organizations, schema("organization_list"))
    full = expect(await client.get(f"/hsds/organizations/{organization['id']}"), 200)
    validate(full, schema("organization"))
    assert len(full["services"]) == 4

    # Taxonomy terms: Open Eligibility, valid HSDS terms.
    terms = expect(await client.get("/hsds/taxonomy_terms?search=peer%20support"), 200)
    term_schema = schema("taxonomy_term")
    assert "Peer Support" in [t["name"] for t in valid_page(terms, term_schema)]

    # An inactive entry (gone from the source's file) is not public.
    await pool.execute("UPDATE directory_services SET active = false WHERE id = $1", w.ids["pantry"])
    assert_problem(await client.get(f"/hsds/services/{w.ids['pantry']}"), 404)
    assert expect(await client.get("/hsds/services"), 200)["total_items"] == 3


async def test_public_support_groups_are_services_with_their_rrules(client, api):
    admin = await api.user("admin")
    org = await api.org(admin)
    group = await make_group(client, org, admin, name="Thursday Circle", languages=["en", "es"])
    await make_group(client, org, admin, name="Private Circle", visibility="private")
    start = local_start(1, hour=18, minute=30, weekday=3)
    expect(await client.post(f"{API}/groups/{group['id']}/series", headers=admin.headers, json={
        "start": start.isoformat(), "timezone": "America/New_York", "duration_minutes": 90,
        "rrule": "FREQ=WEEKLY;BYDAY=TH;COUNT=10"}), 201)

    listed = expect(await client.get("/hsds/services"), 200)
    assert [i["name"] for i in valid_page(listed, schema("service_list"))] == ["Thursday Circle"]
    full = expect(await client.get(f"/hsds/services/{group['id']}"), 200)
    validate(full, schema("service"))
    [rule] = full["schedules"]
    assert (rule["freq"], rule["byday"], rule["count"], rule["opens_at"], rule["closes_at"]) == \
        ("WEEKLY", "TH", 10, "18:30", "20:00")
    assert rule["dtstart"] == start.date().isoformat() and rule["timezone"] in (-4, -5)
    assert rule["notes"] == "RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=10"
    assert {x["code"] for x in full["languages"]} == {"en", "es"}
    assert full["organization"]["name"] == org["name"]
    organizations = expect(await client.get("/hsds/organizations"), 200)
    assert [o["id"] for o in valid_page(organizations, schema("organization_list"))] == [org["id"]]
