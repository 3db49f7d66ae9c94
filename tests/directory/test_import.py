"""Importing HSDS 3.0 into the directory (issue 17.2): the official JSON examples, our own CSV
package as a folder (the CLI) and a zip (the API), a bad file rejected whole with a report
per record, re-imports that rewrite nothing unchanged and mark what is gone inactive."""

from __future__ import annotations

import json

from coord.directory.cli import import_command
from tests.support import API, assert_problem, concurrently, expect
from tests.support.directory_imports import FIXTURES, PACKAGE, TABLES, directory_rows, imports_url, zipped


async def staff_org(api):
    admin = await api.user("admin")
    return admin, await api.org(admin)


async def test_the_official_hsds_json_examples_import(client, api, pool):
    admin, org = await staff_org(api)
    for name in ("service_full", "service_list", "organization_full", "organization_list"):
        out = expect(await client.post(imports_url(org, name), content=(FIXTURES / f"{name}.json").read_bytes(),
                                       headers=admin.headers), 202)
        assert out["status"] == "applied" and out["problems"] == [], (name, out["problems"])
        assert out["format"] == "json" and out["records"] == 1
    full = await pool.fetchrow("SELECT * FROM directory_services WHERE source = 'service_full'")
    assert full["name"] == "Community Counselling" and full["minimum_age"] == 12 and str(full["last_verified"]) == "2005-01-01"
    assert full["data"]["interpretation_services"].startswith("Interpretation services")
    # Everything the service nests, once each, linked to its owners.
    counts = {t: await pool.fetchval(f"SELECT count(*) FROM directory_{t} WHERE source = 'service_full'") for t in TABLES}
    assert all(counts[t] == 1 for t in TABLES), counts
    phone = await pool.fetchrow("SELECT * FROM directory_phones WHERE source = 'service_full'")
    assert phone["service_id"] == full["id"] and phone["location_id"] is not None and phone["extension"] == "100"
    # The examples' placeholder coordinates (100, 101) are not on Earth: kept without them, with a warning.
    location = await pool.fetchrow("SELECT * FROM directory_locations WHERE source = 'service_full'")
    assert location["latitude"] is None and location["name"] == "MyCity Civic Center"
    assert await pool.fetchval("SELECT count(*) FROM directory_services WHERE source = 'organization_full'") == 1
    assert await pool.fetchval("SELECT name FROM directory_organizations WHERE source = 'organization_list'") \
        == "Example Organization Inc."
    # Open Eligibility is the default taxonomy, with its attribution.
    taxonomy = await pool.fetchrow("SELECT * FROM directory_taxonomies WHERE org_id IS NULL")
    assert taxonomy["name"] == "Open Eligibility" and "Aunt Bertha" in taxonomy["attribution"]
    assert await pool.fetchval("SELECT name FROM directory_taxonomy_terms WHERE org_id IS NULL AND code = '1310'") \
        == "Peer Support"
    # The service reads back through the API, with its phone and language.
    seen = expect(await client.get(f"{API}/directory/services/{full['id']}"), 200)
    assert seen["organization_name"] == "Example Organization Inc."
    assert [p["number"] for p in seen["phones"]] == ['"+44 1234 234567"']
    assert seen["languages"] == [{"code": "ur", "name": "Urdu"}]
    assert [loc["address_1"] for loc in seen["locations"]] == ["1-30 Main Street"]


