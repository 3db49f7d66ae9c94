"""Support groups: creation, visibility, joining, approval, rosters, leaving."""

from __future__ import annotations

from tests.support import assert_problem, expect
from tests.support.world import GROUP, events_of, make_group


async def test_staff_create_groups_with_defaults_and_an_event(client, api, pool):
    admin, participant = await api.user(), await api.user()
    org = await api.org(admin, timezone="Europe/London")
    await api.member(org, admin, participant, "participant")
    group = await make_group(client, org, admin, languages=["en", "es"], capacity=12, topic="grief")
    assert group["timezone"] == "Europe/London" and group["facilitators_required"] == 1
    assert group["languages"] == ["en", "es"] and group["capacity"] == 12 and group["org_id"] == org["id"]
    assert await events_of(pool, "group.created") == [{"kind": "group.created", "group_id": group["id"]}]
    # Participants may not create groups.
    url = f"/api/v1/orgs/{org['id']}/groups"
    assert_problem(await client.post(url, json=GROUP, headers=participant.headers), 403)


async def test_group_input_is_validated(client, api):
    admin, other_admin = await api.user(), await api.user()
    org, other_org = await api.org(admin), await api.org(other_admin)
    url = f"/api/v1/orgs/{org['id']}/groups"
    for bad, field in [
        ({**GROUP, "format": "lecture"}, "format"),
        ({**GROUP, "capacity": -1}, "capacity"),
        ({**GROUP, "capacity": 0}, "capacity"),
        ({**GROUP, "colour": "blue"}, "colour"),
        ({k: v for k, v in GROUP.items() if k != "name"}, "name"),
    ]:
        problem = assert_problem(await client.post(url, json=bad, headers=admin.headers), 400)
        assert any(field in (e["field"] + e["message"]) for e in problem["errors"]), problem
    problem = assert_problem(await client.post(url, json={**GROUP, "timezone": "Mars/Olympus"}, headers=admin.headers), 422)
    assert problem["errors"][0]["field"] == "timezone"
    # Another organization's venue is not found; another organization's org id is 404 too.
    venue = expect(
        await client.post(
            f"/api/v1/orgs/{other_org['id']}/venues",
            json={"name": "Hall", "kind": "in_person", "address": "1 Main St"},
            headers=other_admin.headers,
        ),
        201,
    )
    assert_problem(await client.post(url, json={**GROUP, "venue_id": venue["id"]}, headers=admin.headers), 404)
    assert_problem(await client.post(f"/api/v1/orgs/{other_org['id']}/groups", json=GROUP, headers=admin.headers), 404)
    assert expect(await client.get(url, headers=admin.headers), 200)["items"] == []


async def test_visibility_decides_who_sees_a_group(client, api):
    admin, participant, outsider = await api.user(), await api.user(), await api.user()
    org = await api.org(admin)
    await api.org(outsider)
    await api.member(org, admin, participant, "participant")
    public = await make_group(client, org, admin, name="A public")
    unlisted = await make_group(client, org, admin, name="B unlisted", visibility="unlisted")
    private = await make_group(client, org, admin, name="C private", visibility="private")
    mine = await make_group(client, org, admin, name="D private with me", visibility="private")
    expect(await client.post(f"/api/v1/groups/{mine['id']}/members",
                             json={"user_id": participant.id, "role": "participant"}, headers=admin.headers), 201)
    url = f"/api/v1/orgs/{org['id']}/groups"
    names = [g["name"] for g in expect(await client.get(url, headers=participant.headers), 200)["items"]]
    assert names == ["A public", "D private with me"]
    staff_names = [g["name"] for g in expect(await client.get(url, headers=admin.headers), 200)["items"]]
    assert staff_names == ["A public", "B unlisted", "C private", "D private with me"]
    # Unlisted is reachable by link; private is 404 to non-members; other orgs see nothing.
    assert expect(await client.get(f"/api/v1/groups/{unlisted['id']}", headers=participant.headers), 200)["my_role"] is None
    assert_problem(await client.get(f"/api/v1/groups/{private['id']}", headers=participant.headers), 404)
    assert expect(await client.get(f"/api/v1/groups/{mine['id']}", headers=participant.headers), 200)["my_status"] == "active"
    assert_problem(await client.get(f"/api/v1/groups/{public['id']}", headers=outsider.headers), 404)
    assert_problem(await client.get(url, headers=outsider.headers), 404)


async def test_group_listing_pages_with_a_cursor(client, api):
    admin = await api.user()
    org = await api.org(admin)
    for n in range(5):
        await make_group(client, org, admin, name=f"Group {n}")
    url = f"/api/v1/orgs/{org['id']}/groups"
    first = expect(await client.get(url, params={"limit": 2}, headers=admin.headers), 200)
    second = expect(await client.get(url, params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin.headers), 200)
    third = expect(await client.get(url, params={"limit": 2, "cursor": second["next_cursor"]}, headers=admin.headers), 200)
    names = [g["name"] for page in (first, second, third) for g in page["items"]]
    assert names == [f"Group {n}" for n in range(5)] and third["next_cursor"] is None
    assert_problem(await client.get(url, params={"cursor": "WzFd"}, headers=admin.headers), 400)  # "[1]"


