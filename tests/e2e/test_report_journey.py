"""A coordinator reads the report (issue 18) in Chromium: the charts, their tables, the rule
that protects people, at 1280 px, on a 375 px phone without sideways scrolling, and as printed."""

from __future__ import annotations

try:
    from playwright.async_api import expect as see
except ImportError:  # the `browser` fixture skips (or fails under COORD_REQUIRE_BROWSER) and says why
    see = None

from tests.e2e.conftest import DESKTOP, MOBILE, Shots, log_in
from tests.support.report_world import build, label


async def test_a_coordinator_reads_the_report_on_a_desk_a_phone_and_paper(new_page, api, pool):
    s, m1, m2 = await build(api.client, api, pool)
    shots = Shots("report")
    path = f"/orgs/{s.org['slug']}/reports"
    page = await new_page(viewport=DESKTOP)
    await log_in(page, s.coordinator, next_path=f"/orgs/{s.org['slug']}/coordination")
    await page.get_by_role("link", name="Reports").click()
    await see(page.get_by_role("heading", level=1)).to_contain_text("Report")
    await page.get_by_label("From (month)").fill(label(m1))
    await page.get_by_label("To (month)").fill(label(m2))
    await page.get_by_role("button", name="Show the report").click()
    await see(page.get_by_role("img", name="Attendance over time")).to_be_visible()
    await see(page.get_by_role("img", name="Volunteer hours over time")).to_be_visible()
    await see(page.get_by_text("1-10").first).to_be_visible()
    await shots(page, "coordinator desktop")

    phone = await new_page(viewport=MOBILE)
    await log_in(phone, s.coordinator, next_path=f"{path}?from={label(m1)}&to={label(m2)}")
    await see(phone.get_by_role("img", name="Coverage")).to_be_visible()
    # hx-boost swaps the page in, and the report's own stylesheet loads after: measure with it
    # applied (its filters are a flex row). Not wait_for_function: when its first check failed
    # on a busy box, Playwright polled by evaluating the string in the page, which the pages'
    # CSP refuses (no 'unsafe-eval'), and the test failed on that CSP report.
    await see(phone.locator("form.report-filters")).to_have_css("display", "flex")
    assert await phone.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    await shots(phone, "coordinator phone")
    await page.emulate_media(media="print")  # paper: the figures, not the forms
    await see(page.locator("form.report-filters")).to_be_hidden()
    await see(page.get_by_role("heading", name="Every figure")).to_be_visible()
    await shots(page, "coordinator printed")
