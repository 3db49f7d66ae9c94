"""Organizations, members, venues: roles and per-object scoping."""

from __future__ import annotations

from uuid import uuid4

from tests.support import assert_problem, expect


async def test_creator_is_admin_and_sees_membership(client, api):
    admin = await api.user()
    org = await api.org(admin, slug="riverside")
    me = expect(await client.get("/api/v1/me", headers=admin.headers), 200)
    assert me["memberships"] == [{"org_id": org["id"], "org_slug": "riverside", "roles": ["admin"]}]


async def test_me_lists_every_membership_by_slug_with_its_own_roles(client, api):
    """GET /me reads the profile with its memberships in one statement, a row per membership:
    each organization once, in slug order whatever the order they were joined in."""
    person, other = await api.user(), await api.user()
    tag = uuid4().hex[:8]
    later = await api.org(person, slug=f"zz-{tag}")
    theirs = await api.org(other, slug=f"aa-{tag}")
    await api.member(theirs, other, person, "volunteer")
    middle = await api.org(person, slug=f"mm-{tag}")
    me = expect(await client.get("/api/v1/me", headers=person.headers), 200)
    assert me["memberships"] == [
        {"org_id": theirs["id"], "org_slug": f"aa-{tag}", "roles": ["volunteer"]},
        {"org_id": middle["id"], "org_slug": f"mm-{tag}", "roles": ["admin"]},
        {"org_id": later["id"], "org_slug": f"zz-{tag}", "roles": ["admin"]},
    ]
    assert (me["id"], me["email"]) == (person.id, person.email)


async def test_org_validation(client, api):
    admin = await api.user()
    await api.org(admin, slug="taken")
    body = {"name": "X", "slug": "taken", "timezone": "Europe/Berlin", "contact_email": "a@example.org"}
    assert_problem(await client.post("/api/v1/orgs", json=body, headers=admin.headers), 409)
    body["slug"] = "Not A Slug"
    assert assert_problem(await client.post("/api/v1/orgs", json=body, headers=admin.headers), 400)["errors"]
    body.update(slug="fine-slug", timezone="Europe/Nowhere")
    problem = assert_problem(await client.post("/api/v1/orgs", json=body, headers=admin.headers), 422)
    assert problem["errors"][0]["field"] == "timezone"


async def test_members_are_added_by_staff_only(client, api):
    admin = await api.user()
    org = await api.org(admin)
    coordinator, facilitator, newcomer = await api.user(), await api.user(), await api.user()
    await api.member(org, admin, coordinator, "coordinator")
    await api.member(org, coordinator, facilitator, "facilitator")
    url = f"/api/v1/orgs/{org['id']}/members"
    # A facilitator may not add people.
    assert_problem(await client.post(url, json={"email": newcomer.email, "roles": ["participant"]}, headers=facilitator.headers), 403)
    # A coordinator may not make admins.
    assert_problem(await client.post(url, json={"email": newcomer.email, "roles": ["admin"]}, headers=coordinator.headers), 403)
    # An address without an account is invited instead (tests/orgs/test_invitations.py).
    invited = expect(await client.post(url, json={"email": "ghost@example.org", "roles": ["participant"]},
                                       headers=admin.headers), 202)
    assert invited["status"] == "pending"
    # Unknown role.
    assert_problem(await client.post(url, json={"email": newcomer.email, "roles": ["owner"]}, headers=admin.headers), 400)
    # Adding roles to a member merges them and answers 200.
    again = await client.post(url, json={"email": facilitator.email, "roles": ["volunteer"]}, headers=admin.headers)
    assert expect(again, 200)["roles"] == ["facilitator", "volunteer"]
    members = expect(await client.get(url, headers=coordinator.headers), 200)
    assert len(members["items"]) == 3 and members["next_cursor"] is None


async def test_member_listing_pages_with_a_cursor(client, api):
    admin = await api.user()
    org = await api.org(admin)
    for _ in range(4):
        await api.member(org, admin, await api.user(), "participant")
    url = f"/api/v1/orgs/{org['id']}/members"
    first = expect(await client.get(url, params={"limit": 2}, headers=admin.headers), 200)
    second = expect(await client.get(url, params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin.headers), 200)
    third = expect(await client.get(url, params={"limit": 2, "cursor": second["next_cursor"]}, headers=admin.headers), 200)
    seen = [m["user_id"] for page in (first, second, third) for m in page["items"]]
    assert len(seen) == 5 == len(set(seen)) and third["next_cursor"] is None
    assert_problem(await client.get(url, params={"limit": 500}, headers=admin.headers), 400)
    assert_problem(await client.get(url, params={"cursor": "%%%"}, headers=admin.headers), 400)


