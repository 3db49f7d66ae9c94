"""A world with known figures for reports: two past months of one group's sessions,
attendance, a shift, events and referrals, written straight into the tables (the domains'
own paths are tested in their packages; here what matters is what the report counts)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from tests.moments import NY, today
from tests.support.world import setup


def month_start(months_back: int) -> date:
    first = today(NY).replace(day=1)
    index = first.year * 12 + first.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def label(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def moment(day: date, hour: int = 15) -> datetime:
    return datetime(day.year, day.month, 10, hour, tzinfo=ZoneInfo(NY)).astimezone(timezone.utc)


async def people(pool, n: int, locale: str | None) -> list:
    return [await pool.fetchval("INSERT INTO users (display_name, locale) VALUES ($1, $2) RETURNING id",
                                f"Person {i}", locale) for i in range(n)]


async def session(pool, s, day: date, status: str = "completed", facilitators: list | None = None):
    start = moment(day)
    sid = await pool.fetchval(
        "INSERT INTO sessions (group_id, org_id, starts_at, ends_at, status) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        s.group["id"], s.org["id"], start, start + timedelta(hours=1), status)
    for f in facilitators or []:
        await pool.execute("INSERT INTO session_facilitators (session_id, user_id) VALUES ($1, $2)", sid, f)
    return sid


async def attend(pool, session_id, users, status: str = "present") -> None:
    await pool.executemany("INSERT INTO attendance (session_id, user_id, status) VALUES ($1, $2, $3)",
                           [(session_id, u, status) for u in users])


async def build(client, api, pool):
    """M1 (two months back): one session held (14 came, all Spanish; one absent who saved no
    language), one cancelled. M2 (last month): 12 of them come back (one more excused), 11 new
    Spanish speakers and the one without a language come to a second session with one of them;
    one shift of 3 places (hours approved 3.5, one checked in awaiting hours, one no-show); an event
    with 12 registrations and one cancelled; referrals."""
    s = await setup(client, api)
    m1, m2 = month_start(2), month_start(1)
    fac = s.facilitator.id
    es = await people(pool, 14, "es")
    unknown = (await people(pool, 1, None))[0]
    newcomers = await people(pool, 11, "es-MX")
    s1 = await session(pool, s, m1, facilitators=[fac])
    await session(pool, s, m1, status="cancelled")
    await attend(pool, s1, es)
    await attend(pool, s1, [unknown], "absent")
    s3 = await session(pool, s, m2, facilitators=[fac])
    s4 = await session(pool, s, m2 + timedelta(days=1))
    await attend(pool, s3, es[:12])
    await attend(pool, s3, [es[12]], "excused")
    await attend(pool, s4, [es[0], *newcomers, unknown])
    volunteers = await people(pool, 3, "en")
    shift = await pool.fetchval(
        "INSERT INTO shifts (org_id, role, starts_at, ends_at, capacity) VALUES ($1, 'Greeter', $2, $3, 3) RETURNING id",
        s.org["id"], moment(m2), moment(m2) + timedelta(hours=4))
    await pool.executemany(
        "INSERT INTO signups (shift_id, user_id, status, hours, checked_in_at) VALUES ($1, $2, 'confirmed', $3, $4)",
        [(shift, volunteers[0], 3.5, moment(m2)), (shift, volunteers[1], None, moment(m2)),
         (shift, volunteers[2], None, None)])
    for status in ("scheduled", "cancelled"):
        event = await pool.fetchval(
            "INSERT INTO events (org_id, title, kind, starts_at, ends_at, timezone, visibility, status) "
            "VALUES ($1, 'Open day', 'community', $2, $3, $4, 'public', $5) RETURNING id",
            s.org["id"], moment(m2), moment(m2) + timedelta(hours=2), NY, status)
        if status == "scheduled":
            await pool.executemany("INSERT INTO registrations (event_id, user_id, status) VALUES ($1, $2, 'confirmed')",
                                   [(event, u) for u in es[:12]])
    referrals = [("housing", "completed", 12), ("housing", "requested", 3), ("food", "completed", 15),
                 ("food", "declined", 0)]
    for category, status, n in referrals:
        for person in (es + newcomers)[:n]:
            await pool.execute(
                "INSERT INTO referrals (org_id, person_id, status, category, checkin_due_at, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $5, $5)", s.org["id"], person, status, category, moment(m2))
    return s, m1, m2
