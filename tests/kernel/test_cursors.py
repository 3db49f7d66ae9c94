"""Cursors of every list route. A forged cursor, whatever its shape, is a 400 problem
naming `cursor` (never a 500), and a real next_cursor still gives the next page.

The list routes are read from the app's own OpenAPI document: every GET operation with
a `cursor` query parameter, its path filled with ids of objects made here through the API.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.moments import local_start, now
from tests.support import assert_problem, expect
from tests.support.world import make_group

API = "/api/v1"
A_UUID = "6f1c1a52-3b0e-4a8e-9a57-2b4c1d0e9f10"


def b64(raw: bytes | str) -> str:
    """As the service writes cursors: base64url without padding."""
    data = raw.encode() if isinstance(raw, str) else raw
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(type(value))


def forged(value: Any) -> str:
    """A cursor holding `value` as JSON (lone surrogates stay escaped, as JSON allows)."""
    return b64(json.dumps(value, default=_json_default))


def at(hours: float) -> str:
    return (now() + timedelta(hours=hours)).isoformat()


@pytest.fixture
async def world(client, api) -> dict:
    """An admin with at least two of everything a list route lists (failed deliveries
    aside), and the list routes of the OpenAPI document with their paths filled in."""
    admin, facilitator, participant = await api.user("admin"), await api.user(), await api.user()
    org = await api.org(admin)
    await api.member(org, admin, facilitator, "facilitator")  # audited: org.roles_granted
    await api.member(org, admin, participant, "participant")
    for n in range(2):
        await api.venue(org, admin, f"Hall {n}", address=f"{n} Main Street")
    group = await make_group(client, org, admin)
    await make_group(client, org, admin, name="Thursday Circle")
    base = f"{API}/groups/{group['id']}"
    body = {"user_id": facilitator.id, "role": "facilitator"}
    expect(await client.post(f"{base}/members", json=body, headers=admin.headers), 201)
    expect(await client.post(f"{base}/join", headers=participant.headers), 201)
    # Three sessions next week, none staffed: three coverage gaps too.
    series = {"start": local_start(1).isoformat(), "timezone": "America/New_York", "duration_minutes": 60,
              "rrule": "FREQ=DAILY;COUNT=3"}
    expect(await client.post(f"{base}/series", json=series, headers=admin.headers), 201)
    for n in range(3):
        event = {"title": f"Workshop {n}", "kind": "training", "starts_at": at(72 + 10 * n),
                 "ends_at": at(74 + 10 * n), "timezone": "America/New_York", "visibility": "private"}
        made_event = expect(await client.post(f"{API}/orgs/{org['id']}/events", json=event, headers=admin.headers), 201)
        for person in (admin, facilitator):  # two registrations for the roster's list
            expect(await client.post(f"{API}/events/{made_event['id']}/registrations", headers=person.headers), 201)
        shift = {"role": "Greeter", "starts_at": at(48 + 5 * n), "ends_at": at(50 + 5 * n), "capacity": 2}
        made = expect(await client.post(f"{API}/orgs/{org['id']}/shifts", json=shift, headers=admin.headers), 201)
        for person in (admin, facilitator):  # two signups for the roster's list
            expect(await client.post(f"{API}/shifts/{made['id']}/signups", headers=person.headers), 201)
    rows = [{"role": f"Helper {n}", "starts_at": at(72), "ends_at": at(74), "capacity": 1} for n in range(2)]
    expect(await client.post(f"{API}/events/{made_event['id']}/shifts", json={"shifts": rows}, headers=admin.headers), 201)
    for code in ("MHFA", "QPR"):
        training = {"code": code, "completed_on": str(now().date() - timedelta(days=10))}
        expect(await client.post(f"{API}/me/trainings", json=training, headers=admin.headers), 201)

    ids = {"org_id": org["id"], "group_id": group["id"], "event_id": made_event["id"], "shift_id": made["id"]}
    schema = expect(await client.get("/schema/openapi.json"), 200)
    routes = []
    for path, item in sorted(schema["paths"].items()):
        parameters = (item.get("get") or {}).get("parameters", [])
        if any(p["name"] == "cursor" and p["in"] == "query" for p in parameters):
            names = re.findall(r"\{(\w+)\}", path)
            assert set(names) <= ids.keys(), f"{path}: make an object for {set(names) - ids.keys()} above"
            routes.append(path.format(**ids))
    assert len(routes) >= 13, routes
    return {"headers": admin.headers, "routes": routes}


def names_cursor(response) -> bool:
    return response.status_code == 400 and any(e["field"] == "cursor" for e in response.json()["errors"])


# Every one is refused by every list, whatever its sort key.
WRONG_SHAPES = {
    "empty array": forged([]),
    "one string": forged(["x"]),
    "three numbers": forged([1, 2, 3]),
    "number and not a uuid": forged([123, "not-a-uuid"]),
    "number where a date belongs": forged([1767225600, A_UUID]),
    "object": forged({"starts_at": "2026-01-01T18:30:00Z", "id": A_UUID}),
    "string": forged("2026-01-01T18:30:00Z"),
    "null": forged(None),
    "too big for bigint": forged([2**63]),
    "NUL in text": forged(["a\x00b", A_UUID]),
    "lone surrogate": forged(["\ud800", A_UUID]),
    "not base64": "not base64!",
    "percent signs": "%%%",
    "base64 of not JSON": b64(b"\xff\xfe{"),
}
# Well-formed keys at the edges of their types: a 400 or a page, never a 500.
EDGE_KEYS = {
    "no UTC form (year 10000)": forged(["9999-12-31T23:59:59-14:00", A_UUID]),
    "no UTC form (year 0)": forged(["0001-01-01T00:00:00+14:00", A_UUID]),
    "smallest bigint": forged([-(2**63)]),
    "far future": forged(["9999-12-31T23:59:59Z", A_UUID]),
    "empty text": forged(["", A_UUID]),
    "date without an offset (a group name to the groups list)": forged(["2026-01-01T18:30:00", A_UUID]),
    "nil uuid": forged(["00000000-0000-0000-0000-000000000000"]),
}


async def test_every_list_refuses_every_wrong_shape_naming_cursor(client, world):
    failures = []
    for route in world["routes"]:
        for shape, cursor in WRONG_SHAPES.items():
            response = await client.get(route, params={"cursor": cursor}, headers=world["headers"])
            if not names_cursor(response):
                failures.append(f"{route} {shape}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)
    problem = assert_problem(
        await client.get(world["routes"][0], params={"cursor": WRONG_SHAPES["object"]}, headers=world["headers"]), 400
    )
    assert problem["errors"] == [{"field": "cursor", "message": "not a cursor of this list"}]
    assert "cursor" in problem["detail"]


async def test_well_formed_keys_at_the_edges_are_a_page_or_a_400(client, world):
    failures = []
    for route in world["routes"]:
        for name, cursor in EDGE_KEYS.items():
            response = await client.get(route, params={"cursor": cursor}, headers=world["headers"])
            if response.status_code != 200 and not names_cursor(response):
                failures.append(f"{route} {name}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)


async def test_a_real_next_cursor_gives_the_next_page(client, world):
    paged = []
    for route in world["routes"]:
        first = expect(await client.get(route, params={"limit": 1}, headers=world["headers"]), 200)
        if first["next_cursor"] is None:
            continue
        params = {"limit": 1, "cursor": first["next_cursor"]}
        second = expect(await client.get(route, params=params, headers=world["headers"]), 200)
        assert len(second["items"]) == 1 and second["items"] != first["items"], route
        paged.append(route)
    # Only the deliveries list has nothing here to page through (no message failed).
    assert sorted(set(world["routes"]) - set(paged)) == [r for r in world["routes"] if r.endswith("/deliveries")]


LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.uuids()
    | st.datetimes(timezones=st.none() | st.timezones())
)
JSON = st.recursive(
    LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
# Any whole-minute UTC offset an ISO 8601 instant can carry.
OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# Any wall-clock time with any offset put on by hand, the first and last days of the
# calendar among them, so some have no UTC form (0001-01-01T00:30:00+01:00).
INSTANTS = st.builds(
    lambda naive, zone: naive.replace(tzinfo=zone),
    st.datetimes() | st.datetimes(max_value=datetime(1, 1, 2)) | st.datetimes(min_value=datetime(9999, 12, 30)),
    st.none() | OFFSETS | st.timezones(),
)
# The parts sort keys are made of, with any value: text (NUL included), instants
# (with or without an offset, at the ends of time), integers past bigint, ids.
PARTS = st.uuids() | INSTANTS | st.text(max_size=12) | st.integers(min_value=-(2**65), max_value=2**65)
KEYS = st.tuples(PARTS, st.uuids()) | st.tuples(PARTS) | st.tuples(PARTS, PARTS)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same cases every run
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def assert_a_page_or_a_cursor_problem(client, world, cursor: str) -> None:
    for route in world["routes"]:
        response = await client.get(route, params={"cursor": cursor}, headers=world["headers"])
        assert response.status_code == 200 or names_cursor(response), (route, cursor, response.text[:300])


@given(cursor=JSON.map(forged) | st.binary(max_size=24).map(b64) | st.text(min_size=1, max_size=24))
@SETTINGS
async def test_forged_cursors_of_any_shape_never_break_a_list(client, world, cursor):
    """Any JSON, bytes that are not JSON, text that is not base64url."""
    await assert_a_page_or_a_cursor_problem(client, world, cursor)


@given(key=KEYS)
@SETTINGS
async def test_keys_of_the_right_shape_with_any_values_never_break_a_list(client, world, key):
    await assert_a_page_or_a_cursor_problem(client, world, forged(list(key)))
