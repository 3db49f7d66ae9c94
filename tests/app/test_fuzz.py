"""The whole API fuzzed from its own OpenAPI schema, authenticated: no 5xx, no
response that breaks its schema. coord serve runs as a real process on the test
database, with an organization whose admin makes the requests."""

from __future__ import annotations

import os
from collections import Counter
from http.cookiejar import DefaultCookiePolicy
import time

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.support import coord_serve

PASSWORD = "a long enough passphrase"


@pytest.fixture(scope="module")
def served(database_url, redis_url, tmp_path_factory):
    log = tmp_path_factory.mktemp("fuzz-log") / "serve.log"
    with coord_serve(database_url, redis_url, tmp_path_factory.mktemp("fuzz"), log) as base:
        yield base, log


@pytest.fixture(scope="module")
def admin_headers(served):
    base, _ = served
    email = f"fuzz-{time.time_ns()}@example.org"
    httpx.post(base + "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "display_name": "Fuzz"})
    token = httpx.post(base + "/api/v1/auth/token", json={"email": email, "password": PASSWORD}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    slug = f"fuzz-{time.time_ns()}"
    org = {"name": "Fuzz", "slug": slug, "timezone": "Europe/London", "contact_email": "f@example.org"}
    assert httpx.post(base + "/api/v1/orgs", json=org, headers=headers).status_code == 201
    return headers


@pytest.fixture(scope="module")
def api_schema(served):
    base, _ = served
    return schemathesis.openapi.from_url(base + "/schema/openapi.json")


SESSION_ENDING = {("POST", "/api/v1/auth/logout-all"), ("DELETE", "/api/v1/me")}
EXAMPLES = int(os.environ.get("COORD_FUZZ_EXAMPLES", "25"))


@pytest.mark.slow
def test_no_server_errors_and_responses_match_the_schema(api_schema, served, admin_headers):
    """Every operation, EXAMPLES generated cases each (schemathesis' pytest plugin
    does not run under pytest 9, so the operations are driven here)."""
    base, log = served
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    # Logging out everywhere or erasing the account would end the run's own session;
    # both have their own tests.
    operations = [op for op in operations if (op.method.upper(), op.path) not in SESSION_ENDING]
    assert len(operations) > 40
    # One HTTP session for every case, so connections are kept alive: a new one per case made a
    # TCP connection and an SSL context each time (~3,200 cases). It keeps no cookies, so each
    # case is still sent with only its own headers and cookies, as a fresh session sent it.
    http = requests.Session()
    http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,  # the same cases every run: CI must not flake on a new seed
            database=None,
        )
        def exercise(case):
            response = case.call(base_url=base, session=http, headers=admin_headers)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))

        try:
            exercise()
        except Exception as failure:  # collect all, report together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(failure)[:800]}")
    http.close()
    # The run really exercised the API, authenticated, past validation.
    assert sum(statuses.values()) > len(operations) * 5, statuses
    assert statuses[200] + statuses[201] > 20 and statuses[401] < sum(statuses.values()) / 4, statuses
    assert not failures, "\n\n".join(failures) + "\n\nserver log tail:\n" + log.read_text()[-3000:]