async def test_another_organizations_objects_are_404(client, api):
    admin_a, admin_b = await api.user(), await api.user()
    org_a, org_b = await api.org(admin_a), await api.org(admin_b)
    outsider_target = await api.user()
    assert_problem(await client.get(f"/api/v1/orgs/{org_b['id']}", headers=admin_a.headers), 404)
    assert_problem(
        await client.post(
            f"/api/v1/orgs/{org_b['id']}/members",
            json={"email": outsider_target.email, "roles": ["participant"]},
            headers=admin_a.headers,
        ),
        404,
    )
    venue = {"name": "Hall", "kind": "in_person", "address": "1 Main St"}
    assert_problem(await client.post(f"/api/v1/orgs/{org_b['id']}/venues", json=venue, headers=admin_a.headers), 404)
    assert_problem(await client.get(f"/api/v1/orgs/{org_b['id']}/venues", headers=admin_a.headers), 404)
    expect(await client.get(f"/api/v1/orgs/{org_a['id']}", headers=admin_a.headers), 200)


async def test_venues(client, api):
    admin = await api.user()
    participant = await api.user()
    org = await api.org(admin)
    await api.member(org, admin, participant, "participant")
    url = f"/api/v1/orgs/{org['id']}/venues"
    hall = expect(
        await client.post(url, json={"name": "Hall", "kind": "in_person", "address": "1 Main St", "accessibility": "Ramp"}, headers=admin.headers),
        201,
    )
    assert hall["kind"] == "in_person" and hall["accessibility"] == "Ramp"
    assert assert_problem(await client.post(url, json={"name": "Hall", "kind": "in_person"}, headers=admin.headers), 422)["errors"][0]["field"] == "address"
    assert assert_problem(await client.post(url, json={"name": "Zoom", "kind": "virtual"}, headers=admin.headers), 422)["errors"][0]["field"] == "meeting_url"
    assert_problem(await client.post(url, json={"name": "Zoom", "kind": "virtual", "meeting_url": "javascript:alert(1)"}, headers=admin.headers), 400)
    assert_problem(await client.post(url, json={"name": "Hall", "kind": "in_person", "address": "x"}, headers=participant.headers), 403)
    # Addresses and links are for staff: a participant gets 403, not the list.
    assert_problem(await client.get(url, headers=participant.headers), 403)
    assert [v["name"] for v in expect(await client.get(url, headers=admin.headers), 200)["items"]] == ["Hall"]


async def test_editing_a_venue(client, api):
    admin, participant, other_admin = await api.user(), await api.user(), await api.user()
    org, other = await api.org(admin), await api.org(other_admin)
    await api.member(org, admin, participant, "participant")
    hall = await api.venue(org, admin, "Hall", address="1 Main St", accessibility="Ramp")
    url = f"/api/v1/orgs/{org['id']}/venues/{hall['id']}"
    moved = expect(await client.patch(url, json={"address": "2 Main St"}, headers=admin.headers), 200)
    assert (moved["name"], moved["address"], moved["accessibility"]) == ("Hall", "2 Main St", "Ramp")
    cleared = expect(await client.patch(url, json={"accessibility": None}, headers=admin.headers), 200)
    assert cleared["accessibility"] is None and cleared["address"] == "2 Main St"
    # Online now: it needs a link, and keeps no street address unless asked to.
    problem = assert_problem(await client.patch(url, json={"kind": "virtual"}, headers=admin.headers), 422)
    assert problem["errors"][0]["field"] == "meeting_url"
    online = expect(await client.patch(url, json={"kind": "virtual", "meeting_url": "https://meet.example.org/h",
                                                  "address": None}, headers=admin.headers), 200)
    assert (online["kind"], online["meeting_url"], online["address"]) == ("virtual", "https://meet.example.org/h", None)
    assert assert_problem(await client.patch(url, json={"name": "   "}, headers=admin.headers), 422)["errors"][0]["field"] == "name"
    assert_problem(await client.patch(url, json={"meeting_url": "javascript:alert(1)"}, headers=admin.headers), 400)
    assert_problem(await client.patch(url, json={"colour": "red"}, headers=admin.headers), 400)
    assert_problem(await client.patch(url, json={"name": "Mine"}, headers=participant.headers), 403)
    # Another organization's venue does not exist for you, under either organization's path.
    assert_problem(await client.patch(f"/api/v1/orgs/{other['id']}/venues/{hall['id']}", json={"name": "X"},
                                      headers=other_admin.headers), 404)
    assert_problem(await client.patch(f"/api/v1/orgs/{other['id']}/venues/{hall['id']}", json={"name": "X"},
                                      headers=admin.headers), 404)
    [venue] = expect(await client.get(f"/api/v1/orgs/{org['id']}/venues", headers=admin.headers), 200)["items"]
    assert venue == online  # the refused edits changed nothing


