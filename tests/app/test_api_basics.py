"""The HTTP contract every endpoint shares: problems, limits, health, OpenAPI."""

from __future__ import annotations

import json
import re
from urllib.robotparser import RobotFileParser

import httpx
import pytest

from tests.support import assert_problem, expect


async def test_health_and_ready(client):
    assert expect(await client.get("/health"), 200) == {"status": "ok"}
    assert expect(await client.get("/ready"), 200) == {"status": "ok", "database": "ok", "redis": "ok"}


async def test_every_route_has_an_operation_id_and_docstring(client):
    schema = expect(await client.get("/schema/openapi.json"), 200)
    operations = [op for path in schema["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert len(operations) >= 10
    ids = [op.get("operationId") for op in operations]
    assert all(ids), ids
    assert len(set(ids)) == len(ids), "operation ids must be unique"
    missing_docs = [op["operationId"] for op in operations if not op.get("description") and not op.get("summary")]
    assert not missing_docs


async def test_schema_page_is_served(client):
    response = await client.get("/schema")
    assert response.status_code == 200


async def test_unknown_field_is_rejected_naming_it(client):
    body = {"email": "x@example.org", "password": "a long enough passphrase", "display_name": "X", "admin": True}
    problem = assert_problem(await client.post("/api/v1/auth/register", json=body), 400)
    assert problem["errors"][0]["field"] == "admin"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": 5, "password": "a long enough passphrase", "display_name": "X"}, "email"),
        ({"email": "x@example.org", "password": None, "display_name": "X"}, "password"),
        ({"email": "x@example.org", "password": "a long enough passphrase", "display_name": ""}, "display_name"),
        ({"email": "not-an-email", "password": "a long enough passphrase", "display_name": "X"}, "email"),
        ({"password": "a long enough passphrase", "display_name": "X"}, "email"),
        ({"email": "x@example.org", "password": "a long enough passphrase", "display_name": ["X"]}, "display_name"),
    ],
)
async def test_each_wrong_field_gets_a_problem_naming_it(client, body, field):
    problem = assert_problem(await client.post("/api/v1/auth/register", json=body), 400)
    assert field in problem["errors"][0]["message"] or problem["errors"][0]["field"] == field, problem


async def test_malformed_json_is_400(client):
    response = await client.post(
        "/api/v1/auth/register", content=b'{"email": "x@', headers={"content-type": "application/json"}
    )
    assert "not valid json" in assert_problem(response, 400)["detail"].lower()


@pytest.mark.parametrize("body", [b'["a", "list"]', b"", b'"text"'])
async def test_a_body_that_is_not_an_object_or_none_says_to_send_an_object(client, body):
    response = await client.post("/api/v1/auth/register", content=body, headers={"content-type": "application/json"})
    problem = assert_problem(response, 400)
    said = "Send a JSON object in the body, with the fields this address takes (see /schema)."
    assert problem["errors"][0]["field"] == "body" and problem["errors"][0]["message"] == said, problem
    assert problem["detail"] == f"body: {said}"
    spanish = await client.post("/api/v1/auth/register", content=body,
                                headers={"content-type": "application/json", "accept-language": "es"})
    assert assert_problem(spanish, 400)["errors"][0]["message"].startswith("Envía en el cuerpo un objeto JSON")


async def test_body_over_one_mebibyte_is_413(client):
    big = b'{"email": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    response = await client.post("/api/v1/auth/register", content=big, headers={"content-type": "application/json"})
    assert_problem(response, 413)


async def test_unknown_route_is_a_problem(client):
    assert_problem(await client.get("/api/v1/nothing-here"), 404)


async def test_wrong_method_is_a_problem(client):
    assert_problem(await client.delete("/api/v1/auth/register"), 405)


async def test_bad_uuid_in_path_is_a_problem_not_a_500(client, api):
    user = await api.user()
    response = await client.get("/api/v1/orgs/not-a-uuid", headers=user.headers)
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_request_id_is_echoed_and_generated(client):
    response = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    generated = (await client.get("/health", headers={"X-Request-ID": "bad id with spaces"})).headers["x-request-id"]
    assert generated != "bad id with spaces" and len(generated) == 32
    # Error responses carry it too: they are produced outside the route.
    assert (await client.get("/api/v1/me")).headers.get("x-request-id")


