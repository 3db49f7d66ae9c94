"""The personal pages: my schedule (with RSVP and cancel), calendar feeds, notification
settings, trainings, download my data, log out everywhere, delete my account."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from coord.notify.preferences import MESSAGE_KINDS
from coord.web.render import time_range
from tests.pages import Visitor, text_of
from tests.support import User, expect
from tests.support.world import make_group
from tests.moments import local_start, now, today

API = "/api/v1"
TOKYO = "Asia/Tokyo"  # the viewer's own timezone; the organization is in New York


def start_in(days: int, hour: int = 10) -> datetime:
    """A start `days` ahead at a fixed UTC hour (19:00 in Tokyo, early morning in New York)."""
    day = (now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    return moment.isoformat()


@dataclass
class World:
    admin: User
    me: User
    other: User
    org: dict
    group: dict


@pytest.fixture
async def world(client, api) -> World:
    admin = await api.user("admin")
    me = await api.user("mia", timezone=TOKYO)
    other = await api.user("Zebediah")
    org = await api.org(admin)  # America/New_York
    for person in (me, other):
        await api.member(org, admin, person, "participant", "volunteer")
    group = await make_group(client, org, admin)
    expect(await client.post(f"{API}/groups/{group['id']}/join", headers=me.headers), 201)
    return World(admin, me, other, org, group)


async def make_shift(client, w: World, starts: datetime, role: str = "Greeter", capacity: int = 1) -> dict:
    body = {"role": role, "starts_at": iso(starts), "ends_at": iso(starts + timedelta(hours=2)), "capacity": capacity}
    return expect(await client.post(f"{API}/orgs/{w.org['id']}/shifts", json=body, headers=w.admin.headers), 201)


async def sign_up(client, user: User, shift: dict) -> dict:
    return expect(await client.post(f"{API}/shifts/{shift['id']}/signups", headers=user.headers), 201)


async def make_event(client, w: World, starts: datetime, **fields) -> dict:
    body = {"title": "Open Mic for Wellbeing", "kind": "social", "starts_at": iso(starts),
            "ends_at": iso(starts + timedelta(hours=3)), "timezone": "America/New_York", "visibility": "private",
            "capacity": 5} | fields
    return expect(await client.post(f"{API}/orgs/{w.org['id']}/events", json=body, headers=w.admin.headers), 201)


async def make_sessions(client, w: World) -> list[dict]:
    body = {"start": local_start(1).isoformat(), "timezone": "America/New_York", "duration_minutes": 90,
            "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=2"}
    expect(await client.post(f"{API}/groups/{w.group['id']}/series", json=body, headers=w.admin.headers), 201)
    listed = expect(await client.get(f"{API}/groups/{w.group['id']}/sessions", headers=w.admin.headers), 200)
    return listed["items"]


def local(item: dict, tz: str = TOKYO) -> str:
    return time_range(datetime.fromisoformat(item["starts_at"]), datetime.fromisoformat(item["ends_at"]), tz)


def card(html: str, anchor: str) -> str:
    found = re.search(rf'<li class="card" id="{anchor}">(.*?)</li>', html, re.S)
    assert found, f"{anchor} is not on the page"
    return text_of(found.group(1))


async def test_schedule_lists_my_items_in_my_timezone(client, api, world):
    w = world
    first, second = await make_sessions(client, w)
    expect(await client.post(f"{API}/sessions/{second['id']}/cancel", json={"reason": "Holiday"},
                             headers=w.admin.headers), 200)
    confirmed = await make_shift(client, w, start_in(3))
    same_day = await make_shift(client, w, start_in(3, hour=12), role="Kitchen")  # 21:00 in Tokyo, that day
    full = await make_shift(client, w, start_in(4), role="Setup")
    await sign_up(client, w.me, confirmed)
    await sign_up(client, w.me, same_day)
    await sign_up(client, w.other, full)
    assert (await sign_up(client, w.me, full))["position"] == 1
    event = await make_event(client, w, start_in(5, hour=9))
    expect(await client.post(f"{API}/events/{event['id']}/registrations", headers=w.me.headers), 201)
    later = await make_shift(client, w, start_in(75), role="Far ahead")
    await sign_up(client, w.me, later)

    browser = Visitor(client)
    await browser.login(w.me)
    page = await browser.get("/me")
    assert page.status_code == 200
    html, text = page.text, text_of(page.text)
    assert "times in Asia/Tokyo" in text
    session = card(html, f"session-{first['id']}")
    assert local(first) in session and local(first, "America/New_York") not in session
    assert w.group["name"] in session and "not said yet" in session
    assert f'href="/sessions/{first["id"]}"' in html
    assert "This session is cancelled. Holiday" in card(html, f"session-{second['id']}")
    shift = card(html, f"shift-{confirmed['id']}")
    assert local(confirmed) in shift and "19:00" in shift and "You are confirmed" in shift
    assert "Cancel my place" in shift
    waiting = card(html, f"shift-{full['id']}")
    assert local(full) in waiting and "waitlist at position 1" in waiting and "Leave the waitlist" in waiting
    registered = card(html, f"event-{event['id']}")
    assert local(event) in registered and "18:00" in registered and "You are registered" in registered
    assert f'href="/events/{event["id"]}"' in html
    # Oldest first; the shift 75 days out is on the next page, not this one.
    by_time = sorted([(first, "session"), (confirmed, "shift"), (full, "shift"), (event, "event")],
                     key=lambda pair: datetime.fromisoformat(pair[0]["starts_at"]))
    positions = [html.index(f'id="{kind}-{item["id"]}"') for item, kind in by_time]
    assert positions == sorted(positions)
    assert later["id"] not in html
    later_link = re.search(r'<a href="([^"]+)" class="next">Later<', html).group(1).replace("&amp;", "&")
    assert later["id"] in (await browser.get(later_link)).text
    # Only my own items: the other volunteer's name appears nowhere.
    assert "Zebediah" not in text
    # Links to the other personal pages and to my organization.
    for href in ("/me/feeds", "/me/notifications", "/me/trainings", "/me/groups",
                 f"/orgs/{w.org['slug']}", f"/shifts?org={w.org['slug']}"):
        assert f'href="{href}"' in html


async def test_cancelling_my_shift_place_promotes_the_waitlist(client, api, pool, world):
    w = world
    shift = await make_shift(client, w, start_in(3))
    await sign_up(client, w.me, shift)
    assert (await sign_up(client, w.other, shift))["status"] == "waitlisted"
    browser = Visitor(client)
    await browser.login(w.me)
    done = await browser.post(f"/me/shifts/{shift['id']}/cancel", form_page="/me")
    assert done.status_code == 303 and done.headers["location"] == f"/me?done=shift#shift-{shift['id']}"
    async with pool.acquire() as conn:
        rows = dict(await conn.fetch("SELECT user_id::text, status FROM signups WHERE shift_id = $1", shift["id"]))
    assert rows == {w.me.id: "cancelled", w.other.id: "confirmed"}
    after = await browser.get(done.headers["location"])
    assert 'role="status"' in after.text and "no longer signed up" in text_of(after.text)
    assert f"shift-{shift['id']}" not in after.text
    # Cancelling again is refused with the reason, and changes nothing.
    again = await browser.post(f"/me/shifts/{shift['id']}/cancel", form_page="/me")
    assert again.status_code == 404 and "not signed up" in text_of(again.text)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM signups WHERE status = 'confirmed'") == 1


async def test_cancelling_an_event_registration_from_my_schedule(client, api, pool, world):
    w = world
    event = await make_event(client, w, start_in(6), capacity=1)
    expect(await client.post(f"{API}/events/{event['id']}/registrations", headers=w.other.headers), 201)
    expect(await client.post(f"{API}/events/{event['id']}/registrations", headers=w.me.headers), 201)
    browser = Visitor(client)
    await browser.login(w.me)
    assert "waitlist at position 1" in card((await browser.get("/me")).text, f"event-{event['id']}")
    done = await browser.post(f"/me/events/{event['id']}/cancel", form_page="/me")
    assert done.status_code == 303
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM registrations WHERE user_id = $1", w.me.id) == "cancelled"


async def test_rsvp_from_my_schedule(client, api, pool, world):
    w = world
    first, _ = await make_sessions(client, w)
    browser = Visitor(client)
    await browser.login(w.me)
    going = await browser.post(f"/me/sessions/{first['id']}/rsvp", {"response": "going"}, form_page="/me")
    assert going.status_code == 303 and going.headers["location"] == f"/me?done=going#session-{first['id']}"
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT response FROM rsvps WHERE user_id = $1", w.me.id) == "going"
    page = await browser.get(going.headers["location"])
    assert "You said you are going" in card(page.text, f"session-{first['id']}")
    assert "you are down as going" in text_of(page.text)
    await browser.post(f"/me/sessions/{first['id']}/rsvp", {"response": "not_going"}, form_page="/me")
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT response FROM rsvps WHERE user_id = $1", w.me.id) == "not_going"
    # Someone outside the group cannot RSVP through the page either: refused, nothing recorded.
    outsider = Visitor(client)
    await outsider.login(w.other)
    refused = await outsider.post(f"/me/sessions/{first['id']}/rsvp", {"response": "going"}, form_page="/me")
    assert refused.status_code == 403 and "only active members" in text_of(refused.text)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM rsvps") == 1


FEED_URL = re.compile(r'<input id="feed-url" type="text" readonly value="([^"]+)"')


async def test_feed_address_is_shown_once_serves_the_calendar_and_revokes(client, api, pool, world):
    w = world
    browser = Visitor(client)
    await browser.login(w.me)
    created = await browser.post("/me/feeds", {"scope": "mine", "label": "Phone"})
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    url = FEED_URL.search(created.text).group(1)
    assert 'for="feed-url">Your calendar address' in created.text
    assert re.search(r'<button type="button" data-copy="feed-url"[^>]*>Copy address</button>', created.text)
    assert '<p id="feed-url-status" role="status"></p>' in created.text
    assert "Anyone who has this address" in text_of(created.text)
    token = urlsplit(url).path.rsplit("/", 1)[1].removesuffix(".ics")
    listing = await browser.get("/me/feeds")
    assert token not in listing.text and "My own schedule (Phone)" in text_of(listing.text)
    served = await client.get(urlsplit(url).path)
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/calendar")
    assert served.text.startswith("BEGIN:VCALENDAR")
    feed_id = re.search(r'action="/me/feeds/([0-9a-f-]+)/revoke"', listing.text).group(1)
    revoked = await browser.post(f"/me/feeds/{feed_id}/revoke", form_page="/me/feeds")
    assert revoked.status_code == 303 and revoked.headers["location"] == "/me/feeds?revoked=1"
    assert (await client.get(urlsplit(url).path)).status_code == 404
    after = await browser.get("/me/feeds?revoked=1")
    assert "no longer works" in text_of(after.text) and "You have no calendar feeds" in text_of(after.text)


async def test_org_feeds_and_refusals(client, api, pool, world):
    w = world
    browser = Visitor(client)
    await browser.login(w.me)
    made = await browser.post("/me/feeds", {"scope": "org", "org_id": w.org["id"], "discreet": "yes"})
    assert made.status_code == 201
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT scope, org_id::text, discreet FROM feed_tokens WHERE user_id = $1", w.me.id)
    assert tuple(row) == ("org", w.org["id"], True)
    listing = text_of((await browser.get("/me/feeds")).text)
    assert f"Everything at {w.org['name']}" in listing
    stranger_org = await api.org(await api.user())
    refused = await browser.post("/me/feeds", {"scope": "org", "org_id": stranger_org["id"]})
    assert refused.status_code == 404 and FEED_URL.search(refused.text) is None
    no_scope = await browser.post("/me/feeds", {"label": "x"})
    assert no_scope.status_code == 422 and "Choose what the feed shows" in no_scope.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM feed_tokens") == 1
    # Someone else cannot revoke my feed.
    feed_id = re.search(r'action="/me/feeds/([0-9a-f-]+)/revoke"', (await browser.get("/me/feeds")).text).group(1)
    other = Visitor(client)
    await other.login(w.other)
    assert (await other.post(f"/me/feeds/{feed_id}/revoke", form_page="/me/feeds")).status_code == 404
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM feed_tokens") == 1


async def test_notification_settings_round_trip(client, api, world):
    w = world
    browser = Visitor(client)
    await browser.login(w.me)
    page = await browser.get("/me/notifications")
    assert page.status_code == 200
    assert page.text.count('name="send[]"') == len(MESSAGE_KINDS)
    assert "Send me reminders before my sessions" in text_of(page.text)
    send = [k for k in MESSAGE_KINDS if k != "reminder"]
    saved = await browser.post("/me/notifications", {"send[]": send, "quiet_hours_start": "22:00",
                                                     "quiet_hours_end": "07:30", "discreet": "yes"})
    assert saved.status_code == 303 and saved.headers["location"] == "/me/notifications?saved=1"
    again = await browser.get(saved.headers["location"])
    assert re.search(r'role="status">Saved', again.text)
    assert re.search(r'value="reminder">', again.text) and not re.search(r'value="reminder" checked', again.text)
    assert re.search(r'value="invite" checked', again.text)
    assert 'value="22:00"' in again.text and 'value="07:30"' in again.text
    assert re.search(r'name="discreet" value="yes"[^>]* checked', again.text)
    stored = expect(await client.get(f"{API}/me/notifications", headers=w.me.headers), 200)
    assert stored == {"disabled_kinds": ["reminder"], "quiet_hours_start": "22:00", "quiet_hours_end": "07:30",
                      "discreet": True}
    bad = await browser.post("/me/notifications", {"send[]": [], "quiet_hours_start": "25:00",
                                                   "quiet_hours_end": "07:30"})
    assert bad.status_code == 422
    assert 'id="f-quiet_hours_start-error">Enter a time like 21:00.' in bad.text and 'aria-invalid="true"' in bad.text
    assert expect(await client.get(f"{API}/me/notifications", headers=w.me.headers), 200) == stored


async def test_trainings_record_and_list(client, api, pool, world):
    w = world
    browser = Visitor(client)
    await browser.login(w.me)
    assert "not recorded any trainings" in text_of((await browser.get("/me/trainings")).text)
    completed, expires = today("UTC", days=-30), today("UTC", days=700)  # still valid, whenever this runs
    done = await browser.post("/me/trainings", {"code": "mhfa", "completed_on": completed.isoformat(),
                                                "expires_on": expires.isoformat()})
    assert done.status_code == 303 and done.headers["location"] == "/me/trainings?saved=1"
    text = text_of((await browser.get("/me/trainings?saved=1")).text)
    assert "Saved." in text and f"MHFA {completed:%d %b %Y} {expires:%d %b %Y} Self-reported" in text
    bad_code = await browser.post("/me/trainings", {"code": "!!", "completed_on": "2026-01-05"})
    assert bad_code.status_code == 422 and "Use letters, numbers" in bad_code.text
    backwards = await browser.post("/me/trainings", {"code": "QPR", "completed_on": "2026-01-05",
                                                     "expires_on": "2025-01-05"})
    assert backwards.status_code == 422 and 'id="f-expires_on-error"' in backwards.text
    assert 'value="QPR"' in backwards.text  # what was typed is kept
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM trainings") == 1


@pytest.mark.parametrize("path", ["/me", "/me/feeds", "/me/notifications", "/me/trainings", "/me/export.json",
                                  "/me/delete"])
async def test_anonymous_visitors_are_sent_to_log_in(client, path):
    response = await Visitor(client).get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/login?next={path}"


async def test_export_downloads_my_data(client, api, world):
    browser = Visitor(client)
    await browser.login(world.me)
    assert 'href="/me/export.json"' in (await browser.get("/me")).text
    response = await browser.get("/me/export.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"].startswith("attachment")
    data = response.json()
    assert data["profile"]["email"] == world.me.email and data["organizations"][0]["org_id"] == world.org["id"]


async def test_log_out_everywhere_ends_every_session(client, api, world):
    laptop, phone = Visitor(client), Visitor(client)
    await laptop.login(world.me)
    await phone.login(world.me)
    done = await laptop.post("/me/logout-all", form_page="/me")
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert "coord_session" not in laptop.cookies
    for browser in (laptop, phone):
        response = await browser.get("/me", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login?next=/me"
    assert (await client.get(f"{API}/me", headers=world.me.headers)).status_code == 401


async def test_delete_my_account_needs_the_confirmation(client, api, pool, world):
    browser = Visitor(client)
    await browser.login(world.me)
    unconfirmed = await browser.post("/me/delete")
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT deleted_at FROM users WHERE id = $1", world.me.id) is None
    done = await browser.post("/me/delete", {"confirm": "yes"})
    assert done.status_code == 303 and done.headers["location"] == "/me/deleted"
    assert "coord_session" not in browser.cookies
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT email, deleted_at FROM users WHERE id = $1", world.me.id)
    assert row["email"] is None and row["deleted_at"] is not None
    assert "Your account is deleted" in (await browser.get("/me/deleted")).text


async def test_my_schedule_says_when_the_next_thing_is_however_far(client, api, world):
    """Nothing in the next two months: the page says when the next item is and links there."""
    far = start_in(100)
    await sign_up(client, world.me, await make_shift(client, world, far, role="Harvest fair"))
    browser = Visitor(client)
    await browser.login(world.me)
    mine = await browser.get("/me")
    said = text_of(mine.text)
    assert "Nothing planned in these weeks" in said and "Your next one is on" in said
    day = far.astimezone(ZoneInfo(TOKYO)).date().isoformat()
    assert f'href="/me?from={day}"' in mine.text
    there = await browser.get(f"/me?from={day}")
    assert "Harvest fair" in text_of(there.text)


async def test_my_schedule_speaks_spanish_and_arabic_with_its_dates(client, api, world, monkeypatch):
    from babel.dates import format_skeleton
    from coord import i18n
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})
    w = world
    first, _ = await make_sessions(client, w)
    confirmed = await make_shift(client, w, start_in(3))
    same_day = await make_shift(client, w, start_in(3, hour=12), role="Kitchen")  # 21:00 in Tokyo, that day
    full = await make_shift(client, w, start_in(4), role="Setup")
    await sign_up(client, w.me, confirmed)
    await sign_up(client, w.me, same_day)
    await sign_up(client, w.other, full)
    await sign_up(client, w.me, full)
    event = await make_event(client, w, start_in(5, hour=9))
    expect(await client.post(f"{API}/events/{event['id']}/registrations", headers=w.me.headers), 201)
    browser = Visitor(client)
    await browser.login(w.me)
    going = await browser.post(f"/me/sessions/{first['id']}/rsvp", {"response": "going"}, form_page="/me")
    spanish = (await browser.get(going.headers["location"], headers={"accept-language": "es"})).text
    said = text_of(spanish)
    assert "Mi agenda" in said and "horas en Asia/Tokyo" in said and "Gracias: constas como que vas." in said
    day = datetime.fromisoformat(confirmed["starts_at"]).astimezone(ZoneInfo(TOKYO))
    heading = f"<h2>{format_skeleton('yMMMMEEEEd', day, locale='es')}</h2>"  # CLDR: "jueves, 10 de diciembre de 2026"
    # One heading for the day, over both of its shifts.
    assert spanish.count(heading) == 1
    that_day = spanish.split(heading)[1].split("<h2>")[0]
    assert f'id="shift-{confirmed["id"]}"' in that_day and f'id="shift-{same_day["id"]}"' in that_day
    assert "Has dicho que vas." in card(spanish, f"session-{first['id']}")
    assert "Tienes plaza confirmada en este turno." in card(spanish, f"shift-{confirmed['id']}")
    assert re.search(r'Cancelar mi plaza<span class="visually-hidden"> en Greeter, ', spanish)
    assert "en la posición 1" in card(spanish, f"shift-{full['id']}")
    assert re.search(r'Salir de la lista de espera<span class="visually-hidden"> de Setup, ', spanish)
    assert "Estás inscrito en este evento." in card(spanish, f"event-{event['id']}")
    assert "Cerrar sesión en todas partes" in said and "Después" in said
    arabic = (await browser.get("/me", headers={"accept-language": "ar"})).text
    assert 'dir="rtl"' in arabic and "جدولي" in arabic and "أنت مسجّل في هذه الفعالية." in arabic
    assert f"<h2>{format_skeleton('yMMMMEEEEd', day, locale='ar')}</h2>" in arabic
    assert "مغادرة قائمة الانتظار" in card(arabic, f"shift-{full['id']}")
    assert "Cancel my" not in arabic and "Leave the waitlist" not in arabic and "My settings" not in arabic
