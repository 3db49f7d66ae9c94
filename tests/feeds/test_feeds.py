"""Calendar feeds through HTTP: content, privacy, validators, 404s, the cache and its invalidation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import icalendar
import pytest

from coord.feeds import cache
from coord.feeds.tokens import hash_token
from coord.outbox import domain_events as ev
from coord.outbox.domain_events import event_kind
from tests.moments import local_start, now
from tests.support import assert_problem, expect, run_jobs, wait_until
from tests.support.calendars import expand
from tests.support.feed_calendar import path_of, vevents
from tests.support.world import make_group
from workers.registry import registry

API = "/api/v1"
NY = "America/New_York"
UTC = timezone.utc


def at(hours: float) -> str:
    return (now() + timedelta(hours=hours)).replace(microsecond=0).isoformat()


class World:
    """An org with a private group (weekly series, one cancelled and one moved
    occurrence), a public group, events and shifts, and people around them."""

    async def build(self, client, api) -> "World":
        self.client = client
        self.admin = await api.user("admin")
        self.member = await api.user("member")
        self.other = await api.user("Zebedee")
        self.bystander = await api.user("bystander")
        self.org = await api.org(self.admin, timezone=NY)
        for person in (self.member, self.other, self.bystander):
            await api.member(self.org, self.admin, person, "participant", "volunteer")
        org_api = f"{API}/orgs/{self.org['id']}"
        hall = {"name": "Elm Hall", "kind": "in_person", "address": "12 Elm Street"}
        self.hall = expect(await client.post(f"{org_api}/venues", json=hall, headers=self.admin.headers), 201)
        room = {"name": "Video room", "kind": "virtual", "meeting_url": "https://meet.example.org/secret-room"}
        self.room = expect(await client.post(f"{org_api}/venues", json=room, headers=self.admin.headers), 201)

        self.group = await make_group(
            client, self.org, self.admin, name="Grief Circle", visibility="private", venue_id=self.hall["id"],
            description="Support after a loss",
        )
        self.public_group = await make_group(client, self.org, self.admin, name="Open Walk", venue_id=self.hall["id"])
        for person in (self.member, self.other):
            body = {"user_id": person.id, "role": "participant"}
            expect(await client.post(f"{API}/groups/{self.group['id']}/members", json=body, headers=self.admin.headers), 201)
        self.series = await self.add_series(self.group, local_start(-3))
        await self.add_series(self.public_group, local_start(-1, hour=10))
        sessions = await self.sessions(self.group)
        self.cancelled, self.moved = sessions[4], sessions[6]
        expect(await client.post(f"{API}/sessions/{self.cancelled['id']}/cancel", json={}, headers=self.admin.headers), 200)
        new_start = datetime.fromisoformat(self.moved["starts_at"]) + timedelta(days=1, hours=1)
        patch = {"starts_at": new_start.isoformat(), "venue_id": self.room["id"]}
        expect(await client.patch(f"{API}/sessions/{self.moved['id']}", json=patch, headers=self.admin.headers), 200)

        self.event = await self.add_event("Community Wellness Fair", "public", venue_id=self.hall["id"], hours=100)
        self.private_event = await self.add_event("Staff Training Day", "private", hours=120)
        self.other_event = await self.add_event("Not For Me", "public", hours=140)
        expect(await client.post(f"{API}/events/{self.event['id']}/registrations", headers=self.member.headers), 201)
        expect(await client.post(f"{API}/events/{self.private_event['id']}/registrations", headers=self.member.headers), 201)
        self.shift = await self.add_shift("Greeter", self.event["id"], 90)
        self.other_shift = await self.add_shift("Cook", None, 200)
        expect(await client.post(f"{API}/shifts/{self.shift['id']}/signups", headers=self.member.headers), 201)
        expect(await client.post(f"{API}/shifts/{self.shift['id']}/signups", headers=self.other.headers), 201)
        return self

    async def add_series(self, group: dict, start: datetime) -> dict:
        body = {"start": start.isoformat(), "timezone": NY, "duration_minutes": 90, "rrule": "FREQ=WEEKLY;COUNT=10"}
        return expect(await self.client.post(f"{API}/groups/{group['id']}/series", json=body, headers=self.admin.headers), 201)

    async def sessions(self, group: dict) -> list[dict]:
        url = f"{API}/groups/{group['id']}/sessions"
        return expect(await self.client.get(url, params={"limit": 200}, headers=self.admin.headers), 200)["items"]

    async def add_event(self, title: str, visibility: str, hours: float, **extra) -> dict:
        body = {"title": title, "kind": "workshop", "starts_at": at(hours), "ends_at": at(hours + 2),
                "timezone": NY, "visibility": visibility, **extra}
        return expect(await self.client.post(f"{API}/orgs/{self.org['id']}/events", json=body, headers=self.admin.headers), 201)

    async def add_shift(self, role: str, event_id: str | None, hours: float) -> dict:
        body = {"role": role, "starts_at": at(hours), "ends_at": at(hours + 3), "capacity": 5}
        if event_id:
            body["event_id"] = event_id
        return expect(await self.client.post(f"{API}/orgs/{self.org['id']}/shifts", json=body, headers=self.admin.headers), 201)

    async def feed(self, user, **body) -> dict:
        return expect(await self.client.post(f"{API}/me/feeds", json={"scope": "mine", **body}, headers=user.headers), 201)


async def _if_changed(client, url: str, etag: str):
    """The feed if it no longer matches `etag`, else None. API processes learn of invalidations
    through a Redis channel, so "at once" means within milliseconds, not before the job returns:
    wait on this with wait_until."""
    response = await client.get(url, headers={"If-None-Match": etag})
    return response if response.status_code == 200 else None


@pytest.fixture
async def world(client, api) -> World:
    return await World().build(client, api)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


async def test_member_feed_holds_series_master_exdate_override_shifts_and_registrations(client, world, pool):
    feed = await world.feed(world.member)
    response = await client.get(path_of(feed["url"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    body = response.content
    cal = icalendar.Calendar.from_ical(body)
    assert "METHOD" not in cal and b"ATTENDEE" not in body
    assert str(cal["NAME"]) == str(cal["X-WR-CALNAME"]) == "My schedule"
    assert cal["UID"] == f"feed-{feed['id']}@coord"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body and b"X-PUBLISHED-TTL:PT1H" in body

    events = vevents(body)
    series_uid = f"series-{world.series['id']}@coord"
    masters = [e for e in events if e["UID"] == series_uid and "RECURRENCE-ID" not in e]
    overrides = [e for e in events if e["UID"] == series_uid and "RECURRENCE-ID" in e]
    assert len(masters) == 1 and len(overrides) == 1
    master, override = masters[0], overrides[0]
    assert "RRULE" in master and "STATUS" not in master
    assert str(master["SUMMARY"]) == "Grief Circle" and "12 Elm Street" in str(master["LOCATION"])
    lines = master["EXDATE"] if isinstance(master["EXDATE"], list) else [master["EXDATE"]]
    exdates = [d.dt for line in lines for d in line.dts]
    assert [_utc(d) for d in exdates] == [datetime.fromisoformat(world.cancelled["recurrence_id"])]
    assert _utc(override["RECURRENCE-ID"].dt) == datetime.fromisoformat(world.moved["recurrence_id"])
    assert override["SEQUENCE"] >= master["SEQUENCE"] and override["SEQUENCE"] == 1
    assert "meet.example.org/secret-room" in str(override["LOCATION"])  # confirmed member: the link

    uids = {str(e["UID"]) for e in events}
    assert f"shift-{world.shift['id']}@coord" in uids and f"shift-{world.other_shift['id']}@coord" not in uids
    assert {f"event-{world.event['id']}@coord", f"event-{world.private_event['id']}@coord"} <= uids
    assert f"event-{world.other_event['id']}@coord" not in uids
    assert not any("Open Walk" in str(e["SUMMARY"]) for e in events)  # not my group
    assert b"Zebedee" not in body and world.other.email.encode() not in body  # never other people

    # DTSTAMP is the item's last change, not the time of the request.
    shift_event = next(e for e in events if e["UID"] == f"shift-{world.shift['id']}@coord")
    changed = await pool.fetchval(
        "SELECT greatest(sh.updated_at, su.updated_at) FROM shifts sh JOIN signups su ON su.shift_id = sh.id "
        "WHERE sh.id = $1 AND su.user_id = $2", UUID(world.shift["id"]), UUID(world.member.id))
    assert shift_event["DTSTAMP"].dt == changed.replace(microsecond=0)


@pytest.mark.parametrize("parser", ["recurring-ical-events", "ical.js"])
async def test_independent_parsers_read_the_database_instants(client, world, pool, parser):
    body = (await client.get(path_of((await world.feed(world.member))["url"]))).content
    occurrences = expand(parser, body)
    series_uid = f"series-{world.series['id']}@coord"
    got = sorted((o["start"], o["end"]) for o in occurrences if o["uid"] == series_uid)
    rows = await pool.fetch(
        "SELECT starts_at, ends_at FROM sessions WHERE series_id = $1 AND status <> 'cancelled' ORDER BY starts_at",
        UUID(world.series["id"]))
    iso = "%Y-%m-%dT%H:%M:%SZ"
    assert got == [(_utc(r["starts_at"]).strftime(iso), _utc(r["ends_at"]).strftime(iso)) for r in rows]
    assert len(got) == 9  # ten occurrences, one cancelled
    shift = await pool.fetchrow("SELECT starts_at, ends_at FROM shifts WHERE id = $1", UUID(world.shift["id"]))
    shift_occurrences = [(o["start"], o["end"]) for o in occurrences if o["uid"] == f"shift-{world.shift['id']}@coord"]
    assert shift_occurrences == [(_utc(shift["starts_at"]).strftime(iso), _utc(shift["ends_at"]).strftime(iso))]


async def test_discreet_feed_names_nothing_and_says_nowhere(client, world):
    feed = await world.feed(world.member, discreet=True)
    body = (await client.get(path_of(feed["url"]))).content
    for secret in (b"Grief", b"loss", b"Elm", b"meet.example.org", b"Wellness", b"Greeter", b"LOCATION", b"coord.test"):
        assert secret not in body, secret
    summaries = {str(e["SUMMARY"]) for e in vevents(body)}
    assert summaries == {"Group session", "Community event", "Volunteer shift"}
    assert b"EXDATE" in body and b"RECURRENCE-ID" in body  # the times stay exact


async def test_a_group_with_a_discreet_title_is_discreet_in_every_feed(client, world, pool):
    await pool.execute("UPDATE groups SET discreet_title = 'Tuesday group' WHERE id = $1", world.group["id"])
    feed = await world.feed(world.member)  # an ordinary feed, not a discreet one
    body = (await client.get(path_of(feed["url"]))).content
    assert b"Grief" not in body and b"loss" not in body  # neither its name nor its topic
    summaries = {str(e["SUMMARY"]) for e in vevents(body)}
    assert "Tuesday group" in summaries
    assert b"Elm Hall" in body  # where it meets stays, for the member
    # The organization's feeds too, for staff and for a member of the group.
    for person in (world.admin, world.member):
        org_feed = await world.feed(person, scope="org", org_id=world.org["id"])
        org_body = (await client.get(path_of(org_feed["url"]))).content
        assert b"Grief" not in org_body and b"loss" not in org_body
        assert "Tuesday group" in {str(e["SUMMARY"]) for e in vevents(org_body)}


async def test_org_feed_shows_what_the_person_may_see(client, api, world):
    staff = await world.feed(world.admin, scope="org", org_id=world.org["id"])
    bystander = await world.feed(world.bystander, scope="org", org_id=world.org["id"])
    staff_body = (await client.get(path_of(staff["url"]))).content
    bystander_body = (await client.get(path_of(bystander["url"]))).content
    assert icalendar.Calendar.from_ical(staff_body)["X-WR-CALNAME"] == world.org["name"]
    assert b"Grief Circle" in staff_body and b"Open Walk" in staff_body
    # A private group is invisible to an org member outside it; a public one shows, with its place.
    assert b"Grief" not in bystander_body and b"secret-room" not in bystander_body
    walk = next(e for e in vevents(bystander_body) if str(e["SUMMARY"]) == "Open Walk")
    assert "12 Elm Street" in str(walk["LOCATION"]) and "RRULE" in walk
    for item in (world.event, world.private_event, world.other_event):
        assert f"event-{item['id']}@coord".encode() in bystander_body
    assert f"shift-{world.other_shift['id']}@coord".encode() in bystander_body
    assert b"Zebedee" not in staff_body and b"ATTENDEE" not in staff_body
    # An org feed needs membership; another organization's id is refused.
    outsider = await api.user("outsider")
    body = {"scope": "org", "org_id": world.org["id"]}
    assert_problem(await client.post(f"{API}/me/feeds", json=body, headers=outsider.headers), 404)


async def test_public_events_feed_needs_no_login_and_shows_public_events_only(client, world):
    expect(await client.post(f"{API}/events/{world.other_event['id']}/cancel", headers=world.admin.headers), 200)
    response = await client.get(f"/orgs/{world.org['slug']}/events.ics")
    assert response.status_code == 200 and response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=300"
    body = response.content
    uids = {str(e["UID"]) for e in vevents(body)}
    assert uids == {f"event-{world.event['id']}@coord"}  # not the private one, not the cancelled one
    fair = vevents(body)[0]
    assert str(fair["SUMMARY"]) == "Community Wellness Fair" and "12 Elm Street" in str(fair["LOCATION"])
    assert b"Grief" not in body and b"Greeter" not in body
    assert_problem(await client.get("/orgs/no-such-org/events.ics"), 404)


async def test_validators_304_and_cache_headers(client, world, pool):
    url = path_of((await world.feed(world.member))["url"])
    first = await client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"].startswith("private")
    second = await client.get(url)
    assert second.content == first.content and second.headers["etag"] == etag

    # Last-Modified: the newest change to what this person's feed shows (others' bookings are not in it).
    newest = await pool.fetchval(
        """SELECT max(t) FROM (
             SELECT updated_at AS t FROM series WHERE group_id = $1
             UNION ALL SELECT updated_at FROM sessions WHERE group_id = $1
             UNION ALL SELECT e.updated_at FROM events e JOIN registrations r ON r.event_id = e.id WHERE r.user_id = $2
             UNION ALL SELECT sh.updated_at FROM shifts sh JOIN signups su ON su.shift_id = sh.id WHERE su.user_id = $2
             UNION ALL SELECT updated_at FROM signups WHERE user_id = $2
             UNION ALL SELECT updated_at FROM registrations WHERE user_id = $2
             UNION ALL SELECT updated_at FROM group_members WHERE user_id = $2) x""",
        UUID(world.group["id"]), UUID(world.member.id))
    assert parsedate_to_datetime(first.headers["last-modified"]) == newest.replace(microsecond=0)

    not_modified = await client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag and not_modified.headers["cache-control"].startswith("private")
    assert (await client.get(url, headers={"If-None-Match": f'"other", W/{etag}'})).status_code == 304
    # The list may come as several fields (RFC 9110, 5.3): any of them may hold it.
    assert (await client.get(url, headers=[("If-None-Match", '"other"'), ("If-None-Match", etag)])).status_code == 304
    changed = await client.get(url, headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.content == first.content

    public = f"/orgs/{world.org['slug']}/events.ics"
    public_etag = (await client.get(public)).headers["etag"]
    assert (await client.get(public, headers={"If-None-Match": public_etag})).status_code == 304


async def test_revoked_unknown_and_malformed_urls_get_the_same_404(client, world):
    feed = await world.feed(world.member)
    url = path_of(feed["url"])
    token = url.removeprefix("/feeds/").removesuffix(".ics")
    assert (await client.get(url)).status_code == 200  # now cached
    listed = expect(await client.get(f"{API}/me/feeds", headers=world.member.headers), 200)
    assert listed[0]["id"] == feed["id"] and listed[0]["last_fetched_at"] is not None
    assert "url" not in listed[0]

    assert_problem(await client.delete(f"{API}/me/feeds/{feed['id']}", headers=world.other.headers), 404)
    expect(await client.delete(f"{API}/me/feeds/{feed['id']}", headers=world.member.headers), 204)
    unknown_token = ("A" if token[0] != "A" else "B") + token[1:]
    answers = [
        await client.get(url),  # revoked, though it was cached a moment ago
        await client.get(f"/feeds/{unknown_token}.ics"),  # unknown
        await client.get("/feeds/not-a-token.ics"),  # malformed
        await client.get(f"/feeds/{token}.txt"),  # not .ics
        await client.get(url, headers={"If-None-Match": "*"}),
    ]
    bodies = [assert_problem(a, 404) for a in answers]
    assert all(b == bodies[0] for b in bodies)
    assert all(token not in a.text for a in answers)


async def test_a_moved_session_shows_after_the_invalidation_job(client, world, pool, redis, settings):
    url = path_of((await world.feed(world.member))["url"])
    await run_jobs(settings, pool, redis)  # settle the setup's events
    before = await client.get(url)
    target = (await world.sessions(world.group))[8]
    new_start = datetime.fromisoformat(target["starts_at"]) + timedelta(hours=2)
    patch = {"starts_at": new_start.isoformat()}
    expect(await client.patch(f"{API}/sessions/{target['id']}", json=patch, headers=world.admin.headers), 200)

    cached = await client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert cached.status_code == 304  # served from the cache until the job runs
    assert await run_jobs(settings, pool, redis) >= 1
    after = await wait_until(lambda: _if_changed(client, url, before.headers["etag"]), timeout=3,
                             what="the moved session to show")
    assert after.headers["etag"] != before.headers["etag"]
    overrides = {_utc(e["RECURRENCE-ID"].dt): e for e in vevents(after.content) if "RECURRENCE-ID" in e}
    moved = overrides[datetime.fromisoformat(target["recurrence_id"])]
    assert _utc(moved["DTSTART"].dt) == new_start and moved["SEQUENCE"] == 1
    occurrences = expand("recurring-ical-events", after.content)
    assert new_start.strftime("%Y-%m-%dT%H:%M:%SZ") in {o["start"] for o in occurrences}

    # The public feed follows an event change the same way.
    public = f"/orgs/{world.org['slug']}/events.ics"
    assert b"Late Addition" not in (await client.get(public)).content
    await world.add_event("Late Addition", "public", hours=300)
    await run_jobs(settings, pool, redis)
    assert b"Late Addition" in (await client.get(public)).content


async def test_leaving_a_group_and_booking_drop_and_add_items(client, world, pool, redis, settings):
    url = path_of((await world.feed(world.other))["url"])
    await run_jobs(settings, pool, redis)
    assert b"Grief Circle" in (await client.get(url)).content
    expect(await client.post(f"{API}/shifts/{world.other_shift['id']}/signups", headers=world.other.headers), 201)
    remove = f"{API}/groups/{world.group['id']}/members/{world.other.id}"
    assert (await client.delete(remove, headers=world.admin.headers)).status_code == 204
    await run_jobs(settings, pool, redis)
    body = (await client.get(url)).content
    assert b"Grief Circle" not in body and f"shift-{world.other_shift['id']}@coord".encode() in body


async def test_a_booking_drops_its_holders_feeds_and_no_one_elses(client, world, pool, redis, settings):
    """A place shows only in the feeds of whoever holds it: a signup re-renders those, and every
    other feed of the organization (another member's, staff's organization feed, the public
    one) stays cached, however large the organization."""
    feeds = {"booker": await world.feed(world.other), "booker's org": await world.feed(
                 world.other, scope="org", org_id=world.org["id"]),
             "member": await world.feed(world.member),
             "staff org": await world.feed(world.admin, scope="org", org_id=world.org["id"])}
    keys = {who: cache.private_key(hash_token(path_of(f["url"]).removeprefix("/feeds/").removesuffix(".ics")))
            for who, f in feeds.items()}
    public = f"/orgs/{world.org['slug']}/events.ics"
    await run_jobs(settings, pool, redis)  # settle the setup's events
    for path in [*[path_of(f["url"]) for f in feeds.values()], public]:
        assert (await client.get(path)).status_code == 200  # rendered and cached
    assert await redis.exists(*keys.values(), cache.public_key(world.org["slug"])) == len(keys) + 1

    expect(await client.post(f"{API}/shifts/{world.other_shift['id']}/signups", headers=world.other.headers), 201)
    await run_jobs(settings, pool, redis)
    cached = {who: bool(await redis.exists(key)) for who, key in keys.items()}
    assert cached == {"booker": False, "booker's org": False, "member": True, "staff org": True}
    assert await redis.exists(cache.public_key(world.org["slug"]))
    body = (await client.get(path_of(feeds["booker"]["url"]))).content
    assert f"shift-{world.other_shift['id']}@coord".encode() in body


async def test_a_batch_of_events_drops_exactly_the_feeds_its_events_drop_one_by_one(client, world, pool):
    """The relay hands `invalidate_feeds` a whole batch (one query per subject for all of it):
    for any set of the world's events, in any order, that is the union of what each drops alone."""
    import random

    from coord.feeds.invalidation import stale_feed_keys
    from workers.registry import decode

    for person, scope in [(world.member, {}), (world.other, {}), (world.admin, {"scope": "org", "org_id": world.org["id"]}),
                          (world.other, {"scope": "org", "org_id": world.org["id"]})]:
        await world.feed(person, **scope)
    routed = [kind for kind, jobs in registry.routing.items() if "invalidate_feeds" in jobs]
    rows = await pool.fetch("SELECT payload FROM outbox WHERE kind = ANY($1) ORDER BY id", routed)
    events = [decode(row["payload"]) for row in rows]
    async with pool.acquire() as conn:
        alone = [set(await stale_feed_keys(conn, [event])) for event in events]
        assert len({frozenset(keys) for keys in alone}) >= 3  # events that drop different feeds
        pick = random.Random(19)
        for size in [len(events), *[pick.randint(2, len(events)) for _ in range(30)]]:
            chosen = pick.sample(range(len(events)), size)
            batch = await stale_feed_keys(conn, [events[i] for i in chosen])
            assert len(batch) == len(set(batch)) and set(batch) == set().union(*(alone[i] for i in chosen))


