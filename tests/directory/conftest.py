"""A small directory whose search answers are known (issue 17.4): four services of one
organization in New York time, placed around ZIP 10001 (Manhattan), Brooklyn (about 9 km
away), Philadelphia (about 130 km) and a shelter whose only location is confidential."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.moments import weekly_hours
from tests.support import API, User, expect

MANHATTAN = (40.7484, -73.9967)


def _service(ext: str, name: str, description: str, location: dict[str, Any] | None, **extra: Any) -> dict:
    service = {"id": ext, "name": name, "description": description, "status": "active",
               "phones": [{"id": f"{ext}-phone", "number": "+1 (212) 555-0100"}], **extra}
    if location is not None:
        service["service_at_locations"] = [{"id": f"{ext}-sal", "location": location}]
    return service


def _location(ext: str, latitude: float, longitude: float, street: str, postal_code: str, **extra: Any) -> dict:
    return {"id": ext, "location_type": "physical", "name": f"{street} office", "latitude": latitude,
            "longitude": longitude,
            "addresses": [{"id": f"{ext}-address", "address_type": "physical", "address_1": street,
                           "city": "New York", "state_province": "NY", "postal_code": postal_code, "country": "US"}],
            **extra}


def directory_file() -> bytes:
    services = [
        _service("vivienda", "Vivienda Segura", "Ayuda con el alquiler y las viviendas para familias",
                 _location("loc-vivienda", *MANHATTAN, "350 Fifth Avenue", "10001",
                           accessibility=[{"id": "acc-1", "description": "Wheelchair ramp at the entrance"}]),
                 languages=[{"id": "lang-es", "name": "Spanish", "code": "es"}],
                 schedules=[{"id": "open", **weekly_hours(opens_in_hours=-1, closes_in_hours=1)}],
                 cost_options=[{"id": "cost-free", "option": "Free", "amount": 0, "currency": "USD"}],
                 attributes=[{"id": "attr-housing", "taxonomy_term": {
                     "id": "term-housing", "code": "1200", "name": "Housing", "description": "Housing help"}}],
                 minimum_age=18),
        _service("pantry", "Food Pantry", "Free groceries every week for anyone who needs them",
                 _location("loc-pantry", 40.6782, -73.9442, "1 Eastern Parkway", "11238"),
                 languages=[{"id": "lang-en", "name": "English", "code": "en"}],
                 schedules=[{"id": "closed", **weekly_hours(opens_in_hours=2, closes_in_hours=3)}],
                 cost_options=[{"id": "cost-pantry", "option": "Gratis para todos"}]),  # words, no amount
        _service("cafe", "Café Counseling", "Counseling sessions for families and young people",
                 _location("loc-philly", 39.9526, -75.1652, "1 Penn Square", "19107"), maximum_age=25),
        _service("shelter", "Safe House", "Shelter for survivors of violence, open day and night",
                 _location("loc-secret", 40.7500, -73.9900, "1 Secret Lane", "10018")),
    ]
    return json.dumps({"id": "help-network", "name": "Help Network", "description": "Local help",
                       "website": "https://help.example.org", "services": services}).encode()


@dataclass
class DirectoryWorld:
    admin: User
    org: dict
    ids: dict[str, str]  # external id -> coord id (services and locations)


@pytest.fixture
async def directory_world(client, api, pool) -> DirectoryWorld:
    admin = await api.user("admin")
    org = await api.org(admin)
    out = expect(await client.post(f"{API}/orgs/{org['id']}/directory/imports?source=help", content=directory_file(),
                                   headers=admin.headers), 202)
    assert out["status"] == "applied", out["problems"]
    ids = {r["external_id"]: str(r["id"]) for r in await pool.fetch(
        "SELECT external_id, id FROM directory_services UNION ALL SELECT external_id, id FROM directory_locations")}
    expect(await client.patch(f"{API}/orgs/{org['id']}/directory/locations/{ids['loc-secret']}",
                              json={"confidential": True}, headers=admin.headers), 200)
    return DirectoryWorld(admin, org, ids)
