"""A confidential location (a shelter) is never read by anyone but the staff of the
organization that curates it: not its address, not the location, by the public, members or
other organizations (issue 17.1, CONTRACT: set on import or by a coordinator)."""

from __future__ import annotations

from tests.support import API, assert_problem, expect, shows_number
from tests.support.directory_imports import imports_url, zipped


async def test_a_confidential_location_is_read_only_by_the_curators_staff(client, api, pool):
    admin, coordinator, participant, outsider = [await api.user(n) for n in ("admin", "coord", "part", "out")]
    org = await api.org(admin)
    await api.member(org, admin, coordinator, "coordinator")
    await api.member(org, admin, participant, "participant")
    await api.org(outsider, slug="elsewhere")
    expect(await client.post(imports_url(org, "county"), content=zipped(), headers=admin.headers), 202)
    ids = {r["external_id"]: r["id"] for r in await pool.fetch(
        "SELECT external_id, id FROM directory_services UNION ALL SELECT external_id, id FROM directory_locations")}
    shelter, safe, main = ids["svc-shelter"], ids["loc-safe"], ids["loc-main"]

    for reader in ({}, participant.headers, outsider.headers):
        response = await client.get(f"{API}/directory/services/{shelter}", headers=reader)
        seen = expect(response, 200)
        assert seen["name"] == "Emergency Shelter" and seen["phones"][0]["number"] == "+1 312 555 0199"
        assert seen["locations"] == [] and "Hidden Lane" not in response.text and not shows_number(response.text, "60614")
        assert_problem(await client.get(f"{API}/directory/locations/{safe}", headers=reader), 404)
    for staff in (admin, coordinator):
        seen = expect(await client.get(f"{API}/directory/services/{shelter}", headers=staff.headers), 200)
        assert [(loc["address_1"], loc["confidential"]) for loc in seen["locations"]] == [("7 Hidden Lane", True)]
        assert expect(await client.get(f"{API}/directory/locations/{safe}", headers=staff.headers), 200)["confidential"]

    # A coordinator marks the community center confidential: gone for the public, and a
    # re-import of the same file does not undo it.
    url = f"{API}/orgs/{org['id']}/directory/locations/{main}"
    assert expect(await client.patch(url, json={"confidential": True}, headers=coordinator.headers), 200)["confidential"]
    expect(await client.post(imports_url(org, "county"), content=zipped(), headers=admin.headers), 202)
    food = ids["svc-food"]
    assert expect(await client.get(f"{API}/directory/services/{food}"), 200)["locations"] == []
    assert_problem(await client.get(f"{API}/directory/locations/{main}"), 404)
    assert_problem(await client.patch(url, json={"confidential": False}, headers=participant.headers), 403)
    assert_problem(await client.patch(f"{API}/orgs/{org['id']}/directory/locations/{main}".replace(
        org["id"], (await pool.fetchval("SELECT id::text FROM orgs WHERE slug = 'elsewhere'"))),
        json={"confidential": False}, headers=outsider.headers), 404)
    expect(await client.patch(url, json={"confidential": False}, headers=coordinator.headers), 200)
    assert [loc["address_1"] for loc in expect(await client.get(f"{API}/directory/services/{food}"), 200)["locations"]] \
        == ["100 River Street"]
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'directory.location_confidential'") == 2
