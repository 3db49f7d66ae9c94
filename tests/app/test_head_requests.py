"""HEAD is GET without the body, on every GET route, pages and API alike (RFC 9110, 9.3.2):
uptime monitors and link checkers use it, and it used to answer 405, or on a page a redirect
to the nearest page, which for `/` and `/health` was themselves."""

from __future__ import annotations

import httpx
import pytest

from tests.support import coord_serve, expect

# Headers that differ between any two answers, whatever the method.
PER_RESPONSE = {"date", "x-request-id", "set-cookie"}


def _same_headers(head: httpx.Response, get: httpx.Response) -> None:
    kept = {k: v for k, v in head.headers.items() if k not in PER_RESPONSE}
    assert kept == {k: v for k, v in get.headers.items() if k not in PER_RESPONSE}
    assert int(head.headers["content-length"]) == get.num_bytes_downloaded > 0  # as sent, compressed or not


@pytest.mark.parametrize("path", ["/health", "/ready", "/", "/login", "/resources", "/schema",
                                  "/schema/openapi.json", "/api/v1/me"])
async def test_head_answers_what_get_answers_without_the_body(client, path):
    get = await client.get(path)
    head = await client.head(path)
    assert head.status_code == get.status_code and get.status_code in (200, 401)
    assert head.content == b""
    _same_headers(head, get)


async def test_head_of_an_authenticated_read_and_a_feed(client, api):
    someone = await api.user("head")
    get = await client.get("/api/v1/me", headers=someone.headers)
    head = await client.head("/api/v1/me", headers=someone.headers)
    assert (head.status_code, get.status_code, head.content) == (200, 200, b"")
    _same_headers(head, get)

    feed = expect(await client.post("/api/v1/me/feeds", json={"scope": "mine"}, headers=someone.headers), 201)["url"]
    path = httpx.URL(feed).path
    get = await client.get(path)
    head = await client.head(path)
    assert (head.status_code, get.status_code, head.content) == (200, 200, b"")
    _same_headers(head, get)
    assert head.headers["etag"] and (await client.head(path, headers={"If-None-Match": head.headers["etag"]})).status_code == 304


async def test_head_of_a_form_address_leads_to_its_page_as_get_does(client):
    get = await client.get("/orgs/some-org/members/someone/roles", follow_redirects=False)
    head = await client.head("/orgs/some-org/members/someone/roles", follow_redirects=False)
    assert (get.status_code, head.status_code) == (303, 303)
    assert head.headers["location"] == get.headers["location"] == "/orgs/some-org/coordination#members"


async def test_a_405_lists_head_where_get_is_allowed(client):
    refused = await client.delete("/health")
    assert refused.status_code == 405 and refused.headers["allow"].split(", ") == ["GET", "OPTIONS", "HEAD"]
    post_only = await client.put("/api/v1/auth/token")
    assert post_only.status_code == 405 and "HEAD" not in post_only.headers["allow"]


def test_head_through_the_real_server_keeps_the_connection_usable(database_url, redis_url, tmp_path):
    """granian: the GET's Content-Length with no body must neither hang nor desynchronize the
    keep-alive connection; the same client then reads a whole GET."""
    with coord_serve(database_url, redis_url, tmp_path, tmp_path / "serve.log") as base, \
            httpx.Client(base_url=base, timeout=5) as http:
        for path in ("/", "/health", "/login"):
            head = http.head(path)
            assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0
            get = http.get(path)
            assert get.status_code == 200 and len(get.content) == int(head.headers["content-length"])
        followed = http.head("/", follow_redirects=True)  # was a loop of 303s to `/`
        assert followed.status_code == 200 and not followed.history
