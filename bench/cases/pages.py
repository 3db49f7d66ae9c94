"""The server-rendered pages on the demo organization: shift board and session page
times, and the heaviest page (no page may weigh more than 200 KB).

`coord.demo.load_demo` fills the benchmark database; the demo volunteer, facilitator
and coordinator log in through the real /login form (CSRF token and session cookie,
as a browser does). Times are the median latency of one request at a time over the
measured window, after the warm-up, on loopback: the server's time plus a few tens of
microseconds of client; the baseline is GET /health measured the same way.
"""

from __future__ import annotations

import logging
import re
from typing import Any, AsyncIterator

import httpx

from bench.load import Request
from bench.registry import Context, benchmark, result
from coord.kernel.config import load_settings
from coord.demo import DEMO_PASSWORD, DEMO_SLUG, load_demo

log = logging.getLogger("bench")
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')
PERSONAS = ("volunteer", "facilitator", "coordinator")
# Every page the three can reach, by path; {group}, {session}, {event} are demo objects.
PAGES = (
    "/", "/login", "/register", "/shifts", f"/shifts?org={DEMO_SLUG}", "/me", "/me/feeds", "/me/notifications",
    "/me/trainings", "/me/groups", f"/orgs/{DEMO_SLUG}", f"/orgs/{DEMO_SLUG}/coordination",
    "/groups/{group}", "/sessions/{session}", "/events/{event}",
)


async def login(base_url: str, email: str, password: str = DEMO_PASSWORD) -> httpx.AsyncClient:
    """A client holding a page session: GET /login for the CSRF token, POST the form."""
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
    form = await client.get("/login")
    token = CSRF.search(form.text)
    assert form.status_code == 200 and token, f"GET /login: {form.status_code}"
    answer = await client.post("/login", data={"email": email, "password": password, "_csrf_token": token.group(1)})
    assert answer.status_code == 303 and "coord_session" in client.cookies, f"POST /login: {answer.status_code}"
    return client


def cookie_header(client: httpx.AsyncClient) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in client.cookies.items())}


async def demo_objects(pool: Any) -> dict[str, str]:
    """A public group, one of its facilitator Femi's sessions, the workshop."""
    row = await pool.fetchrow(
        """SELECT (SELECT g.id FROM groups g JOIN orgs o ON o.id = g.org_id
                   WHERE o.slug = $1 AND g.visibility = 'public' ORDER BY g.name LIMIT 1) AS group,
                  (SELECT s.id FROM sessions s JOIN session_facilitators f ON f.session_id = s.id
                   JOIN users u ON u.id = f.user_id
                   WHERE u.email = 'facilitator@demo.coord.test' ORDER BY s.starts_at LIMIT 1) AS session,
                  (SELECT e.id FROM events e JOIN orgs o ON o.id = e.org_id
                   WHERE o.slug = $1 AND e.kind = 'workshop' LIMIT 1) AS event""",
        DEMO_SLUG,
    )
    return {key: str(value) for key, value in row.items()}


async def page_sizes(clients: dict[str, httpx.AsyncClient], objects: dict[str, str]) -> dict[str, int]:
    """Bytes of every page each persona can reach ("persona path" -> size); 404s and
    pages a persona may not see (403) are left out, other failures logged and left out."""
    sizes: dict[str, int] = {}
    for persona, client in clients.items():
        for path in PAGES:
            url = path.format(**objects)
            response = await client.get(url)
            if response.status_code == 200:
                sizes[f"{persona} {url}"] = len(response.content)
            elif response.status_code not in (403, 404):
                log.warning("  %s GET %s answered %s; left out", persona, url, response.status_code)
    return sizes


async def static_sizes(client: httpx.AsyncClient) -> dict[str, int]:
    home = await client.get("/")
    sizes = {}
    for path in sorted(set(STATIC.findall(home.text))):
        response = await client.get(path)
        assert response.status_code == 200, f"GET {path}: {response.status_code}"
        sizes[path] = len(response.content)
    return sizes


@benchmark("pages")
async def pages(ctx: Context) -> AsyncIterator[dict[str, Any]]:
    """page_shift_board_ms, page_session_ms (ms, median, one at a time; baseline GET /health),
    page_max_bytes and static_max_bytes (bytes of the heaviest page and static file)."""
    settings = load_settings({"COORD_SECRET_KEY": "x" * 32}).with_urls(ctx.database_url, ctx.redis_url)
    log.info("  %s", await load_demo(settings))
    clients = {p: await login(ctx.base_url, f"{p}@demo.coord.test") for p in PERSONAS}
    try:
        seconds = min(ctx.seconds, 3)
        health = await ctx.http_load(Request("GET", "/health"), expect=200, concurrency=1, seconds=seconds)
        health_ms = health.percentile(50) * 1000

        board = Request("GET", f"/shifts?org={DEMO_SLUG}", headers=cookie_header(clients["volunteer"]))
        load = await ctx.http_load(board, expect=200, concurrency=1, seconds=seconds)
        yield result("page_shift_board_ms", load.percentile(50) * 1000, "ms", baseline=health_ms)

        objects = await demo_objects(ctx.pool)
        session_path = f"/sessions/{objects['session']}"
        facilitator = clients["facilitator"]
        if (await facilitator.get(session_path)).status_code == 200:
            request = Request("GET", session_path, headers=cookie_header(facilitator))
            load = await ctx.http_load(request, expect=200, concurrency=1, seconds=seconds)
            yield result("page_session_ms", load.percentile(50) * 1000, "ms", baseline=health_ms)
        else:
            log.info("  note: %s does not answer 200 yet; page_session_ms not measured", session_path)

        sizes = await page_sizes(clients, objects)
        heaviest = max(sizes, key=sizes.__getitem__)
        log.info("  %s pages; heaviest %s: %s bytes", len(sizes), heaviest, sizes[heaviest])
        yield result("page_max_bytes", sizes[heaviest], "bytes")
        statics = await static_sizes(clients["volunteer"])
        heaviest = max(statics, key=statics.__getitem__)
        log.info("  static files %s; heaviest %s", statics, heaviest)
        yield result("static_max_bytes", statics[heaviest], "bytes")
    finally:
        for client in clients.values():
            await client.aclose()
