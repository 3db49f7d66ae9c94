"""Running a group from the pages (issue 15), through real HTTP: creating and changing a
group, archiving it after a confirmation, adding and removing its people, declining a
request (the person is mailed), and a private group's invitation link (opened signed out
and signed in, used to join the organization and ask to join, revoked)."""

from __future__ import annotations

from uuid import UUID

from tests.moments import NY, local_start
from tests.pages import Visitor, text_of
from tests.support import API, PASSWORD, expect, mail_text, run_jobs
from tests.support.world import make_group

GROUP_FORM = {"name": "Caregivers Circle", "description": "For people caring for someone.", "format": "peer_led",
              "visibility": "private", "join_policy": "approval", "capacity": "10", "facilitators_required": "2",
              "timezone": "America/Chicago", "languages": "en, es", "discreet_title": "Thursday group"}


class Org:
    """An organization with an admin, a coordinator, a facilitator and two participants, none in any group."""

    async def build(self, client, api) -> "Org":
        self.client = client
        self.admin = await api.user("Adaline", timezone=NY)
        self.coordinator = await api.user("Corabelle", timezone=NY)
        self.facilitator = await api.user("Farahbel", timezone=NY)
        self.quinn = await api.user("Quinnzel", timezone=NY)
        self.riley = await api.user("Rileyanne", timezone=NY)
        self.org = await api.org(self.admin, timezone="America/Chicago")
        await api.member(self.org, self.admin, self.coordinator, "coordinator")
        await api.member(self.org, self.admin, self.facilitator, "facilitator")
        for person in (self.quinn, self.riley):
            await api.member(self.org, self.admin, person, "participant")
        return self

    async def visitor(self, user) -> Visitor:
        browser = Visitor(self.client)
        await browser.login(user)
        return browser


async def members(pool, group_id: str) -> dict[str, tuple[str, str]]:
    rows = await pool.fetch("SELECT user_id::text, role, status FROM group_members WHERE group_id = $1", UUID(group_id))
    return {r["user_id"]: (r["role"], r["status"]) for r in rows}


async def test_a_coordinator_creates_and_changes_a_group_from_the_pages(client, api, pool):
    o = await Org().build(client, api)
    cora = await o.visitor(o.coordinator)
    slug = o.org["slug"]
    assert f'href="/orgs/{slug}/groups/new"' in (await cora.get(f"/orgs/{slug}/coordination")).text
    form = await cora.get(f"/orgs/{slug}/groups/new")
    assert form.status_code == 200 and "Who can see it" in form.text and 'value="America/Chicago" selected' in form.text
    # Refused: shown again with what was typed, in plain words.
    refused = await cora.post(f"/orgs/{slug}/groups", {**GROUP_FORM, "name": "", "capacity": "lots"},
                              form_page=f"/orgs/{slug}/groups/new")
    assert refused.status_code == 422
    said = text_of(refused.text)
    assert "Nothing was saved" in said and "Give the group a name." in said and "a whole number from 1 to 10,000" in said
    assert "For people caring for someone." in refused.text and "join_policy" not in said and "capacity:" not in said
    assert await pool.fetchval("SELECT count(*) FROM groups") == 0

    created = await cora.post(f"/orgs/{slug}/groups", GROUP_FORM, form_page=f"/orgs/{slug}/groups/new")
    assert created.status_code == 303
    row = await pool.fetchrow("SELECT * FROM groups")
    assert created.headers["location"] == f"/groups/{row['id']}?created=1"
    assert (row["name"], row["visibility"], row["join_policy"], row["capacity"], row["facilitators_required"],
            row["timezone"], list(row["languages"]), row["discreet_title"]) == (
        "Caregivers Circle", "private", "approval", 10, 2, "America/Chicago", ["en", "es"], "Thursday group")
    gid = str(row["id"])
    page = await cora.get(created.headers["location"])
    assert "The group was created." in text_of(page.text) and f'href="/groups/{gid}/edit"' in page.text

    # Every field in the edit form, as it is; an emptied optional field is cleared.
    edit = await cora.get(f"/groups/{gid}/edit")
    assert 'value="Caregivers Circle"' in edit.text and 'value="en, es"' in edit.text
    assert "it applies from then on" in edit.text
    changed = await cora.post(f"/groups/{gid}/edit", {**GROUP_FORM, "visibility": "public", "join_policy": "open",
                                                      "capacity": "", "discreet_title": ""})
    assert changed.status_code == 303 and changed.headers["location"] == f"/groups/{gid}?changed=1"
    row = await pool.fetchrow("SELECT visibility, join_policy, capacity, discreet_title FROM groups")
    assert tuple(row) == ("public", "open", None, None)
    assert "The group was changed." in text_of((await cora.get(changed.headers["location"])).text)
    # A facilitator of the group may not change it.
    expect(await client.post(f"{API}/groups/{gid}/members", json={"user_id": o.facilitator.id, "role": "facilitator"},
                             headers=o.admin.headers), 201)
    farah = await o.visitor(o.facilitator)
    assert (await farah.get(f"/groups/{gid}/edit")).status_code == 403
    assert f"/groups/{gid}/edit" not in (await farah.get(f"/groups/{gid}")).text


