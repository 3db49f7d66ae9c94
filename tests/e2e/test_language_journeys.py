"""Issue 16.11 in the browser: a Spanish-speaking participant joins a group, sees My schedule
and copies a calendar feed; an Arabic-speaking volunteer signs up for a shift and gives it up
on a 375 px phone, right to left. Each page is saved as a full-page screenshot and checked by
axe-core (tests/e2e/conftest.py, Shots); the words asserted are the catalogs' own.
"""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

try:
    from playwright.async_api import expect as see
except ImportError:  # the `browser` fixture skips (or fails under COORD_REQUIRE_BROWSER) and says why
    see = None

from coord import i18n
from tests.e2e.conftest import MOBILE, Shots, log_in
from tests.moments import now
from tests.support import PASSWORD, expect
from tests.support.world import make_group

ZONE = "America/Chicago"


def said(code: str, msgid: str) -> str:
    """The msgid as the language's catalog says it; asserted to be translated."""
    text = i18n.catalog(code).translations.gettext(msgid)
    assert text != msgid, f"{code} does not translate {msgid!r}"
    return text


def visible(code: str, msgid: str) -> str:
    """What a button with a visually hidden end shows: its translation up to the hidden <span>."""
    return said(code, msgid).split("<span", 1)[0].strip()


async def test_a_spanish_speaking_participant_joins_a_group_and_copies_her_calendar(new_page, api):
    admin = await api.user("admin", timezone=ZONE)
    org = await api.org(admin, timezone=ZONE)
    group = await make_group(api.client, org, admin, name="Grupo de apoyo Esperanza", timezone=ZONE)
    starts = (now() + timedelta(days=2)).astimezone(ZoneInfo(ZONE)).replace(hour=18, minute=30, second=0,
                                                                             microsecond=0, tzinfo=None)
    expect(await api.client.post(f"/api/v1/groups/{group['id']}/series", json={
        "start": starts.isoformat(), "timezone": ZONE, "duration_minutes": 90, "rrule": "FREQ=WEEKLY;COUNT=3"},
        headers=admin.headers), 201)
    lucia = await api.user("lucia", timezone=ZONE)
    await api.member(org, admin, lucia, "participant")
    shots = Shots("spanish-participant")
    # Her browser asks for Mexican Spanish: coord answers in Spanish before she has said anything.
    page = await new_page(permissions=["clipboard-read", "clipboard-write"], locale="es-MX", timezone_id=ZONE)

    await page.goto(f"/login?next=/groups/{group['id']}")
    await see(page.locator("html")).to_have_attribute("lang", "es")
    await see(page.locator("html")).to_have_attribute("dir", "ltr")
    await see(page.get_by_role("heading", level=1)).to_have_text(said("es", "Log in"))
    await shots(page, "log in")
    await page.get_by_label(said("es", "Email")).fill(lucia.email)
    await page.get_by_label(said("es", "Password")).fill(PASSWORD)
    await page.get_by_role("button", name=said("es", "Log in")).click()
    await see(page).to_have_url(re.compile(rf"/groups/{group['id']}$"))

    await see(page.get_by_role("heading", name=said("es", "Joining"))).to_be_visible()
    await shots(page, "group")
    await page.get_by_role("button", name=said("es", "Join this group")).click()
    await see(page.get_by_role("button", name=said("es", "Leave the group"))).to_be_visible()
    await shots(page, "joined")

    await page.get_by_role("link", name=said("es", "My schedule")).click()
    await see(page.get_by_role("heading", level=1)).to_have_text(said("es", "My schedule"))
    main = page.locator("main")
    await see(main).to_contain_text("Grupo de apoyo Esperanza")
    await see(main).to_contain_text("18:30")
    # The session's month in Spanish CLDR words ("dic" or "diciembre"), never "Dec".
    month = {get_month_names(width, locale="es")[starts.month] for width in ("abbreviated", "wide")}
    text = await main.inner_text()
    assert any(name in text for name in month), (month, text)
    await shots(page, "my schedule")

    await page.goto("/me/feeds")
    await see(page.get_by_role("heading", level=1)).to_have_text(said("es", "Calendar feeds"))
    await page.get_by_role("button", name=said("es", "Create feed")).click()
    address = page.get_by_label(said("es", "Your calendar address"))
    await see(address).to_have_value(re.compile(r"^https?://.+/feeds/.+\.ics$"))
    await page.get_by_role("button", name=said("es", "Copy address")).click()
    await see(page.locator("#feed-url-status")).to_have_text(said("es", "Copied."))
    assert await page.evaluate("navigator.clipboard.readText()") == await address.input_value()
    await shots(page, "feed copied")


