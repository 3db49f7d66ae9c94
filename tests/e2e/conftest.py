"""Fixtures for the browser journeys: a real `coord serve` on the test database and
Debian's Chromium driven by Playwright (never a downloaded browser).

Chromium is /usr/bin/chromium-headless-shell, else /usr/bin/chromium (`make test` installs
the Debian packages where it may).
Without it, or without the playwright package, these tests skip and say why; with
COORD_REQUIRE_BROWSER=1 (CI) they fail instead. Every page a journey visits is saved
as a full-page PNG under test-output/screenshots/ at the repository root, and checked by
axe-core against WCAG 2.2 A and AA (issue 16.10): axe-core comes from npm into
tests/e2e/axe/node_modules (`make browser` runs npm ci there), is injected by Playwright
through the DevTools protocol and never served by coord; missing, it skips or fails the
same way as the browser.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.async_api import Error as PlaywrightError

from tests.support import PASSWORD, User, coord_serve

# Debian's headless build of the same Chromium (package chromium-headless-shell: Blink and V8
# without the desktop browser around them, what Playwright itself runs headless) when installed:
# the accessibility walk took 131 s of Chromium CPU in the full browser, 91 s in it.
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
CHROMIUM = HEADLESS_SHELL if HEADLESS_SHELL.exists() else Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # V8's baseline compiler only: every page is a new context, so Maglev and TurboFan optimized
    # axe-core and the pages' scripts again for each, on other threads, for runs of ~0.1 s
    # (the accessibility walk: renderer CPU 56 -> 44 s, its JavaScript no slower).
    "--js-flags=--max-opt=1",
]
MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe's tags; wcag22a holds no rule of its own).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _missing(reason: str):
    if os.environ.get("COORD_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (COORD_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def served(database_url, redis_url, tmp_path_factory):
    """`coord serve` as its own process on the test database and Redis."""
    # Spanish and Arabic are offered (the journeys in those languages) whatever coord.i18n says yet.
    with coord_serve(database_url, redis_url, tmp_path_factory.mktemp("e2e"),
                     tmp_path_factory.mktemp("e2e-log") / "serve.log", COORD_PREVIEW_LANGUAGES="es,ar") as base:
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


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing(f"axe-core is not installed in {AXE.parents[2]} (make browser, or npm ci there)")
    return AXE.read_text(encoding="utf-8")


_RUN_AXE = """([tags, only]) => axe.run(only ? {include: only} : document,
    {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then((result) => result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary, html: n.html}))})))"""


async def axe_violations(page, source: str, only: list[str] | None = None) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now (or in the parts `only` selects)."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol: the page's CSP (script-src 'self') is not involved.
        await page.evaluate(source)
    return await page.evaluate(_RUN_AXE, [AXE_TAGS, [[selector] for selector in only] if only else None])


def axe_report(where: str, violations: list[dict]) -> str:
    lines = [f"axe-core: {len(violations)} WCAG 2.2 A/AA rule(s) broken on {where}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['url']}>")
        for node in v["nodes"][:8]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    at {node['target']}: {summary[:300]}\n      {node['html'][:200]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.fixture
def axe(axe_source):
    """`await axe(page, "what")`: fails with a readable report on any WCAG 2.2 A/AA violation."""
    async def check(page, what: str = "") -> None:
        found = await axe_violations(page, axe_source)
        assert not found, axe_report(f"{page.url} {what}".strip(), found)
    return check


@pytest.fixture(autouse=True)
def _audited_shots(request):
    """Every page a journey saves a screenshot of is also checked by axe-core."""
    if "new_page" not in request.fixturenames:
        yield
        return
    Shots.audit = request.getfixturevalue("axe")
    yield
    Shots.audit = None


class Shots:
    """Full-page screenshots named <journey>-<step>-<what>.png, each page checked by axe-core."""

    audit = None  # set for each browser test by _audited_shots

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
        await _full_page_screenshot(page, path)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways: {width} px wide (see {path})"
        if Shots.audit is not None:
            await Shots.audit(page, f"(see {path.name})")
        return path


# Chromium's compositor now and then refuses a full-page capture while a page is still settling
# (here once, right after a navigation to a #fragment): "Protocol error (Page.captureScreenshot):
# Unable to capture screenshot". A frame later the same capture succeeds.
CAPTURE_REFUSED = "Unable to capture screenshot"
CAPTURE_TRIES = 3


async def _full_page_screenshot(page, path: Path) -> None:
    for tried in range(1, CAPTURE_TRIES + 1):
        try:
            await page.screenshot(path=str(path), full_page=True)
            return
        except PlaywrightError as error:
            if CAPTURE_REFUSED not in str(error) or tried == CAPTURE_TRIES:
                raise
        # Two animation frames: the page has painted again since the refusal.
        await page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _is_problem(message) -> bool:
    # A page the journey opens on purpose with a 403 or 404 logs "Failed to load resource";
    # anything else at error level (CSP "Refused to ...", script errors) is a defect.
    return message.type == "error" and not message.text.startswith("Failed to load resource: the server responded with a status of 4")


@pytest.fixture
async def new_page(browser, served, pool, redis, axe_source):
    """`await new_page()` -> a page in a fresh context (its own cookies) at the mobile viewport,
    or `new_page(viewport, permissions, timezone_id)`."""
    contexts = []
    # Console errors include every Content-Security-Policy violation and script error.
    problems: list[str] = []

    async def make(viewport: dict | None = None, permissions: list[str] | None = None, timezone_id: str | None = None,
                   locale: str | None = None):
        # timezone_id: the zone the browser says it is in (what coord.js preselects); the host's by default.
        # locale: the browser's language (its Accept-Language), e.g. "es-MX".
        context = await browser.new_context(viewport=viewport or MOBILE, base_url=served,
                                            permissions=permissions or [], timezone_id=timezone_id, locale=locale)
        context.set_default_timeout(15_000)
        # axe-core in every document the context opens, sent to Chromium once: V8 compiles it from
        # its cache (~20 ms a page) where page.evaluate sent and compiled 500 kB each time (~55 ms).
        await context.add_init_script(axe_source)
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
