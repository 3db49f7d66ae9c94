"""Fixtures for the browser journeys: a real `coord serve` on the test database and
Debian's Chromium driven by Playwright (never a downloaded browser).

Chromium is /usr/bin/chromium (`make test` installs the Debian package where it may).
Without it, or without the playwright package, these tests skip and say why; with
COORD_REQUIRE_BROWSER=1 (CI) they fail instead. Every page a journey visits is saved
as a full-page PNG under test-output/screenshots/ at the repository root.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.support import PASSWORD, User, coord_serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def _missing(reason: str):
    if os.environ.get("COORD_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (COORD_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def served(database_url, redis_url, tmp_path_factory):
    """`coord serve` as its own process on the test database and Redis."""
    with coord_serve(database_url, redis_url, tmp_path_factory.mktemp("e2e"),
                     tmp_path_factory.mktemp("e2e-log") / "serve.log") as base:
        yield base


@pytest.fixture(scope="session")
async def browser():
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is not installed (make browser, or apt-get install chromium)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[dev]')")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


class Shots:
    """Full-page screenshots named <journey>-<step>-<what>.png."""

    def __init__(self, journey: str) -> None:
        self.journey = journey
        self.step = 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob(f"{journey}-*.png"):
            old.unlink()

    async def __call__(self, page, what: str) -> Path:
        """Save the page, and check that nothing on it scrolls sideways at its viewport width."""
        self.step += 1
        path = SCREENSHOTS / f"{self.journey}-{self.step:02d}-{re.sub(r'[^a-z0-9]+', '-', what.lower()).strip('-')}.png"
        await page.screenshot(path=str(path), full_page=True)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways: {width} px wide (see {path})"
        return path


def _is_problem(message) -> bool:
    # A page the journey opens on purpose with a 403 or 404 logs "Failed to load resource";
    # anything else at error level (CSP "Refused to ...", script errors) is a defect.
    return message.type == "error" and not message.text.startswith("Failed to load resource: the server responded with a status of 4")


@pytest.fixture
async def new_page(browser, served, pool, redis):
    """`await new_page()` -> a page in a fresh context (its own cookies) at the mobile viewport,
    or `new_page(viewport, permissions, timezone_id)`."""
    contexts = []
    # Console errors include every Content-Security-Policy violation and script error.
    problems: list[str] = []

    async def make(viewport: dict | None = None, permissions: list[str] | None = None, timezone_id: str | None = None):
        # timezone_id: the zone the browser says it is in (what coord.js preselects); the host's by default.
        context = await browser.new_context(viewport=viewport or MOBILE, base_url=served,
                                            permissions=permissions or [], timezone_id=timezone_id)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = await context.new_page()
        page.on("console", lambda m: problems.append(f"{page.url}: {m.text}") if _is_problem(m) else None)
        page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
        return page

    yield make
    for context in contexts:
        await context.close()
    assert not problems, "the browser reported errors (a CSP violation or a script error):\n" + "\n".join(problems)


async def log_in(page, user: User, next_path: str = "/shifts", password: str = PASSWORD) -> None:
    """Through the real form: /login?next=..., type, press the button, land on `next_path`."""
    from playwright.async_api import expect

    await page.goto("/login?" + urlencode({"next": next_path}))
    await page.get_by_label("Email").fill(user.email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    # hx-boost turns the form post into a fetch and a history entry: wait on the URL, not a load event.
    await expect(page).to_have_url(re.compile(r"^https?://[^/]+" + re.escape(next_path) + r"(#.*)?$"))
