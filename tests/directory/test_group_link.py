"""A directory service may be one of the organization's coord groups (issue 17.1): a
coordinator links it, the link reads back, another organization's group is refused."""

from __future__ import annotations

from tests.support import API, assert_problem, expect
from tests.support.directory_imports import imports_url, zipped
from tests.support.world import make_group


async def test_a_coordinator_links_a_service_to_one_of_the_organizations_groups(client, api, pool):
    admin, other_admin = await api.user("admin"), await api.user("other")
    org, other = await api.org(admin), await api.org(other_admin, slug="other-org")
    group = await make_group(client, org, admin)
    foreign = await make_group(client, other, other_admin)
    expect(await client.post(imports_url(org, "county"), content=zipped(), headers=admin.headers), 202)
    service_id = await pool.fetchval("SELECT id FROM directory_services WHERE external_id = 'svc-food'")
    url = f"{API}/orgs/{org['id']}/directory/services/{service_id}"

    linked = expect(await client.patch(url, json={"group_id": group["id"]}, headers=admin.headers), 200)
    assert linked["group_id"] == group["id"]
    assert expect(await client.get(f"{API}/directory/services/{service_id}"), 200)["group_id"] == group["id"]
    # A re-import of the source keeps the link (coord's own, not the file's).
    expect(await client.post(imports_url(org, "county"), content=zipped(), headers=admin.headers), 202)
    assert str(await pool.fetchval("SELECT group_id FROM directory_services WHERE id = $1", service_id)) == group["id"]
    # Another organization's group is not one of ours (the admin of this org cannot even see it).
    assert_problem(await client.patch(url, json={"group_id": foreign["id"]}, headers=admin.headers), 404)
    assert expect(await client.patch(url, json={"group_id": None}, headers=admin.headers), 200)["group_id"] is None
