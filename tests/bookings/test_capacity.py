"""Capacity under real concurrency: no load may overbook, and the waitlist has no gaps.

The load tests send hundreds of real HTTP requests at once through the whole app
(middleware, auth, the per-request transaction), concurrently on the app's own
event loop, where they contend for its pool and the row lock. People are
inserted with SQL to keep the setup fast; their tokens are minted by the app's
own JWT auth.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coord.kernel.errors import Conflict, NotFound
from coord.shifts import signups as signup_service
from coord.shifts.schemas import ShiftPatch
from coord.shifts.service import update_shift
from tests.moments import at, now
from tests.support import API, concurrently, expect, wait_until
from tests.support.seeded_org import headers, seed


async def places(pool, table: str, parent: str, parent_id: str) -> tuple[set[UUID], list[UUID]]:
    """(confirmed people, waitlisted people in queue order) straight from the database."""
    rows = await pool.fetch(
        f"SELECT user_id, status FROM {table} WHERE {parent} = $1 AND status <> 'cancelled' ORDER BY queue_order",
        UUID(parent_id),
    )
    return {r["user_id"] for r in rows if r["status"] == "confirmed"}, [r["user_id"] for r in rows if r["status"] == "waitlisted"]


async def assert_queue_invariants(client, pool, app, table, parent, parent_id, capacity, item_url) -> None:
    """confirmed == min(capacity, active people); nobody waits while a place is free;
    the positions people are told are exactly 1..n in queue order."""
    confirmed, waiting = await places(pool, table, parent, parent_id)
    assert len(confirmed) == min(capacity, len(confirmed) + len(waiting))
    assert not waiting or len(confirmed) >= capacity
    told = concurrently(client, [("GET", f"{item_url}/me", headers(app, u)) for u in waiting])
    assert [expect(r, 200)["position"] for r in told] == list(range(1, len(waiting) + 1))


async def test_200_concurrent_shift_signups_fill_exactly_the_capacity(client, pool, app):
    org_id, admin, people = await seed(pool, 200)
    shift = expect(
        await client.post(
            f"{API}/orgs/{org_id}/shifts",
            json={"role": "Usher", "starts_at": at(24), "ends_at": at(26), "capacity": 5},
            headers=headers(app, admin),
        ),
        201,
    )
    url = f"{API}/shifts/{shift['id']}/signups"
    responses = concurrently(client, [("POST", url, headers(app, p)) for p in people])
    results = [expect(r, 201) for r in responses]
    assert sum(r["status"] == "confirmed" for r in results) == 5
    assert sorted(r["position"] for r in results if r["status"] == "waitlisted") == list(range(1, 196))
    counts = expect(await client.get(f"{API}/shifts/{shift['id']}", headers=headers(app, admin)), 200)
    assert (counts["confirmed_count"], counts["waitlist_count"]) == (5, 195)
    await assert_queue_invariants(client, pool, app, "signups", "shift_id", shift["id"], 5, url)
    kinds = await pool.fetch("SELECT payload->>'status' AS kind, count(*) AS n FROM outbox WHERE kind = 'booking.placed' GROUP BY 1")
    assert {r["kind"]: r["n"] for r in kinds} == {"confirmed": 5, "waitlisted": 195}


async def test_200_concurrent_event_registrations_fill_exactly_the_capacity(client, pool, app):
    org_id, admin, people = await seed(pool, 200)
    body = {"title": "Awareness walk", "kind": "awareness", "starts_at": at(24), "ends_at": at(26),
            "timezone": "America/New_York", "visibility": "private", "capacity": 5}  # fmt: skip
    event = expect(await client.post(f"{API}/orgs/{org_id}/events", json=body, headers=headers(app, admin)), 201)
    url = f"{API}/events/{event['id']}/registrations"
    responses = concurrently(client, [("POST", url, headers(app, p)) for p in people])
    results = [expect(r, 201) for r in responses]
    assert sum(r["status"] == "confirmed" for r in results) == 5
    assert sorted(r["position"] for r in results if r["status"] == "waitlisted") == list(range(1, 196))
    await assert_queue_invariants(client, pool, app, "registrations", "event_id", event["id"], 5, url)


async def test_cancellations_racing_signups_keep_the_invariants(client, pool, app):
    org_id, admin, people = await seed(pool, 75)
    shift = expect(
        await client.post(
            f"{API}/orgs/{org_id}/shifts",
            json={"role": "Usher", "starts_at": at(24), "ends_at": at(26), "capacity": 5},
            headers=headers(app, admin),
        ),
        201,
    )
    url = f"{API}/shifts/{shift['id']}/signups"
    early, late = people[:25], people[25:]
    for p in early:  # 5 confirmed, 20 waitlisted, in this order
        expect(await client.post(url, headers=headers(app, p)), 201)
    confirmed_before, _ = await places(pool, "signups", "shift_id", shift["id"])
    cancels = [("DELETE", f"{url}/me", headers(app, p)) for p in confirmed_before]
    joins = [("POST", url, headers(app, p)) for p in late]
    responses = concurrently(client, cancels + joins)
    assert [r.status_code for r in responses] == [204] * 5 + [201] * 50
    confirmed, waiting = await places(pool, "signups", "shift_id", shift["id"])
    # The five freed places went to the front of the queue that existed before them.
    assert confirmed == set(early[5:10]) and not confirmed & confirmed_before
    assert waiting[:15] == early[10:] and set(waiting[15:]) == set(late)
    await assert_queue_invariants(client, pool, app, "signups", "shift_id", shift["id"], 5, url)

    # And the same race on an event.
    body = {"title": "Social", "kind": "social", "starts_at": at(24), "ends_at": at(26),
            "timezone": "UTC", "visibility": "private", "capacity": 5}  # fmt: skip
    event = expect(await client.post(f"{API}/orgs/{org_id}/events", json=body, headers=headers(app, admin)), 201)
    url = f"{API}/events/{event['id']}/registrations"
    for p in early[:8]:
        expect(await client.post(url, headers=headers(app, p)), 201)
    leaving, _ = await places(pool, "registrations", "event_id", event["id"])
    responses = concurrently(
        client, [("DELETE", f"{url}/me", headers(app, p)) for p in leaving] + [("POST", url, headers(app, p)) for p in late]
    )
    assert [r.status_code for r in responses] == [204] * 5 + [201] * 50
    confirmed, _ = await places(pool, "registrations", "event_id", event["id"])
    assert set(early[5:8]) <= confirmed and len(confirmed) == 5
    await assert_queue_invariants(client, pool, app, "registrations", "event_id", event["id"], 5, url)


# Model-based property test: random signups, cancellations and capacity changes
# through the service functions, each in its own transaction on a real
# connection, compared after every step with a plain Python model of the queue.
PEOPLE = 6
operations = st.lists(
    st.one_of(
        st.tuples(st.just("signup"), st.integers(0, PEOPLE - 1)),
        st.tuples(st.just("cancel"), st.integers(0, PEOPLE - 1)),
        st.tuples(st.just("capacity"), st.integers(0, 4)),
    ),
    min_size=1,
    max_size=25,
)


class QueueModel:
    def __init__(self, capacity: int) -> None:
        self.capacity, self.confirmed, self.waiting = capacity, set(), []

    def fill(self) -> None:
        while self.waiting and len(self.confirmed) < self.capacity:
            self.confirmed.add(self.waiting.pop(0))

    def signup(self, who) -> bool:
        if who in self.confirmed or who in self.waiting:
            return False
        (self.confirmed.add if len(self.confirmed) < self.capacity else self.waiting.append)(who)
        return True

    def cancel(self, who) -> bool:
        if who in self.waiting:
            self.waiting.remove(who)
        elif who in self.confirmed:
            self.confirmed.remove(who)
            self.fill()
        else:
            return False
        return True

    def set_capacity(self, capacity: int) -> None:
        self.capacity = capacity
        self.fill()  # lowering never removes anyone; raising promotes in order


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(initial_capacity=st.integers(0, 3), ops=operations)
async def test_queue_matches_the_model_after_every_step(pool, initial_capacity, ops):
    org_id, admin, people = await seed(pool, PEOPLE)
    start = now() + timedelta(days=2)
    shift_id = await pool.fetchval(
        "INSERT INTO shifts (org_id, role, starts_at, ends_at, capacity) VALUES ($1, 'Usher', $2, $3, $4) RETURNING id",
        org_id, start, start + timedelta(hours=2), initial_capacity,
    )  # fmt: skip
    model = QueueModel(initial_capacity)
    for op, arg in ops:
        async with pool.acquire() as conn:
            try:
                async with conn.transaction():
                    if op == "signup":
                        await signup_service.sign_up(conn, people[arg], shift_id)
                    elif op == "cancel":
                        await signup_service.cancel_signup(conn, people[arg], shift_id)
                    else:
                        await update_shift(conn, admin, shift_id, ShiftPatch(capacity=arg))
                accepted = True
            except (Conflict, NotFound):
                accepted = False
        if op == "signup":
            assert accepted == model.signup(people[arg])
        elif op == "cancel":
            assert accepted == model.cancel(people[arg])
        else:
            assert accepted
            model.set_capacity(arg)
        confirmed, waiting = await places(pool, "signups", "shift_id", str(shift_id))
        assert (confirmed, waiting) == (model.confirmed, model.waiting), (op, arg)
        async with pool.acquire() as conn:
            told = [(await signup_service.my_signup(conn, person, shift_id)).position for person in waiting]
        assert told == list(range(1, len(waiting) + 1))


async def test_one_persons_concurrent_signups_for_overlapping_shifts_confirm_one(client, api, pool):
    """Two overlapping shifts with room, one person, ten simultaneous signups for the pair:
    exactly one confirmed place, every other request refused as overlapping or repeated.
    Five rounds, each on a new pair a day apart. The ten are sent at once on the app's
    own event loop, so they contend for the pool and the locks; the next test forces the
    one interleaving that matters."""
    admin = await api.user("admin")
    org = await api.org(admin)
    person = await api.user("eager")
    await api.member(org, admin, person, "volunteer")
    for day in range(2, 7):
        start = now() + timedelta(days=day)
        pair = []
        for offset in (0, 1):
            body = {"role": f"Role {offset}", "starts_at": (start + timedelta(hours=offset)).isoformat(),
                    "ends_at": (start + timedelta(hours=offset + 2)).isoformat(), "capacity": 5}
            pair.append(expect(await client.post(f"/api/v1/orgs/{org['id']}/shifts", json=body,
                                                 headers=admin.headers), 201))
        responses = concurrently(client, [
            ("POST", f"/api/v1/shifts/{pair[i % 2]['id']}/signups", person.headers) for i in range(10)
        ])
        assert sorted(r.status_code for r in responses) == [201] + [409] * 9
        confirmed = await pool.fetchval(
            "SELECT count(*) FROM signups WHERE user_id = $1 AND status = 'confirmed' AND shift_id = ANY($2::uuid[])",
            UUID(person.id), [UUID(x["id"]) for x in pair])
        assert confirmed == 1


async def test_a_persons_second_signup_waits_for_their_first_and_sees_the_overlap(client, api, pool):
    """Deterministic interleaving on two real transactions: while the first signup is still
    uncommitted, a second one for an overlapping shift must wait for it (and then refuse),
    not pass the overlap check against a snapshot without the first."""
    admin = await api.user("admin")
    org = await api.org(admin)
    person = await api.user("eager")
    await api.member(org, admin, person, "volunteer")
    start = now() + timedelta(days=2)
    pair = []
    for offset in (0, 1):
        body = {"role": f"Role {offset}", "starts_at": (start + timedelta(hours=offset)).isoformat(),
                "ends_at": (start + timedelta(hours=offset + 2)).isoformat(), "capacity": 5}
        pair.append(UUID(expect(await client.post(f"/api/v1/orgs/{org['id']}/shifts", json=body,
                                                  headers=admin.headers), 201)["id"]))
    user_id = UUID(person.id)

    second_pid = asyncio.get_running_loop().create_future()

    async def second() -> str:
        async with pool.acquire() as conn, conn.transaction():
            second_pid.set_result(conn.get_server_pid())
            try:
                return (await signup_service.sign_up(conn, user_id, pair[1])).status
            except Conflict as refused:
                return f"refused: {refused.detail}"

    async with pool.acquire() as first, first.transaction():
        assert (await signup_service.sign_up(first, user_id, pair[0])).status == "confirmed"
        other = asyncio.create_task(second())
        waiting = await second_pid
        await wait_until(lambda: pool.fetchval("SELECT $1::int = ANY(pg_blocking_pids($2::int))",
                                               first.get_server_pid(), waiting),
                         what="the second signup blocked by the first one's lock")
        assert not other.done(), "the second signup did not wait for the first one's transaction"
    outcome = await other
    assert outcome.startswith("refused:") and "overlapping" in outcome
    assert await pool.fetchval("SELECT count(*) FROM signups WHERE user_id = $1 AND status = 'confirmed'", user_id) == 1