async def test_an_organizations_new_name_and_language_show_in_its_feeds(client, world, pool, redis, settings,
                                                                         monkeypatch):
    """Its name and the language it speaks to people who chose none are in its public feed and
    its members' organization feeds: a change drops the cached renders (OrgChanged)."""
    from coord import i18n

    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})
    public = f"/orgs/{world.org['slug']}/events.ics"
    org_feed = path_of((await world.feed(world.admin, scope="org", org_id=world.org["id"]))["url"])
    await run_jobs(settings, pool, redis)  # settle the setup's events
    name = world.org["name"]
    assert f"X-WR-CALNAME:{name}: community events".encode() in (await client.get(public)).content
    assert f"X-WR-CALNAME:{name}".encode() in (await client.get(org_feed)).content

    settings_url = f"{API}/orgs/{world.org['id']}"
    expect(await client.patch(settings_url, json={"name": "Harbor Peer Network"}, headers=world.admin.headers), 200)
    expect(await client.patch(settings_url, json={"contact_email": "hello@harbor.example"},  # shown in no feed
                              headers=world.admin.headers), 200)
    assert await run_jobs(settings, pool, redis) == 1  # the rename; the address changed nothing a feed shows
    assert b"X-WR-CALNAME:Harbor Peer Network: community events" in (await client.get(public)).content
    assert b"X-WR-CALNAME:Harbor Peer Network\r\n" in (await client.get(org_feed)).content

    expect(await client.patch(settings_url, json={"default_locale": "es"}, headers=world.admin.headers), 200)
    await run_jobs(settings, pool, redis)
    assert b"X-WR-CALNAME:Harbor Peer Network: eventos comunitarios" in (await client.get(public)).content


