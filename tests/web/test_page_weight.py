"""No page heavier than 200 KB: every page the demo volunteer, facilitator and
coordinator can reach, on the demo organization's data, and the static files."""

from __future__ import annotations

import re

from coord.demo import DEMO_PASSWORD, DEMO_SLUG, load_demo
from coord.web.static_assets import STATIC as STATIC_DIR
from tests.pages import Visitor
from tests.support import User
from tests.support.demo import PAGES, demo_objects

LIMIT = 200 * 1024
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')
# GET routes that are no page: probes, metrics, a JSON download, calendar files.
NOT_PAGES = ("/health", "/ready", "/metrics", "/me/export.json", "/robots.txt")


def page_templates(app) -> set[str]:
    """Every GET page the app serves, its path parameters written as {}."""
    return {re.sub(r"\{[^}]*\}", "{}", route.path) for route in app.routes
            if "GET" in getattr(route, "methods", ()) and route.path not in NOT_PAGES and not route.path.endswith(".ics")
            and not route.path.startswith(("/api", "/schema", "/feeds", "/static", "/hsds"))  # /hsds: JSON
            and not route.path.endswith(".csv")}


async def test_every_page_and_static_file_weighs_less_than_200_kb(settings, pool, client):
    await load_demo(settings)
    objects = await demo_objects(pool)
    assert page_templates(client.app) == {re.sub(r"\{\w+\}", "{}", p.split("?")[0]) for p in PAGES}  # none left out
    sizes: dict[str, int] = {}
    for persona in ("volunteer", "facilitator", "coordinator"):
        email = f"{persona}@demo.coord.test"
        visitor = Visitor(client)
        await visitor.login(User(str(await pool.fetchval("SELECT id FROM users WHERE email = $1", email)), email, {}),
                            password=DEMO_PASSWORD)
        for path in PAGES:
            url = path.format(**objects)
            response = await visitor.get(url)
            assert response.status_code in (200, 403, 404), f"{persona} GET {url}: {response.status_code}"
            if response.status_code == 200:
                sizes[f"{persona} {url}"] = len(response.content)
    assert len(sizes) >= 15, sizes  # the pages that exist today, for three people
    assert f"coordinator /groups/{objects['group']}/schedule?{objects['preview']}" in sizes  # the preview rendered
    assert sizes[f"volunteer /shifts?org={DEMO_SLUG}"] > 5_000  # the board really holds the demo's shifts
    heavy = {page: size for page, size in sizes.items() if size >= LIMIT}
    assert not heavy, heavy

    home = await client.get("/")
    statics = sorted(set(STATIC.findall(home.text)))
    assert statics, "the start page links no stylesheet or script"
    for path in statics:
        response = await client.get(path)
        assert response.status_code == 200 and 0 < len(response.content) < LIMIT, (path, len(response.content))


async def test_static_files_go_gzipped_to_who_takes_it_and_pages_never(client):
    """A phone on a slow line gets htmx in a third of its size. Pages stay as they are: they
    carry the CSRF token beside what people type, which compressed is BREACH's opening."""
    statics = sorted(set(STATIC.findall((await client.get("/")).text)))
    for path in statics:
        on_disk = (STATIC_DIR / path.removeprefix("/static/").partition("?")[0]).read_bytes()
        gzipped = await client.get(path, headers={"Accept-Encoding": "gzip"})
        assert gzipped.headers.get("content-encoding") == "gzip" and "Accept-Encoding" in gzipped.headers["vary"], path
        assert gzipped.content == on_disk and gzipped.num_bytes_downloaded < len(on_disk) * 0.5, path
        plain = await client.get(path, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == on_disk, path
    for page in ("/", "/login", "/resources"):
        response = await client.get(page, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200 and "content-encoding" not in response.headers, page