async def test_archiving_asks_first_then_cancels_what_is_ahead(client, api, pool):
    o = await Org().build(client, api)
    group = await make_group(client, o.org, o.admin, name="Evening Circle")
    gid = group["id"]
    expect(await client.post(f"{API}/groups/{gid}/join", headers=o.quinn.headers), 201)
    body = {"start": local_start(1).isoformat(), "timezone": NY, "duration_minutes": 90, "rrule": "FREQ=WEEKLY;COUNT=3"}
    expect(await client.post(f"{API}/groups/{gid}/series", json=body, headers=o.admin.headers), 201)
    cora = await o.visitor(o.coordinator)
    confirm = text_of((await cora.get(f"/groups/{gid}/archive")).text)
    assert "Its 3 sessions still to come are cancelled" in confirm and "Its 1 member gets one calm message" in confirm
    assert "Nothing has changed yet." in confirm
    # Not from the confirmation page: nothing happens, and it says so.
    unconfirmed = await cora.post(f"/groups/{gid}/archive", {}, form_page=f"/groups/{gid}/archive")
    assert unconfirmed.status_code == 422 and "Read what will happen" in text_of(unconfirmed.text)
    assert await pool.fetchval("SELECT archived_at FROM groups") is None

    done = await cora.post(f"/groups/{gid}/archive", {"confirm": "yes"}, form_page=f"/groups/{gid}/archive")
    assert done.status_code == 303 and done.headers["location"] == f"/groups/{gid}?archived=1"
    assert await pool.fetchval("SELECT count(*) FROM sessions WHERE status = 'cancelled'") == 3
    page = text_of((await cora.get(done.headers["location"])).text)
    assert "This group is archived since" in page and "Reopen the group" in page and "Schedule sessions" not in page
    # Gone from the organization's page for its members; the group's own page says it has closed.
    riley = await o.visitor(o.riley)
    assert "Evening Circle" not in (await riley.get(f"/orgs/{o.org['slug']}")).text
    assert "This group has closed." in text_of((await riley.get(f"/groups/{gid}")).text)
    reopened = await cora.post(f"/groups/{gid}/reopen", {}, form_page=f"/groups/{gid}")
    assert reopened.headers["location"] == f"/groups/{gid}?reopened=1"
    assert await pool.fetchval("SELECT archived_at FROM groups") is None


async def test_people_are_added_removed_and_declined_from_the_group_page(
    client, api, pool, redis, smtp, mail_settings
):
    o = await Org().build(client, api)
    group = await make_group(client, o.org, o.admin, name="Evening Circle", join_policy="approval")
    gid = group["id"]
    expect(await client.post(f"{API}/groups/{gid}/join", headers=o.riley.headers), 201)  # a request
    cora = await o.visitor(o.coordinator)
    page = await cora.get(f"/groups/{gid}")
    assert "Add a participant" in page.text and "Add a facilitator" in page.text
    # The name search narrows the lists; only facilitating roles are offered as facilitators.
    found = await cora.get(f"/groups/{gid}?find=quinn")
    assert "Quinnzel" in found.text and "Farahbel" not in found.text.split('id="add-people"')[1]
    facilitator_list = page.text.split('id="add-facilitator"')[1].split("</select>")[0]
    assert "Farahbel" in facilitator_list and "Quinnzel" not in facilitator_list

    added = await cora.post(f"/groups/{gid}/members", {"user_id": o.facilitator.id, "role": "facilitator"},
                            form_page=f"/groups/{gid}")
    assert added.status_code == 303 and added.headers["location"] == f"/groups/{gid}?added=1#people"
    added = await cora.post(f"/groups/{gid}/members", {"user_id": o.quinn.id, "role": "participant"},
                            form_page=f"/groups/{gid}")
    assert added.status_code == 303
    assert (await members(pool, gid))[o.facilitator.id] == ("facilitator", "active")
    assert (await members(pool, gid))[o.quinn.id] == ("participant", "active")
    # A participant cannot be made a facilitator: the page says why, in words.
    refused = await cora.post(f"/groups/{gid}/members", {"user_id": o.riley.id, "role": "facilitator"},
                              form_page=f"/groups/{gid}")
    assert refused.status_code == 422 and "needs the facilitator role" in text_of(refused.text)

    # Remove, through the same service as the API (their answers and facilitations ahead go).
    removed = await cora.post(f"/groups/{gid}/members/{o.facilitator.id}/remove", {}, form_page=f"/groups/{gid}")
    assert removed.headers["location"] == f"/groups/{gid}?removed=1#people"
    assert o.facilitator.id not in await members(pool, gid)
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE kind = 'group.member_left'") == 1

    # Decline: the request goes, and the person is told kindly.
    farah_page = text_of(page.text)
    assert "Decline Rileyanne" in farah_page
    declined = await cora.post(f"/groups/{gid}/members/{o.riley.id}/decline", {}, form_page=f"/groups/{gid}")
    assert declined.headers["location"] == f"/groups/{gid}?declined=1#requests"
    assert o.riley.id not in await members(pool, gid)
    assert "The request was declined." in text_of((await cora.get(declined.headers["location"])).text)
    await run_jobs(mail_settings, pool, redis)
    [notice] = [m for m in smtp.messages if m["To"] == o.riley.email and "request to join" in m["Subject"]]
    assert "cannot offer you a place this time" in mail_text(notice)


