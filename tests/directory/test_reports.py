"""'This entry is wrong' (issue 17.5): anyone reports a public entry (a few an hour from one
connection); the curators' staff read the queue of reports and of entries not verified for six
months, on the API and the coordination page, mark an entry verified and a report resolved;
others are refused."""

from __future__ import annotations

from tests.moments import today
from tests.pages import Visitor, text_of
from tests.support import API, assert_problem, expect


async def test_reports_reach_the_curators_queue(client, api, pool, directory_world):
    w = directory_world
    coordinator, participant = await api.user("coord"), await api.user("part")
    await api.member(w.org, w.admin, coordinator, "coordinator")
    await api.member(w.org, w.admin, participant, "participant")
    pantry = w.ids["pantry"]
    report = expect(await client.post(f"{API}/resources/{pantry}/reports",
                                      json={"problem": "phone", "message": "The number rings out"}), 201)
    assert report["service_name"] == "Food Pantry" and report["resolved_at"] is None
    assert_problem(await client.post(f"{API}/resources/{pantry}/reports", json={"problem": "other"}), 422)
    assert_problem(await client.post(f"{API}/resources/{pantry}/reports", json={"problem": "nonsense"}), 400)
    assert_problem(await client.post(f"{API}/resources/{w.ids['loc-secret']}/reports", json={"problem": "phone"}), 404)

    queue_url = f"{API}/orgs/{w.org['id']}/directory/reports"
    queue = expect(await client.get(queue_url, headers=coordinator.headers), 200)
    assert [(r["service_name"], r["message"]) for r in queue["reports"]] == [("Food Pantry", "The number rings out")]
    # Nothing in the file said when it was verified: every entry is due.
    assert {e["name"] for e in queue["stale"]} == {"Vivienda Segura", "Food Pantry", "Café Counseling", "Safe House"}
    assert_problem(await client.get(queue_url, headers=participant.headers), 403)
    assert_problem(await client.get(queue_url), 401)

    # The coordination page shows both lists, and marks verified and resolved.
    browser = Visitor(client)
    await browser.login(coordinator)
    coordination = f"/orgs/{w.org['slug']}/coordination"
    text = text_of((await browser.get(coordination)).text)
    assert "Reports that an entry is wrong" in text and "The number rings out" in text
    assert "Not verified for six months" in text and "Safe House" in text and "Imports" in text
    done = await browser.post(f"/orgs/{w.org['slug']}/directory/services/{pantry}/verified", form_page=coordination)
    assert done.status_code == 303
    assert str(await pool.fetchval("SELECT last_verified FROM directory_services WHERE id = $1", pantry)) \
        == today().isoformat()
    done = await browser.post(f"/orgs/{w.org['slug']}/directory/reports/{report['id']}/resolve", form_page=coordination)
    assert done.status_code == 303
    queue = expect(await client.get(queue_url, headers=w.admin.headers), 200)
    assert queue["reports"] == [] and "Food Pantry" not in {e["name"] for e in queue["stale"]}
    assert_problem(await client.post(f"{queue_url}/{report['id']}/resolve", headers=w.admin.headers), 404)
    assert_problem(await client.post(f"{API}/orgs/{w.org['id']}/directory/services/{pantry}/verified",
                                     headers=participant.headers), 403)
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE action LIKE 'directory.%ed'") >= 2


async def test_reports_from_one_connection_are_rate_limited(client, directory_world):
    url = f"{API}/resources/{directory_world.ids['cafe']}/reports"
    for _ in range(10):
        expect(await client.post(url, json={"problem": "hours"}), 201)
    limited = assert_problem(await client.post(url, json={"problem": "hours"}), 429)
    assert "Try again later" in limited["detail"]
