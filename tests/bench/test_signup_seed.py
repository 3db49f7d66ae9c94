"""The signup benchmarks take their statistics on a table holding signups, as in service
(bench/cases/signup.py, seeded): analyzed empty, the statements of a signup were planned as for
an empty table, and pooled connections kept sequential scans of `signups` as their generic plans
while the table grew under the load."""

from __future__ import annotations

from types import SimpleNamespace

from bench.cases.signup import SEED_EACH, SEED_VOLUNTEERS, SHIFTS, _shifts, seeded
from coord.bookings.engine import SHIFT_SIGNUPS
from coord.bookings.queries import statements


async def _org(pool):
    return await pool.fetchval(
        "INSERT INTO orgs (name, slug, timezone, contact_email) VALUES ('Seed', 'seed', 'UTC', 'hello@seed.example.org') RETURNING id")


async def test_each_seed_volunteer_holds_as_many_places_as_each_seed_shift_and_none_meets_the_measured_shifts(pool):
    ctx = SimpleNamespace(pool=pool)
    org_id = await _org(pool)
    measured = await _shifts(ctx, org_id, SHIFTS)
    await seeded(ctx, org_id, "seed")

    per_volunteer = await pool.fetch("SELECT user_id, count(*) AS n FROM signups GROUP BY user_id")
    per_shift = await pool.fetch("SELECT shift_id, count(*) AS n FROM signups GROUP BY shift_id")
    assert len(per_volunteer) == SEED_VOLUNTEERS and {r["n"] for r in per_volunteer} == {SEED_EACH}
    assert len(per_shift) == SEED_VOLUNTEERS and {r["n"] for r in per_shift} == {SEED_EACH}
    assert set(measured).isdisjoint(r["shift_id"] for r in per_shift)
    # No volunteer is seeded onto two shifts at once: each of a volunteer's shifts, in order of
    # start, starts after every earlier one has ended. (A window, not a self-join of signups: on a
    # table the planner had no statistics for, the join ran past the pool's 30 s on a busy box.)
    assert not await pool.fetchval(
        """
        SELECT EXISTS (
            SELECT 1 FROM (
                SELECT x.starts_at, max(x.ends_at) OVER (PARTITION BY a.user_id ORDER BY x.starts_at
                                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS ended
                FROM signups a JOIN shifts x ON x.id = a.shift_id) placed
            WHERE starts_at < ended)
        """)
    # And every seeded shift starts after the last measured one ends, so none meets one.
    last_measured_end = await pool.fetchval("SELECT max(ends_at) FROM shifts WHERE id = ANY($1::uuid[])", measured)
    first_seeded_start = await pool.fetchval(
        "SELECT min(starts_at) FROM shifts WHERE id IN (SELECT shift_id FROM signups)")
    assert last_measured_end < first_seeded_start


async def test_after_the_seed_the_waitlist_tally_is_planned_on_the_index_not_a_scan_of_all_signups(pool):
    """The generic plan a pooled connection caches for the engine's take_place: on the index of
    (shift_id, user_id) once the statistics have seen signups; on a table analyzed empty, a
    sequential scan of every signup (the benchmark's slow windows of session 28)."""
    ctx = SimpleNamespace(pool=pool)
    org_id = await _org(pool)
    shift_id = (await _shifts(ctx, org_id, 1))[0]

    async def generic_plan() -> str:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            await conn.execute(f"PREPARE tally_plan AS {statements(SHIFT_SIGNUPS).take_place}")
            try:
                # EXPLAIN EXECUTE takes no parameters: the shift's own id, a uuid from this database.
                rows = await conn.fetch(f"EXPLAIN EXECUTE tally_plan('{shift_id}'::uuid, '{shift_id}'::uuid, 10)")
            finally:
                await conn.execute("DEALLOCATE tally_plan")
        return "\n".join(r[0] for r in rows)

    await pool.execute("TRUNCATE signups")  # as new as the benchmark's database: never a row in it
    await pool.execute("ANALYZE signups")
    assert "Seq Scan on signups" in await generic_plan()  # the trap: analyzed empty

    await seeded(ctx, org_id, "seed")
    await pool.execute("ANALYZE signups")
    plan = await generic_plan()
    assert "Seq Scan on signups" not in plan and "signups_shift_id_user_id_key" in plan
