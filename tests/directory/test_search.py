"""Finding help (issue 17.4) on a directory whose answers are known (conftest): words in
English or Spanish with or without accents, near a ZIP code or coordinates sorted by
distance within a radius, open now, language, age, free, accessible; a confidential
location is never a distance nor an address."""

from __future__ import annotations

from tests.support import API, assert_problem, expect, shows_number


async def find(client, **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return expect(await client.get(f"{API}/resources?{query}"), 200)


def names(found: dict) -> list[str]:
    return [r["name"] for r in found["results"]]


async def test_words_in_english_or_spanish_with_or_without_accents(client, directory_world):
    assert names(await find(client, q="viviendas")) == ["Vivienda Segura"]  # Spanish stem
    assert names(await find(client, q="ayudas")) == ["Vivienda Segura"]
    assert names(await find(client, q="cafe")) == ["Café Counseling"]  # accents ignored
    assert names(await find(client, q="CAFÉ counsel")) == ["Café Counseling"]  # English stem
    assert names(await find(client, q="grocery")) == ["Food Pantry"]
    # A name weighs more than a description: 'families' is in two descriptions, 'counseling' in a name.
    assert names(await find(client, q="counseling"))[0] == "Café Counseling"
    found = await find(client, q="families")
    assert set(names(found)) == {"Vivienda Segura", "Café Counseling"} and found["total"] == 2
    assert (await find(client, q="nothing-like-this"))["results"] == []


async def test_near_a_place_sorted_by_distance_within_a_radius(client, directory_world):
    for near in ("10001", "40.7484,-73.9967"):
        found = await find(client, near=near, radius_km=20)
        assert names(found) == ["Vivienda Segura", "Food Pantry"], near
        vivienda, pantry = found["results"]
        assert vivienda["distance_km"] < 0.5 and 8 < pantry["distance_km"] < 11
        assert found["near"]["latitude"] == 40.7484
    assert names(await find(client, near="10001", radius_km=200)) == ["Vivienda Segura", "Food Pantry",
                                                                       "Café Counseling"]
    # A ZIP code the directory has no address in: its centre from the US ZIP codes table (0032).
    assert names(await find(client, near="19103", radius_km=5)) == ["Café Counseling"]
    assert names(await find(client, q="free", near="10001", radius_km=20)) == ["Food Pantry"]
    assert_problem(await client.get(f"{API}/resources?near=nowhere%20at%20all!"), 422)
    assert_problem(await client.get(f"{API}/resources?near=10001&radius_km=5000"), 422)


async def test_open_now_language_age_free_and_accessible(client, directory_world):
    found = await find(client, open_now="true")
    assert names(found) == ["Vivienda Segura"] and found["results"][0]["open_now"] is True
    every = {r["name"]: r for r in (await find(client))["results"]}
    assert every["Food Pantry"]["open_now"] is False and every["Café Counseling"]["open_now"] is None
    assert names(await find(client, language="es")) == ["Vivienda Segura"]
    assert names(await find(client, language="Spanish")) == ["Vivienda Segura"]
    assert names(await find(client, language="en")) == ["Food Pantry"]
    assert set(names(await find(client, age=15))) == {"Food Pantry", "Café Counseling", "Safe House"}
    assert set(names(await find(client, age=40))) == {"Vivienda Segura", "Food Pantry", "Safe House"}
    # Free: no amount to pay (Vivienda), or words that say so without an amount (the Pantry's
    # "Gratis para todos"); each found is also shown as free, the one rule for both.
    found = await find(client, free="true")
    assert names(found) == ["Food Pantry", "Vivienda Segura"]
    assert [(r["free"], r["cost"]) for r in found["results"]] == [(True, ["Gratis para todos"]), (True, ["Free"])]
    assert every["Café Counseling"]["free"] is False
    for category in ("Housing", "1200", "housing"):
        assert names(await find(client, category=category)) == ["Vivienda Segura"], category
    assert (await find(client, category="Legal"))["results"] == []
    assert names(await find(client, accessible="true")) == ["Vivienda Segura"]
    vivienda = every["Vivienda Segura"]
    assert vivienda["phones"] == [{"number": "+1 (212) 555-0100", "extension": None, "tel": "tel:+12125550100"}]
    assert vivienda["address"]["address_1"] == "350 Fifth Avenue" and vivienda["languages"] == ["Spanish"]
    assert vivienda["accessibility"] == ["Wheelchair ramp at the entrance"] and vivienda["cost"] == ["Free"]
    assert vivienda["free"] is True and "last_verified" in vivienda


async def test_a_confidential_location_is_never_a_distance_nor_an_address(client, directory_world):
    found = await find(client, q="shelter")
    [shelter] = found["results"]
    assert shelter["name"] == "Safe House" and shelter["address"] is None and shelter["distance_km"] is None
    for params in ({"near": "10018", "radius_km": 1}, {"near": "40.75,-73.99", "radius_km": 50}, {}):
        response = await client.get(f"{API}/resources", params={**params, "per_page": 100})
        assert "Secret Lane" not in response.text and not shows_number(response.text.replace('"10018"', ""), "10018")
    assert "Safe House" not in names(await find(client, near="40.75,-73.99", radius_km=50))


async def test_odd_requests_are_problems_not_errors(client, directory_world):
    for query in ("radius_km=-1&near=10001", "age=500", "per_page=0", "page=0", "near=", "q=" + "x" * 300,
                  "near=91,200", "near=10001&radius_km=abc", "open_now=maybe", "q=%22unbalanced&language=%27"):
        response = await client.get(f"{API}/resources?{query}")
        assert response.status_code in (200, 400, 422), (query, response.text)
    for path in ("/hsds/services?page=0", "/hsds/services?per_page=1000", "/hsds/services?search=%27%22%5C",
                 "/hsds/services/00000000-0000-0000-0000-000000000000", "/hsds/organizations/not-a-uuid",
                 "/hsds/taxonomy_terms?per_page=0", "/resources?age=abc", "/resources?near=%00",
                 "/hsds/organizations?per_page=165&page=70411460212294459392", "/resources?page=70411460212294459392",
                 f"{API}/resources?page=70411460212294459392"):
        response = await client.get(path)
        assert response.status_code in (200, 400, 404, 422), (path, response.text[:300])
    bad = await client.post(f"{API}/resources/{directory_world.ids['vivienda']}/reports", json={"problem": "phone",
                                                                                            "extra": 1})
    assert bad.status_code == 400
