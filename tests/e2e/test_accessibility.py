"""Every page, for every role, in English, Spanish and Arabic, at 375 px and 1280 px, passes
axe-core's WCAG 2.2 A and AA rules (issue 16.10).

One browser and one `coord serve` for all of it: each role signs in once (its own context, the
six side by side), then every GET page of web/setup.py is opened once per language and checked
at both widths (the viewport changes under the loaded page). A page whose <main> has the shape
of one already checked in that language is not checked again (see _SHAPES), nor is a 403 or
404 page after the first per language (one template). Violations are collected and reported
together, page by page.
"""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from tests.e2e.conftest import DESKTOP, MOBILE, axe_report, axe_violations, log_in
from tests.support.authz_world import build_world, page_routes

LANGUAGES = ("en", "es", "ar")
ROLES = ("anonymous", "participant", "volunteer", "facilitator", "coordinator", "admin")


def page_urls(app, params: dict, overrides: dict) -> list[str]:
    paths = sorted(p for m, p in page_routes(app) if m == "GET" and "." not in p.rsplit("/", 1)[-1])  # not a download
    urls = []
    for path in paths:
        try:
            urls.append(path.format(**params))
        except KeyError:  # a route the authorization matrix does not know yet (it fails there)
            print(f"not visited: {path}")
    urls.append(f"/sessions/{overrides['recordAttendance']['session_id']}")  # held: its attendance
    return urls


async def test_the_checker_finds_what_it_should(browser, axe_source):
    """axe-core is really running: a page with an unlabelled image and field fails."""
    context = await browser.new_context(viewport=MOBILE)
    try:
        page = await context.new_page()
        await page.set_content('<html lang="en"><title>t</title><main><img src="data:,"><input></main></html>')
        found = {v["id"] for v in await axe_violations(page, axe_source)}
    finally:
        await context.close()
    assert {"image-alt", "label"} <= found, found


# A part's shape: its elements and attributes with text, numbers, ids and tokens left out. Two
# pages whose <main> has one shape (the same page for a coordinator and an admin, a form for any
# signed-in person) give axe-core the same answers there, so it is checked once per language;
# the header and footer (the menu differs by role) are checked whenever theirs is new. Shapes are
# read from the HTML fetched without the browser rendering it (and without following a redirect):
# a page is opened in the browser only when it has something new to check.
_PARTS = {"main": re.compile(r"<main\b.*?</main>", re.S),
          "chrome": re.compile(r'<a class="skip".*?</header>|<footer class="site">.*?</footer>', re.S)}
_NOISE = [(re.compile(r">[^<]*<"), lambda m: "><" if not m.group(0)[1:-1].strip() else ">T<"),
          (re.compile(r'value="[^"]*"'), lambda m: 'value=""'),
          (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), lambda m: "U"),
          (re.compile(r"[0-9]+"), lambda m: "0"),
          # A list of one card or of three, a menu of ten options or eleven: one shape.
          (re.compile(r"(<(li|tr|option|dt|dd)\b(?:(?!<\2\b).)*?</\2>)(?:\s*\1)+", re.S), lambda m: m.group(1))]
CHROME = ["body > header", "body > footer", "body > .skip"]


def shapes(html: str) -> tuple[str, str]:
    found = []
    for part in _PARTS.values():
        text = "".join(part.findall(html))
        for pattern, replace in _NOISE:
            text = pattern.sub(replace, text)
        found.append(text)
    return found[0], found[1]


async def _signed_in(browser, served, world, role, axe_source):
    context = await browser.new_context(viewport=MOBILE, base_url=served)
    context.set_default_timeout(15_000)
    # axe-core in every document the context opens, sent to Chromium once (not once a page).
    await context.add_init_script(axe_source)
    page = await context.new_page()
    if role != "anonymous":
        await log_in(page, world["people"][role], "/me")
    return page


async def _check_role(page, served, role, urls, axe_source, seen: set, failures: list) -> int:
    """Every page for one role, in each language, at both widths; returns the checks run."""
    checked = 0
    context = page.context
    widths = [MOBILE, DESKTOP]
    try:
        for language in LANGUAGES:
            await context.add_cookies([{"name": "coord_lang", "value": language, "url": served}])
            for url in urls:
                fetched = await context.request.get(url, max_redirects=0, headers={"accept": "text/html"})
                if fetched.status in (301, 302, 303, 307, 308):
                    continue  # sent elsewhere (to log in, to the one organization): checked there
                if not fetched.headers.get("content-type", "").startswith("text/html"):
                    continue  # not a page (the HSDS API answers JSON)
                main, chrome = shapes(await fetched.text())
                main_key, chrome_key = (language, "main", main), (language, "chrome", chrome)
                if main_key in seen and chrome_key in seen:
                    continue
                only = CHROME if main_key in seen else None  # the whole page, or just its new menu
                seen.update((main_key, chrome_key))
                response = await page.goto(url)
                where = f"{url} as {role} in {language}"
                if await page.get_attribute("html", "lang") != language:
                    failures.append(f"{where}: not a page in {language} (HTTP {response.status if response else 0})")
                    continue
                # At the width the page opened in, then the other: the next page opens at that one,
                # so no resize lays out a page about to be left (one layout a page fewer).
                for viewport in widths:
                    if viewport != widths[0]:
                        await page.set_viewport_size(viewport)
                    found = await axe_violations(page, axe_source, only)
                    checked += 1
                    if found:
                        failures.append(axe_report(f"{where} at {viewport['width']} px", found))
                widths.reverse()
    finally:
        await context.close()
    return checked


@pytest.mark.slow  # started first, so pytest-xdist's workers end together (tests/conftest.py)
async def test_every_page_for_every_role_in_every_language_at_both_widths(browser, served, app, client, api, pool,
                                                                          axe_source):
    started = time.monotonic()
    world = await build_world(client, api, pool)
    urls = page_urls(app, world["params"], world["overrides"])
    failures: list[str] = []
    seen: set = set()
    # The roles side by side, each in its own context of the one browser.
    pages = [await _signed_in(browser, served, world, role, axe_source) for role in ROLES]
    counts = await asyncio.gather(*(_check_role(page, served, role, urls, axe_source, seen, failures)
                                    for page, role in zip(pages, ROLES, strict=True)))
    elapsed = time.monotonic() - started
    print(f"axe-core: {sum(counts)} checks ({len(seen)} shapes of pages and menus) in {elapsed:.0f} s")
    assert sum(counts) > 100, f"only {sum(counts)} pages were checked"
    assert not failures, "\n\n".join(failures)
