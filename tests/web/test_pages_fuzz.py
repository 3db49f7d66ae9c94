"""Bad input to every page: each form post and query string, filled with hostile values,
answers a page or a redirect, never a server error (and the app keeps working after)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coord.demo import DEMO_PASSWORD, DEMO_SLUG, load_demo
from coord.web.setup import CSRF_COOKIE
from tests.pages import Visitor, csrf_of
from tests.support import User

TEMPLATES = Path(__file__).parents[2] / "src" / "coord" / "web" / "templates"
HOSTILE = [
    "", "x" * 3000, "\x00", "-1", "99999999999999999999", "2026-02-30", "25:61", "1e309",
    "<script>alert(1)</script>", "' OR '1'='1", "🙂", "not-a-uuid", "00000000-0000-0000-0000-000000000000",
]
# Posts that end the session or the account are exercised by their own tests, not fuzzed.
SKIP_POSTS = {"/logout", "/me/logout-all", "/me/delete"}


def form_field_names() -> list[str]:
    names: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        names.update(n for n in re.findall(r'name="([^"{]+)"', template.read_text()) if n != "_csrf_token")
    return sorted(names)


@pytest.fixture
async def demo(app, client, pool, settings):
    await load_demo(settings)
    ids = {
        "slug": DEMO_SLUG,
        "group_id": await pool.fetchval("SELECT id FROM groups ORDER BY name LIMIT 1"),
        "session_id": await pool.fetchval("SELECT id FROM sessions WHERE starts_at > now() ORDER BY starts_at LIMIT 1"),
        "event_id": await pool.fetchval("SELECT id FROM events ORDER BY starts_at LIMIT 1"),
        "shift_id": await pool.fetchval("SELECT id FROM shifts ORDER BY starts_at LIMIT 1"),
        "signup_id": await pool.fetchval("SELECT id FROM signups ORDER BY created_at LIMIT 1"),
        "user_id": await pool.fetchval("SELECT user_id FROM group_members WHERE role = 'participant' LIMIT 1"),
        "feed_id": "00000000-0000-0000-0000-000000000001",
        "delivery_id": "00000000-0000-0000-0000-000000000002",
        "venue_id": await pool.fetchval("SELECT id FROM venues ORDER BY name LIMIT 1"),
        "series_id": await pool.fetchval("SELECT id FROM series ORDER BY created_at LIMIT 1"),
        "invitation_id": "00000000-0000-0000-0000-000000000003",
        "token": "not-a-link-token",
        "organization_id": await pool.fetchval("SELECT id FROM orgs WHERE slug = $1", DEMO_SLUG),
        "referral_id": "00000000-0000-0000-0000-000000000004",
        "consent_id": "00000000-0000-0000-0000-000000000005",
        "service_id": "00000000-0000-0000-0000-000000000006",
        "report_id": "00000000-0000-0000-0000-000000000007",
    }
    admin = User(id="", email="admin@demo.coord.test", headers={})
    browser = Visitor(client)
    await browser.login(admin, password=DEMO_PASSWORD)
    return browser, ids


def page_routes(app, method: str) -> list[str]:
    paths = []
    for route in app.routes:
        if method in getattr(route, "methods", ()) and not route.path.startswith(("/api", "/schema", "/feeds", "/static")):
            paths.append(route.path)
    return sorted(paths)


def fill(path: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(ids[m.group(1)]), path)


@pytest.mark.slow
async def test_hostile_form_posts_never_break_a_page(app, demo, pool):
    browser, ids = demo
    # Rows of the event page's shifts form are named role-0, starts_at-0, ... (not literal in the template).
    rows = [f"{name}-0" for name in ("role", "starts_at", "ends_at", "location", "capacity", "description")]
    fields = form_field_names() + [f"status-{ids['user_id']}"] + rows
    posts = [p for p in page_routes(app, "POST") if p not in SKIP_POSTS]
    assert len(posts) >= 20, posts
    failures, seen = [], set()
    # A form's CSRF token is the browser's CSRF cookie (litestar), so it is read from /me once per
    # cookie, not by rendering /me before each of the ~300 posts (that was a third of the test's
    # time). A token gone stale would be refused with "form has expired": a failure, never a pass.
    tokens: dict[str | None, str] = {}

    async def post(url: str, data: dict[str, str]):
        cookie = browser.cookies.get(CSRF_COOKIE)
        if cookie not in tokens:
            tokens[cookie] = csrf_of((await browser.get("/me")).text)
        return await browser.post_raw(url, {"_csrf_token": tokens[cookie], **data}, follow_redirects=False)

    for path in posts:
        url = fill(path, ids)
        for value in HOSTILE:
            response = await post(url, {name: value for name in fields})
            seen.add(response.status_code)
            if response.status_code >= 500 or "form has expired" in response.text:
                # (the second: the post never reached the handler, so it proved nothing)
                failures.append(f"POST {url} with {value[:20]!r}: {response.status_code}")
        response = await post(url, {})
        if response.status_code >= 500:
            failures.append(f"POST {url} with nothing: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert {303, 422} <= seen  # the handlers ran: some posts were refused at a field, some went through
    assert (await browser.get("/me")).status_code == 200  # still signed in, still working


async def test_hostile_query_strings_never_break_a_page(app, demo):
    browser, ids = demo
    keys = ["week", "org", "role", "event", "from", "next", "preview", "start_date", "start_time", "timezone",
            "duration_minutes", "freq", "byday", "count", "until", "venue_id", "saved", "done", "just"]
    failures = []
    rendered = set()
    for path in page_routes(app, "GET"):
        if path in ("/health", "/ready", "/metrics", "/me/export.json", "/robots.txt"):
            continue
        url = fill(path, ids)
        for value in HOSTILE[1:]:
            response = await browser.get(url, params={k: value for k in keys})
            if response.status_code == 200:
                rendered.add(path)
            if response.status_code >= 500:
                failures.append(f"GET {url} with {value[:20]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
    # The handlers ran: pages for signed-in people only were really rendered (a lost session would redirect).
    assert {"/me", "/shifts"} <= rendered, sorted(rendered)
    assert (await browser.get("/me")).status_code == 200  # still signed in, still working