async def test_our_csv_package_imports_as_a_folder_and_as_a_zip(client, api, pool, settings):
    admin, org = await staff_org(api)
    assert await import_command(settings, PACKAGE, org["slug"], "folder", dry_run=False, full=True) == 0
    folder = await directory_rows(pool)
    assert (folder["services"], folder["locations"], folder["addresses"], folder["attributes"]) == (3, 2, 2, 2)
    out = expect(await client.post(imports_url(org, "zip"), content=zipped(), headers=admin.headers), 202)
    assert (out["status"], out["format"], out["written"]["inserted"]) == ("applied", "csv", sum(folder.values()))
    food = await pool.fetchrow("SELECT * FROM directory_services WHERE source = 'zip' AND external_id = 'svc-food'")
    assert food["status"] == "active" and str(food["last_verified"]) == "2026-10-01"
    schedule = await pool.fetchrow("SELECT * FROM directory_schedules WHERE service_id = $1", food["id"])
    assert (schedule["freq"], schedule["byday"], str(schedule["opens_at"])) == ("WEEKLY", "MO,WE", "09:00:00")
    # The attribute whose term's code is `confidential` made the shelter confidential on import.
    confidential = await pool.fetch("SELECT external_id FROM directory_locations WHERE confidential AND source = 'zip'")
    assert [r["external_id"] for r in confidential] == ["loc-safe"]
    report = expect(await client.get(f"{API}/orgs/{org['id']}/directory/imports/{out['id']}", headers=admin.headers), 200)
    assert report["status"] == "applied" and report["counts"]["services"] == 3


async def test_a_bad_file_is_rejected_whole_with_a_report_per_record(client, api, pool):
    admin, org = await staff_org(api)
    services = (PACKAGE / "services.csv").read_text().replace("svc-housing,org-1,,Housing Help Desk",
                                                              "svc-housing,org-9,,Housing Help Desk")
    services = services.replace(",Adults,18,", ",Adults,eighteen,")
    records = [
        {"id": "s1", "name": "Good service", "organization": {"id": "o1", "name": "Good org"}},
        {"id": "s2", "name": 42, "organization": {"id": "o1", "name": "Good org"}},
        {"id": "s3", "name": "No phone number", "organization_id": "o1", "phones": [{"id": "p1"}]},
        {"id": "s4", "name": "Closed?", "status": "shut", "organization": {"id": "o1", "name": "Good org"}},
    ]
    out = expect(await client.post(imports_url(org, "bad"), content=json.dumps(records).encode(),
                                   headers=admin.headers), 202)
    assert out["status"] == "rejected" and out["written"]["inserted"] == 0
    problems = {(p["record"].split(" (")[0], p.get("field")): p["message"] for p in out["problems"]}
    assert problems == {
        ("record 2", "name"): "should be text, not a whole number",
        ("record 3", "phones[0].number"): "is required but missing",
        ("record 4", "status"): "status must be one of: active, inactive, defunct, temporarily closed",
    }
    out = expect(await client.post(imports_url(org, "bad"), content=zipped(replace={"services.csv": services}),
                                   headers=admin.headers), 202)
    assert out["status"] == "rejected"
    where = {p["record"]: (p["field"], p["message"]) for p in out["problems"]}
    assert where["services.csv line 3"] == ("minimum_age", "should be a number, not text")
    # Nothing of either file was written; their reports were kept.
    assert all(n == 0 for n in (await directory_rows(pool)).values())
    assert await pool.fetchval("SELECT count(*) FROM directory_imports WHERE status = 'rejected'") == 2
    kept = expect(await client.get(f"{API}/orgs/{org['id']}/directory/imports/{out['id']}", headers=admin.headers), 200)
    assert (kept["status"], kept["problems"]) == ("rejected", out["problems"])
    # A dry run of a good file says what it holds and writes none of it.
    dry = expect(await client.post(imports_url(org, "bad", dry_run="true"), content=zipped(), headers=admin.headers),
                 202)
    assert (dry["status"], dry["counts"]["services"], dry["written"]["inserted"]) == ("dry_run", 3, 0)
    assert all(n == 0 for n in (await directory_rows(pool)).values())
    # A reference to an entry that exists nowhere is said in words.
    out = expect(await client.post(imports_url(org, "bad"), content=zipped(replace={
        "services.csv": services.replace("eighteen", "18")}), headers=admin.headers), 202)
    [problem] = out["problems"]
    assert problem["record"] == "services.csv line 3" and problem["field"] == "organization_id"
    assert "organization 'org-9'" in problem["message"] and "neither in the file nor in the directory" in problem["message"]
    # A file that is not HSDS at all is one problem.
    assert_problem(await client.post(imports_url(org, "bad"), content=b"{not json", headers=admin.headers), 422)
    assert_problem(await client.post(imports_url(org, "bad"), content=b"PK\x03\x04broken", headers=admin.headers), 422)
    assert_problem(await client.post(f"{API}/orgs/{org['id']}/directory/imports", content=zipped(),
                                     headers=admin.headers), 422)  # no source named


