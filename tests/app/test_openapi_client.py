"""Clients generated from the API's description work: the document validates as OpenAPI
3.1, openapi-python-client reads all of it without a warning, and the client it writes
registers, logs in, reads /me and signs up for a shift against the real app."""

from __future__ import annotations

import importlib
import subprocess
import sys
from datetime import timedelta
from uuid import UUID

import httpx
import pytest
from openapi_spec_validator import validate

from tests.moments import from_now
from tests.support import PASSWORD


@pytest.fixture(scope="module")
def document(shared_app) -> dict:
    return shared_app.openapi_schema.to_schema()


def test_the_description_validates_as_openapi_3_1(document):
    validate(document)  # raises on any violation
    assert document["openapi"].startswith("3.1")
    bearer = document["components"]["securitySchemes"]["BearerToken"]
    assert bearer["type"] == "http" and "name" not in bearer
    # Errors are documented as what coord answers: RFC 9457 problems.
    register = document["paths"]["/api/v1/auth/register"]["post"]["responses"]["400"]
    assert set(register["content"]) == {"application/problem+json"}


@pytest.fixture(scope="module")
def generated(document, tmp_path_factory):
    """The client package, generated into a temporary folder and importable."""
    import json

    folder = tmp_path_factory.mktemp("client")
    (folder / "openapi.json").write_text(json.dumps(document))
    # No formatter needed to read it; a CSV upload is a file to the client (it models no text/csv).
    (folder / "config.yml").write_text("post_hooks: []\ncontent_type_overrides:\n  text/csv: application/octet-stream\n")
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(folder / "openapi.json"),
         "--output-path", str(folder / "out"), "--config", str(folder / "config.yml")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(folder / "out"))
    try:
        yield importlib.import_module("coord_client")
    finally:
        sys.path.remove(str(folder / "out"))
        for name in [n for n in sys.modules if n == "coord_client" or n.startswith("coord_client.")]:
            del sys.modules[name]


async def test_a_generated_client_registers_logs_in_and_signs_up_for_a_shift(generated, app, client, api):
    from coord_client import AuthenticatedClient, Client
    from coord_client.api.identity import confirm_email, create_token, get_me, register
    from coord_client.api.shifts import sign_up_for_shift
    from coord_client.models import ConfirmEmailIn, RegisterIn, TokenIn

    from coord.auth.tokens import pending_link

    # The app runs on the test client's own event loop (where its pools live): the
    # generated client's calls go there too, through the client's portal.
    def on_the_app(step):
        return client.blocking_portal.call(step)

    def transport() -> dict:
        return {"transport": httpx.ASGITransport(app=app)}

    async def sign_up_and_log_in():
        anonymous = Client(base_url="http://coord.test", httpx_args=transport())
        created = await register.asyncio_detailed(
            client=anonymous, body=RegisterIn(email="gen@example.org", password=PASSWORD, display_name="Generated")
        )
        assert created.status_code == 201, created.content
        # The address is confirmed with the link it was mailed (read here as the mail job builds it).
        async with app.state.pool.acquire() as conn:
            link_id = await conn.fetchval("SELECT id FROM account_tokens WHERE email = 'gen@example.org'")
            link = await pending_link(conn, app.state.settings, link_id)
        confirmed = await confirm_email.asyncio_detailed(client=anonymous,
                                                         body=ConfirmEmailIn(token=link.url.split("token=")[1]))
        assert confirmed.status_code == 204, confirmed.content
        token = await create_token.asyncio(client=anonymous, body=TokenIn(email="gen@example.org", password=PASSWORD))
        me = await get_me.asyncio(client=AuthenticatedClient(base_url="http://coord.test", token=token.access_token,
                                                             httpx_args=transport()))
        assert me.email == "gen@example.org" and str(me.id) == str(created.parsed.id)
        return token.access_token

    access_token = on_the_app(sign_up_and_log_in)

    # A shift in an organization the generated user volunteers for, made through the test API.
    admin = await api.user("admin")
    org = await api.org(admin)
    body = {"email": "gen@example.org", "roles": ["volunteer"]}
    assert (await client.post(f"/api/v1/orgs/{org['id']}/members", json=body, headers=admin.headers)).status_code == 201
    starts = from_now(days=3)
    shift = {"role": "Greeter", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
             "capacity": 1}
    made = await client.post(f"/api/v1/orgs/{org['id']}/shifts", json=shift, headers=admin.headers)
    assert made.status_code == 201, made.text
    shift_id = UUID(made.json()["id"])

    async def sign_up_twice():
        me = AuthenticatedClient(base_url="http://coord.test", token=access_token, httpx_args=transport())
        return (await sign_up_for_shift.asyncio_detailed(shift_id, client=me),
                await sign_up_for_shift.asyncio_detailed(shift_id, client=me))

    signed, again = on_the_app(sign_up_twice)
    assert signed.status_code == 201, signed.content
    assert signed.parsed.status.value == "confirmed"
    assert again.status_code == 409  # the generated client reads the problem too
    assert again.parsed.status == 409 and again.parsed.detail
