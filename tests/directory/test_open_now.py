"""'Open now' (issue 17.4) against a model of its rule, for any weekly or daily hours at any
instant: the search's `open_now` filter and each result's `open_now` flag say what the model
says. The rule: a schedule with both times whose `freq` is weekly, daily or missing; its local
day and time are its own UTC offset's (HSDS `timezone`) when it gives one, else the curating
organization's; the day must be in `byday` (unless daily or missing); open from `opens_at` up
to, not including, `closes_at`, and a span whose end is not after its start wraps over midnight
on the same listed day."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coord.kernel import clock
from tests.support import API, expect

ORG_TZ = "America/New_York"
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def is_open(schedule: dict, at: datetime) -> bool:
    """The model: what 'open now' means, written plainly."""
    if "opens_at" not in schedule or "closes_at" not in schedule:
        return False
    freq = (schedule.get("freq") or "").upper()
    if freq not in ("", "WEEKLY", "DAILY"):
        return False
    if "timezone" in schedule:
        local = at.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=schedule["timezone"])
    else:
        local = at.astimezone(ZoneInfo(ORG_TZ)).replace(tzinfo=None)
    byday = schedule.get("byday")
    if byday is not None and freq != "DAILY" and DAYS[local.weekday()] not in byday.upper():
        return False
    now, opens, closes = local.time(), time.fromisoformat(schedule["opens_at"]), time.fromisoformat(schedule["closes_at"])
    return opens <= now < closes if opens < closes else (now >= opens or now < closes)


WHOLE_SECONDS = st.times().map(lambda t: t.replace(microsecond=0).isoformat())
BYDAY = st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True).map(",".join) | st.sampled_from(
    ["mo,we", "SA,SU", "XX"])
SCHEDULE = st.fixed_dictionaries(
    {"opens_at": WHOLE_SECONDS, "closes_at": WHOLE_SECONDS},
    optional={"freq": st.sampled_from(["WEEKLY", "weekly", "DAILY", "MONTHLY"]), "byday": BYDAY,
              "timezone": st.sampled_from([-10, -5, -4.5, 0, 1, 5.5, 9, 14])},
) | st.fixed_dictionaries({"freq": st.just("WEEKLY"), "byday": BYDAY}, optional={"opens_at": WHOLE_SECONDS})
INSTANTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))


@pytest.fixture
async def curator(api):
    admin = await api.user("curator")
    return admin, await api.org(admin, timezone=ORG_TZ)


async def hours_found_open(client, curator, schedules: list[dict], at: datetime) -> tuple[set[str], dict[str, bool]]:
    """Import one service per schedule (half of them on the service, half on its location),
    then search at `at`: the names found open, and every result's `open_now` flag."""
    admin, org = curator
    services = []
    for i, schedule in enumerate(schedules):
        hours = [{"id": f"h{i}", **schedule}]
        service = {"id": f"s{i}", "name": f"Service {i}", "description": "Help", "status": "active",
                   "service_at_locations": [{"id": f"sal{i}", "location": {"id": f"l{i}", "name": f"Place {i}"}}]}
        if i % 2:
            service["service_at_locations"][0]["schedules"] = hours
        else:
            service["schedules"] = hours
        services.append(service)
    document = {"id": "hours-network", "name": "Hours Network", "description": "Help", "services": services}
    out = expect(await client.post(f"{API}/orgs/{org['id']}/directory/imports?source=hours",
                                   content=json.dumps(document).encode(), headers=admin.headers), 202)
    assert out["status"] == "applied", out["problems"]
    with clock.shifted(at - clock.now()):
        found = expect(await client.get(f"{API}/resources?open_now=true&per_page=100"), 200)
        every = expect(await client.get(f"{API}/resources?per_page=100"), 200)
    return {r["name"] for r in found["results"]}, {r["name"]: r["open_now"] for r in every["results"]}


@given(schedules=st.lists(SCHEDULE, min_size=1, max_size=12), at=INSTANTS)
@example(schedules=[{"opens_at": "09:00:00", "closes_at": "17:00:00", "byday": "MO"},  # Monday 2026-12-07
                    {"opens_at": "22:00:00", "closes_at": "09:00:00", "byday": "MO"},  # wraps: early morning
                    {"opens_at": "08:00:00", "closes_at": "09:00:00", "freq": "DAILY", "byday": "SU"},
                    {"opens_at": "14:00:00", "closes_at": "15:00:00", "timezone": 0},
                    {"opens_at": "10:00:00", "closes_at": "10:00:00", "byday": "mo"}],
         at=datetime(2026, 12, 7, 14, 0, tzinfo=UTC))  # 09:00 in New York: the first opens, the second shuts
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
async def test_open_now_says_what_the_rule_says_for_any_hours_at_any_instant(client, curator, schedules, at):
    found, flags = await hours_found_open(client, curator, schedules, at)
    expected = {f"Service {i}" for i, schedule in enumerate(schedules) if is_open(schedule, at)}
    assert found == expected, (at, schedules)
    for i, schedule in enumerate(schedules):
        has_hours = "opens_at" in schedule
        assert flags[f"Service {i}"] == (is_open(schedule, at) if has_hours else None), (i, schedule, at)