async def test_a_re_import_rewrites_nothing_unchanged_and_marks_what_is_gone_inactive(client, api, pool):
    admin, org = await staff_org(api)
    first = expect(await client.post(imports_url(org, "county"), content=zipped(), headers=admin.headers), 202)
    total = first["written"]["inserted"]
    stamps = {r["id"]: r["updated_at"] for r in await pool.fetch("SELECT id, updated_at FROM directory_services")}
    again = expect(await client.post(imports_url(org, "county"), content=zipped(), headers=admin.headers), 202)
    assert again["written"] == {"inserted": 0, "updated": 0, "unchanged": total, "deactivated": 0}
    assert {r["id"]: r["updated_at"] for r in await pool.fetch("SELECT id, updated_at FROM directory_services")} == stamps

    # The housing desk is gone from the source's file, the pantry's description changed.
    lines = (PACKAGE / "services.csv").read_text().splitlines(keepends=True)
    services = "".join(line for line in lines if not line.startswith("svc-housing"))
    services = services.replace("Free groceries every week", "Free groceries twice a week")
    sal = "".join(line for line in (PACKAGE / "service_at_location.csv").read_text().splitlines(keepends=True)
                  if not line.startswith("sal-housing"))
    changed = expect(await client.post(imports_url(org, "county"), content=zipped(replace={
        "services.csv": services, "service_at_location.csv": sal}), headers=admin.headers), 202)
    assert (changed["written"]["updated"], changed["written"]["deactivated"]) == (1, 2)
    state = {r["external_id"]: (r["active"], r["updated_at"] != stamps[r["id"]])
             for r in await pool.fetch("SELECT * FROM directory_services")}
    assert state == {"svc-food": (True, True), "svc-housing": (False, True), "svc-shelter": (True, False)}
    housing = await pool.fetchval("SELECT id FROM directory_services WHERE external_id = 'svc-housing'")
    assert_problem(await client.get(f"{API}/directory/services/{housing}"), 404)
    # A partial file leaves the rest of the source alone; the full file brings the desk back.
    partial = expect(await client.post(imports_url(org, "county", partial="true"), content=zipped(replace={
        "services.csv": services, "service_at_location.csv": sal}), headers=admin.headers), 202)
    assert partial["written"]["deactivated"] == 0
    back = expect(await client.post(imports_url(org, "county"), content=zipped(), headers=admin.headers), 202)
    assert back["written"]["updated"] == 3  # the desk and its place reactivated, the pantry's words restored
    assert await pool.fetchval("SELECT active FROM directory_services WHERE id = $1", housing) is True


async def test_the_official_csv_example_is_rejected_for_its_broken_references(api, pool, settings, capsys):
    """The HSDS CSV example fails its own foreign-key checks: the report says where, nothing is written."""
    admin, org = await staff_org(api)
    code = await import_command(settings, FIXTURES / "hsds_csv_example", org["slug"], "example", dry_run=False,
                                full=True)
    printed = capsys.readouterr().out
    assert code == 1 and printed.startswith("rejected: ")
    assert "problem: locations.csv line 2 (id 3a19ff88-4620-4d17-9830-ac1d859eb5d5): organization_id: it names the " \
           "organization '985e4a42-bd9f-4edc-911d-0243a4640aca', which is neither in the file nor in the directory" \
           in printed
    assert "problem: taxonomy_terms.csv line 2" in printed and "nothing was written" in printed
    assert all(n == 0 for n in (await directory_rows(pool)).values())


async def test_two_uploads_of_one_source_at_once_write_it_once(client, api, pool):
    admin, org = await staff_org(api)
    body = zipped()
    responses = concurrently(client, [("POST", imports_url(org, "county"), admin.headers, {"content": body})] * 2)
    outs = sorted((expect(r, 202)["written"] for r in responses), key=lambda w: w["inserted"])
    assert [(w["inserted"], w["unchanged"]) for w in outs] == [(0, 24), (24, 0)]
    assert (await directory_rows(pool))["services"] == 3
