"""GET /orgs/{id}/reports with known data: every figure, the cell-size rule, the CSV, who may
read it, and refused periods."""

from __future__ import annotations

import csv
import io

from coord.reports.suppression import RULE
from tests.support import API, assert_problem, expect
from tests.support.report_world import attend, build, label, people, session


async def test_every_figure_of_two_known_months(client, api, pool):
    s, m1, m2 = await build(client, api, pool)
    url = f"{API}/orgs/{s.org['id']}/reports"
    patched = expect(await client.patch(f"{API}/orgs/{s.org['id']}",
                                        json={"volunteer_hour_value": 20, "volunteer_hour_value_year": 2025},
                                        headers=s.admin.headers), 200)
    assert (patched["volunteer_hour_value"], patched["volunteer_hour_value_year"]) == (20.0, 2025)
    body = expect(await client.get(url, params={"from": label(m1), "to": label(m2)}, headers=s.coordinator.headers),
                  200)
    assert body["suppression"] == {"rule": RULE, "threshold": 10, "shown_as": "1-10"}
    assert (body["from"], body["to"], body["period"], body["scope"]) == (label(m1), label(m2), "month", "organization")
    assert (body["volunteer_hour_value"], body["volunteer_hour_value_year"]) == (20.0, 2025)
    first, second = body["periods"]
    assert first["period"] == label(m1) and first["starts_on"] == m1.isoformat()
    assert (first["sessions_held"], first["sessions_cancelled"]) == (1, 1)
    assert first["attendance"] == {"present": 14, "absent": "1-10", "excused": 0}
    assert (first["unique_participants"], first["new_participants"], first["returning_participants"]) == (14, 14, 0)
    assert first["participants_by_language"] == {"es": 14, "unknown": 0}
    assert first["returned_from_last_rate"] is None  # nobody came the month before
    assert (first["facilitator_places_needed"], first["facilitator_places_filled"], first["coverage_rate"]) == (1, 1, 1.0)
    assert (first["volunteer_hours_approved"], first["volunteer_value"], first["shift_places"]) == (0.0, 0.0, 0)
    assert (first["events_held"], first["event_registrations"]) == (0, 0)

    assert (second["sessions_held"], second["sessions_cancelled"]) == (2, 0)
    assert second["attendance"] == {"present": 25, "absent": 0, "excused": "1-10"}
    # 24 came: 12 back, 12 new (11 Spanish-speaking, one without a language). That one is
    # "1-10", and since 24 - 23 would give it away, more is hidden: never the small one alone.
    lang = second["participants_by_language"]
    assert lang["unknown"] == "1-10"
    visible = [second["unique_participants"], lang["es"]]
    assert None in visible or "1-10" in visible, second
    assert second["new_participants"] in (12, None) and second["returning_participants"] in (12, None)
    assert second["returned_from_last_rate"] == round(12 / 14, 3)  # 12 of the 14 of last month
    assert (second["facilitator_places_needed"], second["facilitator_places_filled"], second["coverage_rate"]) == (2, 1, 0.5)
    assert (second["volunteer_hours_approved"], second["volunteer_hours_pending"]) == (3.5, 4.0)
    assert second["volunteer_value"] == 70.0
    assert second["volunteers_active"] == "1-10"  # two served
    assert (second["shift_places"], second["shift_places_filled"], second["shift_fill_rate"]) == (3, 3, 1.0)
    assert second["no_show_rate"] == round(1 / 3, 3)
    assert (second["events_held"], second["events_cancelled"], second["event_registrations"]) == (1, 1, 12)

    referrals = body["referrals"]
    rows = {r["category"]: r for r in referrals["rows"]}
    assert rows["housing"]["by_outcome"]["requested"] == "1-10"
    housing = [*rows["housing"]["by_outcome"].values(), rows["housing"]["total"]]
    assert sum(1 for v in housing if v in (None, "1-10")) >= 2  # its row cannot give the 3 away
    assert rows["food"]["by_outcome"]["declined"] == 0  # zero stays zero
    assert "person_id" not in str(body) and "Person" not in str(body)  # aggregates only, no names