# The request counter, by route: /health counted at least once.
HEALTH_COUNTED = re.compile(r'^litestar_requests_total\{[^}]*path="/health"[^}]*\} [1-9]', re.M)


async def test_metrics_are_exposed_in_prometheus_format(client):
    await client.get("/health")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE coord_outbox_lag_seconds gauge" in response.text
    assert HEALTH_COUNTED.search(response.text), "no request counter for /health"


async def test_security_headers_on_every_response(client):
    for response in (await client.get("/health"), await client.get("/api/v1/me"), await client.get("/nope")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "strict-transport-security" not in response.headers  # plain HTTP here
    behind_tls = await client.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert behind_tls.headers["strict-transport-security"].startswith("max-age=")


async def test_addresses_holding_a_secret_ask_search_engines_not_to_index_them(client, api):
    """A feed, invitation or group link pasted somewhere public must not put a group's name in
    a search index; public pages stay findable."""
    someone = await api.user("feeds")
    feed = expect(await client.post("/api/v1/me/feeds", json={"scope": "mine"}, headers=someone.headers), 201)["url"]
    secret = [httpx.URL(feed).path, "/invitations/some-token", "/groups/join/some-token",
              "/reset-password?token=abc", "/confirm-email?token=abc"]
    for path in secret:
        response = await client.get(path)
        assert response.headers.get("x-robots-tag") == "noindex, nofollow", (path, response.status_code)
    assert (await client.get(secret[0])).status_code == 200  # the live feed too, not only refusals
    for path in ("/", "/login", "/resources", "/health"):
        assert "x-robots-tag" not in (await client.get(path)).headers, path


async def test_robots_txt_turns_search_engines_from_the_api_and_every_secret_address(client, api):
    """The same addresses, read by Python's own robots.txt parser: none may be fetched; the
    pages people find help through may."""
    someone = await api.user("robots")
    feed = expect(await client.post("/api/v1/me/feeds", json={"scope": "mine"}, headers=someone.headers), 201)["url"]
    response = await client.get("/robots.txt")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert "public" in response.headers["cache-control"]
    rules = RobotFileParser()
    rules.parse(response.text.splitlines())
    for path in (httpx.URL(feed).path, "/invitations/some-token", "/groups/join/some-token",
                 "/reset-password?token=abc", "/confirm-email?token=abc", "/api/v1/me", "/api/v1/resources?q=food"):
        assert not rules.can_fetch("SomeBot", f"http://coord.test{path}"), path
    for path in ("/", "/resources", "/resources?q=food&near=10001", "/login"):
        assert rules.can_fetch("SomeBot", f"http://coord.test{path}"), path


async def test_unstorable_characters_are_a_400_not_a_500(client):
    for email in ("nul\u0000@example.org", "surrogate\udaff@example.org"):
        body = '{"email": %s, "password": "whatever whatever"}' % json.dumps(email)
        response = await client.post("/api/v1/auth/token", content=body.encode("utf-8", "surrogatepass"),
                                     headers={"content-type": "application/json"})
        assert_problem(response, 400)


async def test_metrics_show_outbox_lag_and_deliveries(client, api, pool):
    admin, member = await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, member, "volunteer")  # one event waits in the outbox
    await pool.execute("UPDATE outbox SET created_at = now() - interval '90 seconds'")
    await pool.execute(
        "INSERT INTO deliveries (key, kind, status) VALUES ('a', 'invite', 'sent'), ('b', 'invite', 'failed')"
    )
    await client.get("/health")  # this test's own request, counted by route
    text = (await client.get("/metrics")).text
    lag = float(next(line.split()[1] for line in text.splitlines() if line.startswith("coord_outbox_lag_seconds")))
    assert lag >= 90
    assert 'coord_deliveries{kind="invite",status="failed"} 1.0' in text
    assert "coord_deliveries_failed 1.0" in text
    assert "coord_outbox_unpublished 1.0" in text
    assert HEALTH_COUNTED.search(text), "no request counter for /health"  # request metrics by route
