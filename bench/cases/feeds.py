"""Calendar feeds: cached revalidation against /health, cached full fetches, and the
cost of our rendering against the icalendar library alone.

The data: one person in 20 weekly groups over a year (series of 52, each with a
cancelled and a moved occurrence) plus 300 confirmed shifts, inserted with SQL.
"""

from __future__ import annotations

import itertools
import statistics
import time
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID
from zoneinfo import ZoneInfo

import icalendar

from bench.cases.signup import ROUNDS, taking_turns
from bench.load import Request
from bench.registry import Context, benchmark, result
from coord.calendar import PRODID, CalEvent, render_calendar
from coord.calendar.render import render_whole
from coord.feeds import content

NY = "America/New_York"
GROUPS, WEEKS, SHIFTS = 20, 52, 300
RENDER_ROUNDS = 15

_world: dict[int, dict[str, Any]] = {}  # per Context: built once, shared by the benchmarks below


async def _setup(ctx: Context) -> dict[str, Any]:
    if id(ctx) in _world:
        return _world[id(ctx)]
    person = await ctx.user("feeds")
    org = await ctx.org(person)
    org_id, user_id = UUID(org["id"]), UUID(person.id)
    first_local = (datetime.now(ZoneInfo(NY)) - timedelta(weeks=26)).replace(
        hour=18, minute=30, second=0, microsecond=0, tzinfo=None)
    async with ctx.pool.acquire() as conn, conn.transaction():
        for n in range(GROUPS):
            group_id = await conn.fetchval(
                """INSERT INTO groups (org_id, name, description, format, visibility, join_policy, timezone)
                   VALUES ($1, $2, 'A weekly peer group', 'peer_led', 'private', 'approval', $3) RETURNING id""",
                org_id, f"Group {n}", NY)
            await conn.execute(
                "INSERT INTO group_members (group_id, user_id, role, status) VALUES ($1, $2, 'participant', 'active')",
                group_id, user_id)
            start = first_local + timedelta(days=n % 7, hours=n % 3)
            series_id = await conn.fetchval(
                """INSERT INTO series (group_id, org_id, start_local, timezone, duration_minutes, rrule, materialized_until)
                   VALUES ($1, $2, $3, $4, 90, $5, now() + interval '1 year') RETURNING id""",
                group_id, org_id, start, NY, f"FREQ=WEEKLY;COUNT={WEEKS}")
            zone = ZoneInfo(NY)
            starts = [(start + timedelta(weeks=w)).replace(tzinfo=zone, fold=0).astimezone(timezone.utc) for w in range(WEEKS)]
            await conn.execute(
                """INSERT INTO sessions (series_id, group_id, org_id, recurrence_id, starts_at, ends_at)
                   SELECT $1, $2, $3, s, s, s + interval '90 minutes' FROM unnest($4::timestamptz[]) s""",
                series_id, group_id, org_id, starts)
            await conn.execute(
                "UPDATE sessions SET status = 'cancelled', sequence = 1 WHERE series_id = $1 AND recurrence_id = $2",
                series_id, starts[10])
            await conn.execute(
                """UPDATE sessions SET starts_at = starts_at + interval '1 day', ends_at = ends_at + interval '1 day',
                   sequence = 1 WHERE series_id = $1 AND recurrence_id = $2""", series_id, starts[20])
        shift_ids = await conn.fetch(
            """INSERT INTO shifts (org_id, role, starts_at, ends_at, capacity)
               SELECT $1, 'Greeter', now() + g * interval '1 day', now() + g * interval '1 day' + interval '3 hours', 5
               FROM generate_series(1, $2) g RETURNING id""", org_id, SHIFTS)
        await conn.execute(
            "INSERT INTO signups (shift_id, user_id, status) SELECT unnest($1::uuid[]), $2, 'confirmed'",
            [r["id"] for r in shift_ids], user_id)
    feed = ctx.expect(await ctx.client.post("/api/v1/me/feeds", json={"scope": "mine"}, headers=person.headers), 201)
    path = urlsplit(feed["url"]).path
    first = await ctx.client.get(path)
    assert first.status_code == 200, f"the feed answered {first.status_code}"
    _world[id(ctx)] = world = {"user_id": user_id, "path": path, "etag": first.headers["etag"], "body": first.content}
    return world