# Every event kind, classified here independently of the routing: what a feed shows changes ...
SHOWN_IN_FEEDS = {ev.MemberAdded, ev.MemberLeft, ev.MemberRolesChanged, ev.OrgChanged, ev.GroupMemberJoined, ev.GroupMemberLeft,
                  ev.GroupMemberRequested, ev.GroupMemberDeclined, ev.GroupChanged, ev.GroupArchived,
                  ev.SeriesScheduled, ev.SeriesChanged, ev.SessionRescheduled, ev.SessionCancelled,
                  ev.FacilitatorsChanged, ev.SeriesFacilitatorsChanged, ev.EventScheduled, ev.EventChanged,
                  ev.EventCancelled,
                  ev.BookingPlaced, ev.BookingCancelled, ev.ShiftCreated, ev.ShiftChanged,
                  ev.ShiftCancelled, ev.LanguageChanged}
# ... or it does not. Feeds list confirmed places only (feeds/queries.py), so waitlisting changes no feed
# (a booking placed on the waitlist is routed with the others; invalidate_feeds drops nothing for it).
IN_NO_FEED = {ev.GroupCreated, ev.RsvpRecorded, ev.AttendanceRecorded, ev.SignupCheckedIn, ev.SignupHoursRecorded,
              ev.TrainingRecorded, ev.TrainingVerified, ev.DeliveryRetryRequested,
              ev.EmailConfirmationRequested, ev.PasswordResetRequested, ev.EmailChangeRequested, ev.PasswordChanged,
              ev.InvitationSent, ev.DirectoryImportQueued, ev.ReferralMade, ev.ReferralChanged}