async def _arabic_volunteer_setup(api):
    admin = await api.user("admin", timezone=ZONE)
    org = await api.org(admin, timezone=ZONE)
    karim = await api.user("karim", timezone=ZONE)
    await api.member(org, admin, karim, "volunteer")
    # His saved language is Arabic: every page once he is signed in.
    expect(await api.client.patch("/api/v1/me", json={"locale": "ar"}, headers=karim.headers), 200)
    starts = (now() + timedelta(days=1)).astimezone(ZoneInfo(ZONE)).replace(hour=10, minute=0, second=0, microsecond=0)
    shifts = []
    for role, offset in (("Kitchen", 0), ("Reception", 1)):  # the second overlaps the first
        body = {"role": role, "starts_at": (starts + timedelta(hours=offset)).isoformat(),
                "ends_at": (starts + timedelta(hours=offset + 3)).isoformat(), "capacity": 2}
        shifts.append(expect(await api.client.post(f"/api/v1/orgs/{org['id']}/shifts", json=body,
                                                   headers=admin.headers), 201))
    return org, karim, starts, shifts


async def test_an_arabic_speaking_volunteer_signs_up_and_cancels_on_a_phone_right_to_left(new_page, api):
    org, karim, starts, (kitchen, reception) = await _arabic_volunteer_setup(api)
    shots = Shots("arabic-volunteer")
    page = await new_page(MOBILE, timezone_id=ZONE)
    await log_in(page, karim, "/shifts")
    board = f"/shifts?org={org['slug']}&week={starts.date().isoformat()}"
    await page.goto(board)
    html = page.locator("html")
    await see(html).to_have_attribute("lang", "ar")
    await see(html).to_have_attribute("dir", "rtl")
    await see(page.get_by_role("heading", level=1)).to_have_text(said("ar", "Volunteer shifts"))
    # Right to left: the page's text starts at the right edge of the phone.
    assert await page.evaluate("getComputedStyle(document.querySelector('main h1')).direction") == "rtl"
    await shots(page, "board")

    card = page.locator(f"#shift-{kitchen['id']}")
    await card.get_by_role("button", name=re.compile("^" + re.escape(
        visible("ar", 'Sign up<span class="visually-hidden"> for %(role)s, %(when)s</span>')))).click()
    confirmed = said("ar", "You are confirmed for this shift.")
    await see(card).to_contain_text(confirmed)
    # Said once through the live region that is always on the page; focus back on the card.
    await see(page.locator("#board-status")).to_contain_text(confirmed)
    await see(card.get_by_role("heading")).to_be_focused()
    assert page.url.endswith(board), f"the address changed to {page.url}"
    await shots(page, "signed up")

    # The overlapping shift is refused: an alert, in Arabic, and nothing changes.
    other = page.locator(f"#shift-{reception['id']}")
    await other.get_by_role("button", name=re.compile("^" + re.escape(
        visible("ar", 'Sign up<span class="visually-hidden"> for %(role)s, %(when)s</span>')))).click()
    alert = page.locator("#board-alert")
    await see(alert).not_to_be_empty()
    assert await alert.get_attribute("role") == "alert"
    await see(other.get_by_role("heading")).to_be_focused()
    assert re.search(r"[\u0600-\u06FF]", await alert.inner_text()), await alert.inner_text()
    assert page.url.endswith(board), f"the address changed to {page.url}"
    await shots(page, "overlap refused")

    await card.get_by_role("button", name=re.compile("^" + re.escape(
        visible("ar", 'Cancel my place<span class="visually-hidden"> on %(role)s, %(when)s</span>')))).click()
    gone = said("ar", "You are no longer signed up for this shift.")
    await see(page.locator("#board-status")).to_contain_text(gone)
    await see(card.get_by_role("heading")).to_be_focused()
    await shots(page, "cancelled")

    # A reload is the board again, never a 405 for the form's address.
    response = await page.reload()
    assert response.status == 200 and page.url.endswith(board)

    # His account form, right to left at 375 px (Shots checks nothing scrolls sideways).
    await page.goto("/me/account")
    await see(html).to_have_attribute("dir", "rtl")
    await shots(page, "account form")
