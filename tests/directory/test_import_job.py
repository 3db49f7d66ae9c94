"""A directory import as a job (issue 17.2): a large upload (or any, with `background`) is
stored and queued, a real arq worker applies it whole with its progress, the list of imports
shows it; a re-run of the job writes nothing twice; a file that is not HSDS is rejected by the
worker with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from coord.directory.queued import INLINE_MAX_BYTES
from tests.support import API, expect, run_jobs
from workers.registry import registry

FIXTURES = Path(__file__).parent / "fixtures"


def url(org: dict, source: str, query: str = "") -> str:
    return f"{API}/orgs/{org['id']}/directory/imports?source={source}{query}"


def many_services(count: int) -> bytes:
    """An organization with `count` services, each with a phone, a language and a schedule."""
    services = [{"id": f"s{i}", "name": f"Service number {i}", "status": "active",
                 "description": "Help with housing, food and work " * 3,
                 "phones": [{"id": f"p{i}", "number": f"555-01{i:05d}"}],
                 "languages": [{"id": f"l{i}", "name": "Spanish", "code": "es"}],
                 "schedules": [{"id": f"h{i}", "freq": "WEEKLY", "byday": "MO,TU", "opens_at": "09:00:00",
                                "closes_at": "17:00:00"}]}
                for i in range(count)]
    return json.dumps({"id": "big-org", "name": "Big directory", "website": "https://example.org",
                       "services": services}).encode()


async def test_the_official_examples_import_as_a_job_with_progress(client, api, pool, redis, settings):
    admin = await api.user("admin")
    org = await api.org(admin)
    ids = []
    for name in ("service_full", "service_list", "organization_full", "organization_list"):
        out = expect(await client.post(url(org, name, "&background=true"), content=(FIXTURES / f"{name}.json").read_bytes(),
                                       headers=admin.headers), 202)
        assert out["status"] == "queued" and out["progress"] == {"done": 0, "total": 0}
        ids.append(out["id"])
    assert await pool.fetchval("SELECT count(*) FROM directory_import_files") == 4
    assert await pool.fetchval("SELECT count(*) FROM directory_services WHERE org_id IS NOT NULL") == 0
    listed = expect(await client.get(f"{API}/orgs/{org['id']}/directory/imports", headers=admin.headers), 200)
    assert {i["id"] for i in listed} == set(ids) and {i["status"] for i in listed} == {"queued"}

    assert await run_jobs(settings, pool, redis) >= 4
    for import_id in ids:
        done = expect(await client.get(f"{API}/orgs/{org['id']}/directory/imports/{import_id}", headers=admin.headers), 200)
        assert done["status"] == "applied" and done["problems"] == [] and done["records"] == 1
        assert done["progress"]["done"] == done["progress"]["total"] > 0 and done["finished_at"]
    assert await pool.fetchval("SELECT name FROM directory_services WHERE source = 'service_full'") == "Community Counselling"
    assert await pool.fetchval("SELECT count(*) FROM directory_import_files") == 0  # the files go once done

    # The job run again (a retry after a lost worker) finds the import done and writes nothing.
    job = registry.function("apply_directory_import")
    outbox = await pool.fetchrow("SELECT event_id, payload FROM outbox WHERE kind = 'directory.import_queued' LIMIT 1")
    assert await job({"pool": pool}, str(outbox["event_id"]), outbox["payload"]) == "done already"


async def test_a_large_file_is_queued_and_applied_whole(client, api, pool, redis, settings):
    admin = await api.user("admin")
    org = await api.org(admin)
    content = many_services(3000)
    assert len(content) > INLINE_MAX_BYTES
    out = expect(await client.post(url(org, "big"), content=content, headers=admin.headers), 202)
    assert out["status"] == "queued"
    await run_jobs(settings, pool, redis)
    done = expect(await client.get(f"{API}/orgs/{org['id']}/directory/imports/{out['id']}", headers=admin.headers), 200)
    assert done["status"] == "applied", done["problems"][:3]
    assert done["records"] == 1 and done["counts"]["services"] == 3000
    assert done["progress"] == {"done": 12001, "total": 12001}
    assert await pool.fetchval("SELECT count(*) FROM directory_services WHERE source = 'big'") == 3000

    # Again: idempotent, nothing rewritten.
    again = expect(await client.post(url(org, "big"), content=content, headers=admin.headers), 202)
    await run_jobs(settings, pool, redis)
    done = expect(await client.get(f"{API}/orgs/{org['id']}/directory/imports/{again['id']}", headers=admin.headers), 200)
    assert done["written"] == {"inserted": 0, "updated": 0, "unchanged": 12001, "deactivated": 0}


async def test_a_queued_file_that_is_not_hsds_is_rejected_with_nothing_written(client, api, pool, redis, settings):
    admin = await api.user("admin")
    org = await api.org(admin)
    out = expect(await client.post(url(org, "junk", "&background=true"), content=b"{not json",
                                   headers=admin.headers), 202)
    await run_jobs(settings, pool, redis)
    done = expect(await client.get(f"{API}/orgs/{org['id']}/directory/imports/{out['id']}", headers=admin.headers), 200)
    assert done["status"] == "rejected" and "not valid JSON" in done["problems"][0]["message"]
    assert await pool.fetchval("SELECT count(*) FROM directory_services WHERE org_id IS NOT NULL") == 0


async def test_a_large_upload_on_the_coordination_page_is_queued_and_listed(client, api, pool, redis, settings):
    from tests.pages import Visitor, text_of

    admin = await api.user("admin")
    org = await api.org(admin)
    browser = Visitor(client)
    await browser.login(admin)
    coordination = f"/orgs/{org['slug']}/coordination"
    sent = await browser.post(f"/orgs/{org['slug']}/directory/imports", {"source": "big"}, form_page=coordination,
                              files={"file": ("big.json", many_services(3000), "application/json")})
    text = text_of(sent.text)
    assert sent.status_code == 200 and "it is being imported in the background" in text
    assert "big" in text and "waiting for its turn" in text
    await run_jobs(settings, pool, redis)
    text = text_of((await browser.get(coordination)).text)
    assert "imported" in text and "12001 of 12001 entries" in text
    assert await pool.fetchval("SELECT count(*) FROM directory_services WHERE source = 'big'") == 3000


async def test_an_import_the_worker_cannot_finish_is_failed_not_left_running(client, api, pool):
    from coord.directory.service import fail_queued

    admin = await api.user("admin")
    org = await api.org(admin)
    out = expect(await client.post(url(org, "flaky", "&background=true"), content=many_services(2),
                                   headers=admin.headers), 202)
    await fail_queued(pool, out["id"], "ConnectionDoesNotExistError: the server went away")
    done = expect(await client.get(f"{API}/orgs/{org['id']}/directory/imports/{out['id']}", headers=admin.headers), 200)
    assert done["status"] == "failed" and done["error"].startswith("ConnectionDoesNotExistError")
    assert await pool.fetchval("SELECT count(*) FROM directory_import_files") == 0