async def test_quarters_language_and_group(client, api, pool):
    s, m1, m2 = await build(client, api, pool)
    url = f"{API}/orgs/{s.org['id']}/reports"
    quarters = expect(await client.get(url, params={"period": "quarter", "from": label(m1), "to": label(m2)},
                                       headers=s.admin.headers), 200)
    assert quarters["period"] == "quarter" and all("-Q" in p["period"] for p in quarters["periods"])
    assert sum(p["sessions_held"] for p in quarters["periods"]) == 3
    month = {"from": label(m2), "to": label(m2)}
    whole = expect(await client.get(url, params=month, headers=s.admin.headers), 200)["periods"][0]
    spanish = expect(await client.get(url, params={**month, "language": "es"}, headers=s.admin.headers), 200)
    # One language's people are read from the whole table: 23 of 24 would give the other one away.
    assert spanish["language"] == "es" and spanish["periods"][0]["participants_by_language"] == {
        "es": whole["participants_by_language"]["es"]}
    assert spanish["periods"][0]["unique_participants"] == whole["participants_by_language"]["es"]
    assert spanish["periods"][0]["attendance"] == {"present": None, "absent": None, "excused": None}

    # A second group where 3 came: the organization's 28 minus the first group's 25 would say 3.
    other = expect(await client.post(f"{API}/orgs/{s.org['id']}/groups", headers=s.admin.headers, json={
        "name": "Small circle", "format": "peer_led", "visibility": "public", "join_policy": "open"}), 201)
    small = await session(pool, type("S", (), {"group": other, "org": s.org})(), m2)
    await attend(pool, small, await people(pool, 3, "es"))
    whole = expect(await client.get(url, params=month, headers=s.admin.headers), 200)["periods"][0]
    assert whole["attendance"]["present"] == 28
    by_group = expect(await client.get(url, params={**month, "group_id": s.group["id"]}, headers=s.admin.headers), 200)
    assert by_group["group_name"] == s.group["name"] and by_group["periods"][0]["volunteer_hours_approved"] is None
    assert by_group["periods"][0]["attendance"]["present"] is None  # 25 would give the small circle's 3 away
    assert by_group["periods"][0]["participants_by_language"]["es"] is None  # and so would its 23 Spanish speakers
    assert expect(await client.get(url, params={**month, "group_id": other["id"]}, headers=s.admin.headers),
                  200)["periods"][0]["attendance"]["present"] == "1-10"
    # The group's facilitator reads the same figures as the coordinators do.
    own = expect(await client.get(url, params=month, headers=s.facilitator.headers), 200)["periods"][0]
    assert own["attendance"] == by_group["periods"][0]["attendance"]


async def test_csv_is_what_the_page_shows(client, api, pool):
    s, m1, m2 = await build(client, api, pool)
    params = {"from": label(m1), "to": label(m2)}
    by_accept = await client.get(f"{API}/orgs/{s.org['id']}/reports", params=params,
                                 headers={**s.coordinator.headers, "Accept": "text/csv"})
    by_path = await client.get(f"{API}/orgs/{s.org['id']}/reports.csv", params=params, headers=s.coordinator.headers)
    for response in (by_accept, by_path):
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
    assert by_accept.text == by_path.text
    lines = list(csv.reader(io.StringIO(by_path.text)))
    assert lines[0][0] == "Report" and lines[1] == ["Periods", f"{label(m1)} to {label(m2)} (calendar months, America/New_York)"]
    assert lines[2] == ["Suppression", RULE]
    table = {(r[0], r[1]): r[2:] for r in lines if len(r) > 3}
    assert table[("Attendance", "Present")] == ["14", "25"]
    assert table[("Attendance", "Absent")] == ["1-10", "0"]
    assert table[("Volunteering", "Value of volunteer time")] == ["0.00", "121.77"]
    assert table[("People reached by language", "Language not given")][1] == "1-10"
    assert not any("Person" in cell for row in lines for cell in row)


async def test_who_may_read_it(client, api, pool):
    s, m1, m2 = await build(client, api, pool)
    url = f"{API}/orgs/{s.org['id']}/reports"
    params = {"from": label(m1), "to": label(m2)}
    own = expect(await client.get(url, params=params, headers=s.facilitator.headers), 200)
    assert own["scope"] == "own_groups" and own["periods"][0]["attendance"]["present"] == 14
    assert own["periods"][1]["volunteer_hours_approved"] is None and own["periods"][1]["events_held"] is None
    other_group = expect(await client.post(f"{API}/orgs/{s.org['id']}/groups", headers=s.admin.headers, json={
        "name": "Another", "format": "peer_led", "visibility": "public", "join_policy": "open"}), 201)
    assert_problem(await client.get(url, params={**params, "group_id": other_group["id"]},
                                    headers=s.facilitator.headers), 403)
    assert_problem(await client.get(url, params=params, headers=s.participant.headers), 403)
    volunteer = await api.user("vol")
    await api.member(s.org, s.admin, volunteer, "volunteer")
    assert_problem(await client.get(url, params=params, headers=volunteer.headers), 403)
    stranger = await api.user()
    assert_problem(await client.get(url, params=params, headers=stranger.headers), 404)


async def test_refused_periods_are_problems(client, api, pool):
    admin = await api.user()
    org = await api.org(admin)
    url = f"{API}/orgs/{org['id']}/reports"
    for params, status, field in [({"period": "week"}, 400, None), ({"from": "2026-13"}, 422, "from"),
                                  ({"to": "2026/01"}, 422, "to"), ({"to": "0000-01"}, 422, "to"), ({"from": "2026-05", "to": "2026-01"}, 422, "from"),
                                  ({"from": "2020-01", "to": "2026-01"}, 422, "from"),
                                  ({"language": "Spanish!"}, 422, "language"), ({"event_kind": "party"}, 422, "event_kind")]:
        body = assert_problem(await client.get(url, params=params, headers=admin.headers), status)
        if field:
            assert body["errors"][0]["field"] == field
    empty = expect(await client.get(url, headers=admin.headers), 200)
    assert len(empty["periods"]) == 12 and all(p["unique_participants"] == 0 for p in empty["periods"])
