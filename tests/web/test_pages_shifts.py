"""The shift board page: a week of shifts, one-click sign up and cancel, the outcome said plainly."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.pages import Visitor, csrf_of, text_of
from tests.support import concurrently, expect
from tests.moments import now

API = "/api/v1"
BERLIN = ZoneInfo("Europe/Berlin")


def start_in(days: int, hour: int = 10) -> datetime:
    """A shift start `days` ahead at a fixed UTC hour (so the local text is predictable)."""
    day = (now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=timezone.utc)


async def make_shift(client, org, admin, starts: datetime, **fields) -> dict:
    body = {"role": "Greeter", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "capacity": 1} | fields
    return expect(await client.post(f"{API}/orgs/{org['id']}/shifts", json=body, headers=admin.headers), 201)


def board_path(org: dict, starts: datetime, **extra: str) -> str:
    week = starts.astimezone(BERLIN).date().isoformat()
    query = "&".join(f"{k}={v}" for k, v in {"org": org["slug"], "week": week, **extra}.items())
    return f"/shifts?{query}"


@pytest.fixture
async def board(api, client):
    admin = await api.user("admin")
    org = await api.org(admin)
    people = [await api.user(f"vol{i}", timezone="Europe/Berlin") for i in range(3)]
    for person in people:
        await api.member(org, admin, person, "volunteer")
    return org, admin, people


def shift_card(html: str, shift_id: str) -> str:
    found = re.search(rf'<li class="card shift[^"]*" id="shift-{shift_id}">(.*?)</li>', html, re.S)
    assert found, f"shift {shift_id} is not on the board"
    return found.group(1)


async def test_board_shows_places_waitlists_and_local_times(client, api, board):
    org, admin, (ana, ben, cai) = board
    starts = start_in(3, hour=16)
    shift = await make_shift(client, org, admin, starts, capacity=1)
    other = await make_shift(client, org, admin, starts + timedelta(hours=3), role="Setup", capacity=3)
    expect(await client.post(f"{API}/shifts/{shift['id']}/signups", headers=ben.headers), 201)
    expect(await client.post(f"{API}/shifts/{shift['id']}/signups", headers=cai.headers), 201)
    browser = Visitor(client)
    await browser.login(ana)
    html = (await browser.get(board_path(org, starts))).text
    full = text_of(shift_card(html, shift["id"]))
    assert "Full (1 place)" in full and "1 on the waitlist" in full
    local = starts.astimezone(BERLIN)
    assert f"{local:%H:%M}–{local + timedelta(hours=2):%H:%M}" in full  # Berlin time, not UTC
    assert "3 of 3 places open" in text_of(shift_card(html, other["id"]))
    # The contract: every open shift has a button whose accessible name starts with "Sign up".
    assert re.search(r"<button type=\"submit\">Sign up<span class=\"visually-hidden\"> for Setup", html)
    assert "Sign up for the waitlist" in full


async def test_one_click_sign_up_waitlist_and_promotion(client, api, pool, board):
    org, admin, (ana, ben, _) = board
    starts = start_in(4)
    shift = await make_shift(client, org, admin, starts, capacity=1)
    ana_browser, ben_browser = Visitor(client), Visitor(client)
    await ana_browser.login(ana)
    await ben_browser.login(ben)
    path = board_path(org, starts)
    week = path.split("week=")[1]
    done = await ana_browser.post(f"/shifts/{shift['id']}/signup", {"org": org["slug"], "week": week}, form_page=path)
    assert done.status_code == 303 and f"just={shift['id']}" in done.headers["location"]
    after = await ana_browser.get(done.headers["location"])
    assert "You are confirmed for this shift." in text_of(shift_card(after.text, shift["id"]))

    waiting = await ben_browser.post(f"/shifts/{shift['id']}/signup", {"org": org["slug"], "week": week}, form_page=path)
    ben_page = await ben_browser.get(waiting.headers["location"])
    assert "You are on the waitlist at position 1." in text_of(shift_card(ben_page.text, shift["id"]))

    cancelled = await ana_browser.post(f"/shifts/{shift['id']}/cancel", {"org": org["slug"], "week": week}, form_page=path)
    assert cancelled.status_code == 303
    assert "You are no longer signed up" in text_of(shift_card((await ana_browser.get(cancelled.headers["location"])).text, shift["id"]))
    promoted = await ben_browser.get(path)
    assert "You are confirmed for this shift." in text_of(shift_card(promoted.text, shift["id"]))
    statuses = dict(await pool.fetch("SELECT user_id::text, status FROM signups WHERE shift_id = $1", shift["id"]))
    assert statuses == {ana.id: "cancelled", ben.id: "confirmed"}


async def test_filters_by_role_and_event(client, api, board):
    org, admin, (ana, _, _) = board
    starts = start_in(5)
    event = expect(await client.post(f"{API}/orgs/{org['id']}/events", headers=admin.headers, json={
        "title": "Wellbeing fair", "kind": "awareness", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=6)).isoformat(), "timezone": "Europe/Berlin", "visibility": "public"}), 201)
    greeter = await make_shift(client, org, admin, starts, event_id=event["id"])
    setup = await make_shift(client, org, admin, starts + timedelta(hours=2), role="Setup")
    browser = Visitor(client)
    await browser.login(ana)
    by_role = (await browser.get(board_path(org, starts, role="Setup"))).text
    assert f"shift-{setup['id']}" in by_role and f"shift-{greeter['id']}" not in by_role
    by_event = (await browser.get(board_path(org, starts, event=event["id"]))).text
    assert f"shift-{greeter['id']}" in by_event and f"shift-{setup['id']}" not in by_event
    assert "Wellbeing fair" in by_event


async def test_missing_training_is_explained_and_changes_nothing(client, api, pool, board):
    org, admin, (ana, _, _) = board
    starts = start_in(3)
    shift = await make_shift(client, org, admin, starts, required_training="MHFA")
    browser = Visitor(client)
    await browser.login(ana)
    path = board_path(org, starts)
    before = text_of(shift_card((await browser.get(path)).text, shift["id"]))
    assert "Needs the MHFA training, valid on this date, which you have not recorded." in before
    refused = await browser.post(f"/shifts/{shift['id']}/signup", {"org": org["slug"], "week": path.split("week=")[1]},
                                 form_page=path)
    assert refused.status_code == 403
    assert "needs the MHFA training" in text_of(refused.text) and 'href="/me/trainings"' in refused.text
    # Plain words on the page: where to add the training, never an API path (issue 16.9).
    assert "Add it on your Trainings page" in text_of(refused.text) and "POST /" not in refused.text
    assert await pool.fetchval("SELECT count(*) FROM signups") == 0
    expires = (starts + timedelta(days=30)).date().isoformat()
    expect(await client.post(f"{API}/me/trainings", headers=ana.headers, json={
        "code": "MHFA", "completed_on": "2026-01-05", "expires_on": expires}), 201)
    after = text_of(shift_card((await browser.get(path)).text, shift["id"]))
    assert "Needs the MHFA training (you have it)." in after


async def test_board_shows_only_the_viewers_own_organizations(client, api, board, pool):
    org, admin, (ana, _, _) = board
    other_admin = await api.user()
    other = await api.org(other_admin)
    secret = await make_shift(client, other, other_admin, start_in(3), role="Hidden role")
    browser = Visitor(client)
    await browser.login(ana)
    html = (await browser.get(f"/shifts?org={other['slug']}")).text
    assert "Hidden role" not in html and f"shift-{secret['id']}" not in html
    assert org["name"] in html  # shown her own organization instead
    stranger = await api.user()
    lonely = Visitor(client)
    await lonely.login(stranger)
    assert "not a member of any organization" in text_of((await lonely.get("/shifts")).text)
    # Posting to another organization's shift is the 404 page, and changes nothing.
    refused = await browser.post(f"/shifts/{secret['id']}/signup", {"org": org["slug"]}, form_page="/shifts")
    assert refused.status_code == 404
    assert await pool.fetchval("SELECT count(*) FROM signups WHERE shift_id = $1::uuid", secret["id"]) == 0


async def test_many_people_clicking_at_once_fill_one_place(client, api, pool):
    admin = await api.user("admin")
    org = await api.org(admin)
    people = [await api.user() for _ in range(12)]
    for person in people:
        await api.member(org, admin, person, "volunteer")
    shift = await make_shift(client, org, admin, start_in(3), capacity=1)
    browsers = [Visitor(client) for _ in people]
    for browser, person in zip(browsers, people):
        await browser.login(person)
    # Every form first (Visitor.post would GET it right before its POST), then all twelve
    # clicks at once on the app's own event loop.
    clicks = []
    for browser in browsers:
        form = await browser.get("/shifts")
        clicks.append(("POST", f"/shifts/{shift['id']}/signup", browser._headers(),
                       {"data": {"_csrf_token": csrf_of(form.text), "org": org["slug"]}}))
    results = concurrently(client, clicks)
    assert all(r.status_code == 303 for r in results)
    rows = await pool.fetch("SELECT status, count(*) AS n FROM signups WHERE shift_id = $1 GROUP BY status", shift["id"])
    assert {r["status"]: r["n"] for r in rows} == {"confirmed": 1, "waitlisted": 11}


async def test_the_board_opens_on_the_week_of_the_next_open_shift(client, api, board):
    """Nobody is greeted with an empty week while an open shift exists later: without a week
    asked for, the board opens on its week; an empty week asked for says when it is."""
    org, admin, (ana, ben, _cai) = board
    later = start_in(24, hour=16)  # more than three weeks ahead
    full = await make_shift(client, org, admin, start_in(2, hour=16), capacity=1)
    expect(await client.post(f"{API}/shifts/{full['id']}/signups", headers=ben.headers), 201)  # no place left
    ahead = await make_shift(client, org, admin, later, role="Kitchen", capacity=2)
    browser = Visitor(client)
    await browser.login(ana)

    opened = await browser.get(f"/shifts?org={org['slug']}")
    assert opened.status_code == 200
    assert shift_card(opened.text, ahead["id"])  # the week of the open shift, not this one
    assert f'id="shift-{full["id"]}"' not in opened.text

    this_week = await browser.get(board_path(org, now()))
    assert f'id="shift-{ahead["id"]}"' not in this_week.text
    said = text_of(this_week.text)
    assert "The next shift with a place left is in the week of" in said
    assert board_path(org, later).split("week=")[1] in this_week.text.replace("&amp;", "&")

    # A filtered board keeps its filter and week: it only says where the next open shift is.
    filtered = await browser.get(f"/shifts?org={org['slug']}&role=Greeter")
    assert f'id="shift-{ahead["id"]}"' not in filtered.text


async def test_the_board_speaks_spanish_and_arabic_with_their_plurals_and_dates(client, api, board, monkeypatch):
    from coord import i18n
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})
    org, admin, (ana, ben, _) = board
    starts = start_in(3, hour=16)
    full = await make_shift(client, org, admin, starts, capacity=1, location="Room 2")
    open_ = await make_shift(client, org, admin, starts + timedelta(hours=3), role="Setup", capacity=3)
    expect(await client.post(f"{API}/shifts/{full['id']}/signups", headers=ben.headers), 201)
    browser = Visitor(client)
    await browser.login(ana)
    spanish = (await browser.get(board_path(org, starts), headers={"accept-language": "es"})).text
    assert "Turnos de voluntariado" in spanish and "semana del" in spanish and "Semana siguiente" in spanish
    card = text_of(shift_card(spanish, full["id"]))
    assert "Completo (1 plaza)" in card and "Dónde: Room 2" in card and "Apuntarme a la lista de espera" in card
    assert "3 de 3 plazas libres" in text_of(shift_card(spanish, open_["id"]))
    assert re.search(r'Apuntarme<span class="visually-hidden"> a Setup, ', spanish)
    arabic = (await browser.get(board_path(org, starts), headers={"accept-language": "ar"})).text
    # A name written left to right is isolated in the Arabic sentence (FSI ... PDI, as <bdi>); numbers are not.
    assert 'dir="rtl"' in arabic and "مناوبات التطوع" in arabic and "المكان: \u2068Room 2\u2069" in arabic
    assert "الأماكن المتاحة: 3 من 3" in text_of(shift_card(arabic, open_["id"]))
    assert "Full (" not in arabic and "Sign up" not in arabic