async def test_admins_change_settings_others_cannot(client, api):
    admin, coordinator = await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, coordinator, "coordinator")
    url = f"/api/v1/orgs/{org['id']}"
    assert org["cancellation_cutoff_hours"] == 24 and org["retention_months"] == 24
    assert "988" in org["crisis_resources"]
    changed = expect(
        await client.patch(url, json={"cancellation_cutoff_hours": 48, "crisis_resources": "Call 116 123"}, headers=admin.headers),
        200,
    )
    assert changed["cancellation_cutoff_hours"] == 48 and changed["crisis_resources"] == "Call 116 123"
    assert changed["timezone"] == org["timezone"], "fields left out keep their value"
    assert (org["roster_weekday"], org["roster_hour"]) == (1, 8)  # Monday 08:00 by default
    moved = expect(await client.patch(url, json={"roster_weekday": 5, "roster_hour": 17}, headers=admin.headers), 200)
    assert (moved["roster_weekday"], moved["roster_hour"]) == (5, 17)
    assert_problem(await client.patch(url, json={"roster_weekday": 8}, headers=admin.headers), 400)
    assert_problem(await client.patch(url, json={"retention_months": 0}, headers=admin.headers), 400)
    assert_problem(await client.patch(url, json={"timezone": "Nowhere/Land"}, headers=admin.headers), 422)
    assert_problem(await client.patch(url, json={"retention_months": 12}, headers=coordinator.headers), 403)


async def test_audit_log_is_admin_only_and_append_only(client, api, pool):
    import asyncpg
    import pytest

    admin, coordinator = await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, coordinator, "coordinator")
    await pool.execute(
        "INSERT INTO audit_log (org_id, actor_id, action, subject_type) VALUES ($1::uuid, $2::uuid, 'attendance.read', 'session')",
        org["id"],
        coordinator.id,
    )
    url = f"/api/v1/orgs/{org['id']}/audit"
    entries = expect(await client.get(url, headers=admin.headers), 200)["items"]
    # Newest first: the read, then the admin granting the coordinator's role.
    assert [(e["action"], e["actor_id"]) for e in entries] == [
        ("attendance.read", coordinator.id), ("org.roles_granted", admin.id),
    ]
    assert entries[1]["subject_id"] == coordinator.id and entries[1]["detail"] == {"roles": ["coordinator"]}
    assert_problem(await client.get(url, headers=coordinator.headers), 403)
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await pool.execute("UPDATE audit_log SET action = 'nothing'")
    with pytest.raises(asyncpg.RaiseError, match="append-only"):  # nor pinned on somebody else
        await pool.execute("UPDATE audit_log SET actor_id = $1::uuid", admin.id)
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await pool.execute("DELETE FROM audit_log")
    await pool.execute("UPDATE audit_log SET actor_id = NULL WHERE actor_id = $1::uuid", coordinator.id)  # erasure
    # A change of the settings that decide how long attendance is kept is on record too.
    expect(await client.patch(f"/api/v1/orgs/{org['id']}", json={"retention_months": 12}, headers=admin.headers), 200)
    [latest, *_] = expect(await client.get(url, headers=admin.headers), 200)["items"]
    assert (latest["action"], latest["detail"]) == ("org.settings_changed", {"fields": ["retention_months"], "retention_months": 12})


async def test_failed_deliveries_are_listed_for_staff(client, api, pool):
    admin, volunteer = await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, volunteer, "volunteer")
    await pool.execute(
        "INSERT INTO deliveries (key, user_id, org_id, kind, status, attempts, last_error)"
        " VALUES ('k1', $2::uuid, $1::uuid, 'welcome', 'failed', 5, '550 no such mailbox')",
        org["id"],
        volunteer.id,
    )
    url = f"/api/v1/orgs/{org['id']}/deliveries"
    [failed] = expect(await client.get(url, headers=admin.headers), 200)["items"]
    assert failed["status"] == "failed" and failed["last_error"] == "550 no such mailbox"
    assert_problem(await client.get(url, headers=volunteer.headers), 403)
    assert_problem(await client.get(url, params={"status": "lost"}, headers=admin.headers), 400)
    # A check-in after a missed session: the list does not say that they were absent.
    await pool.execute(
        "INSERT INTO deliveries (key, user_id, org_id, kind, status, attempts, last_error)"
        " VALUES ('k2', $2::uuid, $1::uuid, 'followup_absent', 'failed', 5, '550 no such mailbox')",
        org["id"], volunteer.id,
    )
    kinds = {d["kind"] for d in expect(await client.get(url, headers=admin.headers), 200)["items"]}
    assert kinds == {"welcome", "followup"}
