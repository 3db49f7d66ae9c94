"""The resource directory on the coordination page (issue 17.2): a coordinator uploads an HSDS
file and reads its report; a wrong file is rejected whole with each record's problem; a check
only writes nothing; a volunteer is refused. Real HTTP through the app."""

from __future__ import annotations

import json
from pathlib import Path

from tests.pages import Visitor, text_of
from tests.support.invitation_pages import coordinator_browser, staff

FIXTURES = Path(__file__).parents[1] / "directory" / "fixtures"


def upload(browser: Visitor, org: dict, coordination: str, content: bytes, name: str = "directory.json", **fields: str):
    return browser.post(f"/orgs/{org['slug']}/directory/imports", fields, form_page=coordination,
                        files={"file": (name, content, "application/json")})


async def test_a_coordinator_uploads_a_directory_file_and_reads_its_report(client, api, pool):
    org, _admin, browser, coordination = await coordinator_browser(client, api)
    page = await browser.get(coordination)
    assert 'href="#directory"' in page.text and 'id="directory"' in page.text
    content = (FIXTURES / "service_full.json").read_bytes()

    checked = await upload(browser, org, coordination, content, source="county-211", dry_run="yes")
    assert checked.status_code == 200
    assert "Checked only, nothing was saved: the file's 1 record is right" in text_of(checked.text)
    assert await pool.fetchval("SELECT count(*) FROM directory_services WHERE org_id IS NOT NULL") == 0

    done = await upload(browser, org, coordination, content, source="county-211")
    assert done.status_code == 200
    text = text_of(done.text)
    assert "The file was imported from county-211:" in text and "0 unchanged, 0 marked inactive" in text
    assert await pool.fetchval("SELECT name FROM directory_services WHERE source = 'county-211'") == "Community Counselling"
    again = text_of((await upload(browser, org, coordination, content, source="county-211")).text)
    assert "0 imported (new or changed)" in again and "0 marked inactive" in again and " 0 unchanged" not in again

    unnamed = await upload(browser, org, coordination, content, source=" ")
    assert unnamed.status_code == 422 and "name the source of the file" in text_of(unnamed.text)


async def test_a_wrong_directory_file_is_rejected_with_each_records_problem(client, api, pool):
    org, _admin, browser, coordination = await coordinator_browser(client, api)
    records = [
        {"id": "s1", "name": "Good service", "organization": {"id": "o1", "name": "Good org"}},
        {"id": "s2", "name": 42, "organization": {"id": "o1", "name": "Good org"}},
    ]
    rejected = await upload(browser, org, coordination, json.dumps(records).encode(), source="bad")
    assert rejected.status_code == 422
    text = text_of(rejected.text)
    assert "The file was not imported: 1 problem was found, so nothing was saved" in text
    assert "record 2" in text and "name should be text, not a whole number" in text
    assert await pool.fetchval("SELECT count(*) FROM directory_services WHERE org_id IS NOT NULL") == 0


async def test_a_volunteer_cannot_upload_a_directory_file(client, api, pool):
    org, _admin, volunteer = await staff(api, "volunteer")
    browser = Visitor(client)
    await browser.login(volunteer)
    refused = await browser.post(f"/orgs/{org['slug']}/directory/imports", {"source": "county-211"},
                                 form_page="/login", files={"file": ("d.json", (FIXTURES / "service_full.json").read_bytes(),
                                                                       "application/json")})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    assert await pool.fetchval("SELECT count(*) FROM directory_imports") == 0
