"""Groups and events say which languages they are held in (issue 16.7): ISO 639 codes that
CLDR knows, a clear problem for one it does not, and `?language=` on their lists."""

from __future__ import annotations

from tests.support import API, assert_problem, expect
from tests.support.world import make_event, make_group


async def test_groups_and_events_are_listed_by_the_language_they_are_held_in(client, api):
    admin = await api.user("admin")
    org = await api.org(admin)
    spanish = await make_group(client, org, admin, name="Grupo de apoyo", languages=["es"])
    both = await make_group(client, org, admin, name="Bilingual group", languages=["en", "ES"])
    await make_group(client, org, admin, name="English group", languages=["en"])
    assert both["languages"] == ["en", "es"]  # codes are kept lower-case
    listed = expect(await client.get(f"{API}/orgs/{org['id']}/groups?language=es", headers=admin.headers), 200)
    assert [g["id"] for g in listed["items"]] == [both["id"], spanish["id"]]
    event = await make_event(client, org, admin, languages=["ar"])
    await make_event(client, org, admin, title="In English", languages=["en"])
    assert event["languages"] == ["ar"]
    listed = expect(await client.get(f"{API}/orgs/{org['id']}/events?language=ar", headers=admin.headers), 200)
    assert [e["id"] for e in listed["items"]] == [event["id"]]
    changed = expect(await client.patch(f"{API}/events/{event['id']}", json={"languages": ["ar", "fa"]},
                                        headers=admin.headers), 200)
    assert changed["languages"] == ["ar", "fa"]
    changed = expect(await client.patch(f"{API}/groups/{spanish['id']}", json={"languages": ["es", "en"]},
                                        headers=admin.headers), 200)
    assert changed["languages"] == ["es", "en"]


async def test_a_code_that_is_no_language_is_a_problem_that_says_what_to_write(client, api):
    admin = await api.user("admin")
    org = await api.org(admin)
    problem = assert_problem(await client.post(f"{API}/orgs/{org['id']}/groups", json={
        "name": "G", "format": "peer_led", "visibility": "public", "join_policy": "open", "languages": ["en", "xx"]},
        headers=admin.headers), 422)
    assert problem["type"].endswith("unknown-language")
    assert problem["errors"] == [{"field": "languages", "message": problem["detail"]}]
    assert "“xx” is not a language code" in problem["detail"] and "ISO 639" in problem["detail"]
    group = await make_group(client, org, admin)
    assert_problem(await client.patch(f"{API}/groups/{group['id']}", json={"languages": ["klingon"]},
                                      headers=admin.headers), 422)
    event = await make_event(client, org, admin)
    assert_problem(await client.patch(f"{API}/events/{event['id']}", json={"languages": ["e1"]},
                                      headers=admin.headers), 422)
    for what in ("groups", "events"):
        problem = assert_problem(await client.get(f"{API}/orgs/{org['id']}/{what}?language=zz",
                                                  headers=admin.headers), 422)
        assert problem["errors"][0]["field"] == "language"
