"""The overlap rule of a shift signup held to a model: a volunteer's confirmed shifts and a new
one overlap when each starts before the other ends (half-open spans, so back-to-back shifts do
not), whichever organization holds them, and only confirmed places of scheduled shifts count.
The signup finds them through the index on a shift's span (migration 0031)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coord.kernel.errors import Conflict
from coord.shifts import signups as signup_service
from tests.moments import now
from tests.support.seeded_org import seed

# (start, length) in quarter hours from a base two days ahead; ends always after starts.
spans = st.tuples(st.integers(0, 48), st.integers(1, 16))
held = st.lists(st.tuples(spans, st.sampled_from(["confirmed", "waitlisted", "cancelled"]),
                          st.sampled_from(["scheduled", "cancelled"]), st.booleans()), max_size=6)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[0] + b[1] and b[0] < a[0] + a[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(existing=held, new=spans)
async def test_a_signup_is_refused_exactly_when_a_confirmed_shift_overlaps(pool, existing, new):
    org_id, _admin, (volunteer,) = await seed(pool, 1)
    other_org, _other_admin, _ = await seed(pool, 0)
    await pool.execute("INSERT INTO org_members (org_id, user_id, roles) VALUES ($1, $2, '{volunteer}')",
                       other_org, volunteer)
    base = now().replace(microsecond=0) + timedelta(days=2)

    async def shift(span: tuple[int, int], org, status: str = "scheduled"):
        starts = base + timedelta(minutes=15 * span[0])
        return await pool.fetchval(
            "INSERT INTO shifts (org_id, role, starts_at, ends_at, capacity, status)"
            " VALUES ($1, 'Greeter', $2, $3, 10, $4) RETURNING id",
            org, starts, starts + timedelta(minutes=15 * span[1]), status)

    blocking = None
    for span, place, shift_status, elsewhere in existing:
        shift_id = await shift(span, other_org if elsewhere else org_id, shift_status)
        await pool.execute("INSERT INTO signups (shift_id, user_id, status) VALUES ($1, $2, $3)",
                           shift_id, volunteer, place)
        if place == "confirmed" and shift_status == "scheduled" and overlaps(span, new):
            blocking = blocking or span
    wanted = await shift(new, org_id)
    async with pool.acquire() as conn:
        try:
            async with conn.transaction():
                await signup_service.sign_up(conn, volunteer, wanted)
            refused = None
        except Conflict as exc:
            refused = exc
    if blocking is None:
        assert refused is None, (existing, new)
    else:
        assert refused is not None and refused.slug == "overlapping-shift", (existing, new, refused)