@benchmark("feed_304_vs_health")
async def feed_304_vs_health(ctx: Context) -> dict:
    """value: cached feed revalidations (304) per second; baseline: GET /health in the
    same run, with the same client (bench.load's raw client). The two take turns in ROUNDS
    windows each (taking_turns): one after the other, a machine whose speed moved between
    them (by a fifth within minutes, some days) moved the ratio with it."""
    world = await _setup(ctx)
    health = Request("GET", "/health")
    revalidate = Request("GET", world["path"], headers={"If-None-Match": world["etag"]})
    loads = await taking_turns(ctx, {
        "health": lambda window: ctx.http_load(health, expect=200, seconds=window),
        "feed": lambda window: ctx.http_load(revalidate, expect=304, seconds=window),
    }, ROUNDS)
    return result("feed_304_vs_health", loads["feed"].rate, "req/s", baseline=loads["health"].rate, cpu=loads)


@benchmark("feed_cached_rps")
async def feed_cached_rps(ctx: Context) -> dict:
    """Full (200) fetches of the cached feed per second at concurrency 32."""
    world = await _setup(ctx)
    load = await ctx.http_load(Request("GET", world["path"]), expect=200, concurrency=32)
    return result("feed_cached_rps", load.rate, "req/s")


def _icalendar_only(events: list[CalEvent], name: str) -> bytes:
    """The same VEVENTs written with icalendar alone (its own VTIMEZONEs): the baseline."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    for event in events:
        zone = ZoneInfo(event.tzid) if event.tzid else timezone.utc
        vevent = icalendar.Event()
        vevent.add("uid", event.uid)
        vevent.add("sequence", event.sequence)
        vevent.add("dtstamp", event.dtstamp.astimezone(timezone.utc))
        vevent.add("dtstart", event.start.astimezone(zone))
        vevent.add("dtend", event.end.astimezone(zone))
        vevent.add("summary", event.summary)
        if event.recurrence_id is not None:
            vevent.add("recurrence-id", event.recurrence_id.astimezone(zone))
        if event.rrule is not None:
            vevent.add("rrule", icalendar.vRecur.from_ical(event.rrule))
            for moment in event.exdates:
                vevent.add("exdate", moment.astimezone(zone))
        for prop in ("description", "location", "url"):
            if getattr(event, prop) is not None:
                vevent.add(prop, getattr(event, prop))
        cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical()


def _median_ms(fn) -> float:
    times = []
    for _ in range(RENDER_ROUNDS):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


@benchmark("feed_render_vs_icalendar")
async def feed_render_vs_icalendar(ctx: Context) -> list[dict]:
    """value: median ms to build and render the feed from its rows (series expansion,
    VTIMEZONEs, rendering); baseline: icalendar alone writing the same components."""
    world = await _setup(ctx)
    async with ctx.pool.acquire() as conn:
        rows = await content.load_mine(conn, world["user_id"])
    view = content.View("http://bench.example.org")
    changes = itertools.count(1)

    def ours() -> bytes:
        # A changed feed, as a feed is re-rendered: one of its shifts changed since the last
        # render (a new updated_at, so a new DTSTAMP), everything else as it was.
        shift = rows.shifts[next(changes) % len(rows.shifts)]
        shift["updated_at"] += timedelta(microseconds=1)
        return render_calendar(content.calendar(rows, view, name="My schedule", calendar_uid="feed-bench@coord"))

    events = content.build_events(rows, view)
    assert world["body"].count(b"BEGIN:VEVENT") == len(events), "the in-process render differs from the served feed"
    ours()  # the feed as first rendered; each measured round then has one change
    ours_ms = _median_ms(ours)
    baseline_ms = _median_ms(lambda: _icalendar_only(events, "My schedule"))
    whole_ms = _median_ms(lambda: render_whole(content.calendar(rows, view, name="My schedule",
                                                                calendar_uid="feed-bench@coord")))
    return [
        result("feed_render_vs_icalendar", ours_ms, "ms", baseline=baseline_ms),
        result("feed_render_whole_vs_icalendar", whole_ms, "ms", baseline=baseline_ms),
        result("feed_vevents", len(events), "count"),
    ]


@benchmark("feed_bytes")
async def feed_bytes(ctx: Context) -> dict:
    """Size of the feed (20 weekly groups over a year + 300 shifts)."""
    world = await _setup(ctx)
    return result("feed_bytes", len(world["body"]), "bytes")