async def test_a_private_groups_invitation_link_from_copy_to_revoke(client, api, pool):
    o = await Org().build(client, api)
    group = await make_group(client, o.org, o.admin, name="Quiet Circle", visibility="private",
                             join_policy="approval", description="A small group for quiet talk.")
    gid = group["id"]
    cora = await o.visitor(o.coordinator)
    assert "Make an invitation link" in (await cora.get(f"/groups/{gid}")).text
    made = await cora.post(f"/groups/{gid}/invite-link", {}, form_page=f"/groups/{gid}")
    assert made.headers["location"] == f"/groups/{gid}?link=1#invite-link"
    page = (await cora.get(f"/groups/{gid}")).text
    url = page.split('id="invite-link-url" type="text" readonly value="')[1].split('"')[0]
    assert url.startswith("http://coord.test/groups/join/") and 'data-copy="invite-link-url"' in page
    path = url.removeprefix("http://coord.test")

    # Signed out: the group's name, and sign in or register that come back here.
    stranger = Visitor(client)
    opened = await stranger.get(path)
    assert opened.status_code == 200 and "Quiet Circle" in opened.text and "A small group for quiet talk." in opened.text
    assert f'href="/login?next={path}"' in opened.text and f'href="/register?next={path}"' in opened.text
    assert opened.headers["cache-control"] == "no-store"
    # Registering from there comes back to the link, which first asks to confirm the address.
    registered = await stranger.post("/register", {"email": "new-person@example.org", "display_name": "Newly",
                                                   "password": PASSWORD, "timezone": NY, "next": path})
    assert registered.status_code == 303 and registered.headers["location"] == path
    assert "First, confirm your email address" in text_of((await stranger.get(path)).text)
    # The group itself stays "not found" to someone outside it.
    newcomer = await api.user("Nadia", timezone=NY)
    nadia = Visitor(client)
    await nadia.login(newcomer)
    assert (await nadia.get(f"/groups/{gid}")).status_code == 404
    # Signed in, not a member of the organization: one button joins it and asks to join the group.
    seen = text_of((await nadia.get(path)).text)
    assert f"Join {o.org['name']} and ask to join this group" in seen and "You are not a member of" in seen
    asked = await nadia.post(path, {})
    assert asked.status_code == 303 and asked.headers["location"] == f"/groups/{gid}?requested=1"
    assert (await members(pool, gid))[newcomer.id] == ("participant", "pending")
    assert list(await pool.fetchval("SELECT roles FROM org_members WHERE user_id = $1", UUID(newcomer.id))) == \
        ["participant"]
    assert "Your request to join is waiting" in text_of((await nadia.get(path)).text)
    # A member of the organization asks to join too.
    riley = await o.visitor(o.riley)
    assert "Ask to join" in (await riley.get(path)).text
    assert (await riley.post(path, {})).status_code == 303

    # Revoked: the link opens nothing, and says so.
    revoked = await cora.post(f"/groups/{gid}/invite-link/revoke", {}, form_page=f"/groups/{gid}")
    assert revoked.headers["location"] == f"/groups/{gid}?link_revoked=1#invite-link"
    gone = await stranger.get(path)
    assert gone.status_code == 200 and "This link cannot be used" in gone.text and "Quiet Circle" not in gone.text
    late = Visitor(client)
    await late.login(await api.user("Late", timezone=NY))
    refused = await late.post(path, {}, form_page="/me")
    assert refused.status_code == 400 and "This link cannot be used" in refused.text