def test_routing_covers_feed_relevant_events():
    ROUTING = registry.routing
    assert SHOWN_IN_FEEDS | IN_NO_FEED == set(ev.EVENT_TYPES), "classify every new event kind here"
    for kind in SHOWN_IN_FEEDS:
        assert "invalidate_feeds" in ROUTING[event_kind(kind)], event_kind(kind)
    for kind in IN_NO_FEED:
        assert "invalidate_feeds" not in ROUTING.get(event_kind(kind), ()), event_kind(kind)
    assert "invalidate_feeds" in {f.name for f in registry.functions}


async def test_feed_times_are_local_with_vtimezone(client, world):
    body = (await client.get(path_of((await world.feed(world.member))["url"]))).content
    assert b"BEGIN:VTIMEZONE" in body and b"TZID:America/New_York" in body
    master = next(e for e in vevents(body) if e["UID"] == f"series-{world.series['id']}@coord")
    start = master["DTSTART"].dt
    assert start.tzinfo is not None and start.astimezone(ZoneInfo(NY)).strftime("%H:%M") == "18:30"


async def test_revalidation_is_answered_from_memory_and_dropped_through_the_channel(client, world, redis, pool):
    url = path_of((await world.feed(world.member))["url"])
    etag = (await client.get(url)).headers["etag"]
    assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304
    key = cache.private_key(hash_token(url.removeprefix("/feeds/").removesuffix(".ics")))
    await redis.delete(key)  # behind the process's back: its copy still answers
    # The data changes behind every cache's back too: no outbox event, no job; only the channel can tell.
    await pool.execute("UPDATE groups SET name = 'Renamed Circle' WHERE id = $1::uuid", world.group["id"])
    assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304  # memory still answers
    await cache.forget(redis, [key])  # what the job and revocation do: every process drops its copy
    response = await wait_until(lambda: _if_changed(client, url, etag), timeout=3,
                                what="the channel to drop the in-memory validators")
    assert b"Renamed Circle" in response.content and response.headers["etag"] != etag  # re-rendered