async def test_join_follows_the_join_policy(client, api, pool):
    admin, person = await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, person, "participant")
    open_group = await make_group(client, org, admin)
    approval = await make_group(client, org, admin, join_policy="approval")
    private = await make_group(client, org, admin, visibility="private")
    joined = expect(await client.post(f"/api/v1/groups/{open_group['id']}/join", headers=person.headers), 201)
    assert joined["status"] == "active" and joined["role"] == "participant"
    again = expect(await client.post(f"/api/v1/groups/{open_group['id']}/join", headers=person.headers), 200)
    assert again["status"] == "active"
    asked = expect(await client.post(f"/api/v1/groups/{approval['id']}/join", headers=person.headers), 201)
    assert asked["status"] == "pending"
    assert_problem(await client.post(f"/api/v1/groups/{private['id']}/join", headers=person.headers), 404)
    assert [e["group_id"] for e in await events_of(pool, "group.member_joined")] == [open_group["id"]]
    assert [e["group_id"] for e in await events_of(pool, "group.member_requested")] == [approval["id"]]
    # Events carry ids only.
    assert set((await events_of(pool, "group.member_requested"))[0]) == {"kind", "group_id", "user_id"}


async def test_approval_and_rosters_are_for_staff_and_facilitators(client, api, pool):
    admin, facilitator, person, other = await api.user(), await api.user(), await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, facilitator, "facilitator")
    await api.member(org, admin, person, "participant")
    await api.member(org, admin, other, "participant")
    group = await make_group(client, org, admin, join_policy="approval")
    base = f"/api/v1/groups/{group['id']}"
    expect(await client.post(f"{base}/members", json={"user_id": facilitator.id, "role": "facilitator"}, headers=admin.headers), 201)
    expect(await client.post(f"{base}/join", headers=person.headers), 201)
    # A pending member cannot read the roster or approve anyone.
    assert_problem(await client.get(f"{base}/members", headers=person.headers), 403)
    assert_problem(await client.post(f"{base}/members/{person.id}/approve", headers=person.headers), 403)
    pending = expect(await client.get(f"{base}/members", params={"status": "pending"}, headers=facilitator.headers), 200)
    assert [m["user_id"] for m in pending["items"]] == [person.id]
    approved = expect(await client.post(f"{base}/members/{person.id}/approve", headers=facilitator.headers), 200)
    assert approved["status"] == "active"
    assert_problem(await client.post(f"{base}/members/{other.id}/approve", headers=facilitator.headers), 404)
    roster = expect(await client.get(f"{base}/members", headers=admin.headers), 200)
    assert sorted((m["user_id"], m["role"], m["status"]) for m in roster["items"]) == sorted(
        [(facilitator.id, "facilitator", "active"), (person.id, "participant", "active")]
    )
    async with pool.acquire() as conn:
        reads = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'group.roster_read'")
    assert reads == 2


async def test_staff_add_members_only_from_the_organization(client, api):
    admin, coordinator, participant, stranger = await api.user(), await api.user(), await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, coordinator, "coordinator")
    await api.member(org, admin, participant, "participant")
    group = await make_group(client, org, admin)
    url = f"/api/v1/groups/{group['id']}/members"
    problem = assert_problem(await client.post(url, json={"user_id": stranger.id, "role": "participant"}, headers=coordinator.headers), 422)
    assert problem["errors"][0]["field"] == "user_id"
    # A participant of the organization cannot be made a facilitator of a group.
    problem = assert_problem(await client.post(url, json={"user_id": participant.id, "role": "facilitator"}, headers=admin.headers), 422)
    assert problem["errors"][0]["field"] == "role"
    assert_problem(await client.post(url, json={"user_id": participant.id, "role": "participant"}, headers=participant.headers), 403)
    assert_problem(await client.post(url, json={"user_id": participant.id, "role": "owner"}, headers=admin.headers), 400)
    expect(await client.post(url, json={"user_id": participant.id, "role": "participant"}, headers=coordinator.headers), 201)
    expect(await client.post(url, json={"user_id": participant.id, "role": "participant"}, headers=coordinator.headers), 200)


async def test_leaving_and_removing(client, api, pool):
    admin, facilitator, co_facilitator = await api.user(), await api.user(), await api.user()
    a, b = await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, facilitator, "facilitator")
    await api.member(org, admin, co_facilitator, "facilitator")
    for person in (a, b):
        await api.member(org, admin, person, "participant")
    group = await make_group(client, org, admin)
    base = f"/api/v1/groups/{group['id']}"
    for person in (facilitator, co_facilitator):
        body = {"user_id": person.id, "role": "facilitator"}
        expect(await client.post(f"{base}/members", json=body, headers=admin.headers), 201)
    for person in (a, b):
        expect(await client.post(f"{base}/join", headers=person.headers), 201)
    # A participant cannot remove another one, nor a facilitator a facilitator.
    assert_problem(await client.delete(f"{base}/members/{b.id}", headers=a.headers), 403)
    assert_problem(await client.delete(f"{base}/members/{co_facilitator.id}", headers=facilitator.headers), 403)
    expect(await client.delete(f"{base}/members/{a.id}", headers=a.headers), 204)
    expect(await client.delete(f"{base}/members/{b.id}", headers=facilitator.headers), 204)
    assert_problem(await client.delete(f"{base}/members/{b.id}", headers=admin.headers), 404)
    assert sorted(e["user_id"] for e in await events_of(pool, "group.member_left")) == sorted([a.id, b.id])
    roster = expect(await client.get(f"{base}/members", headers=admin.headers), 200)
    assert sorted(m["user_id"] for m in roster["items"]) == sorted([facilitator.id, co_facilitator.id])
