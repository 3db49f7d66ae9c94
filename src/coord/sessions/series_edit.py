""""This and following" edits: split a series at one occurrence.

The old series keeps the occurrences before the split (its RRULE gets an UNTIL);
its occurrences from the split on are cancelled (attendees get CANCELs), and a
new series, linked by `split_from`, is materialized with the changes and with the
facilitators of the occurrence the edit started from.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.errors import Conflict, NotFound, Unprocessable
from coord.groups.service import check_venue, require_manager, require_running
from coord.outbox.domain_events import SeriesChanged, SeriesScheduled
from coord.outbox.record import record
from coord.sessions import queries
from coord.sessions.recurrence import (
    DEFAULT_HORIZON,
    RecurrenceError,
    describe,
    materialize_window,
    parse_rule,
    split_rule,
)
from coord.sessions.schemas import SeriesEditIn, SeriesEndIn, SeriesEndOut, SeriesOut
from coord.sessions.service import checked_rule, load_managed_session, materialize, staff_series

SPLIT_REASON = "the series was rescheduled from this session on"
END_REASON = "the series has ended"
# How far ahead to look for the occurrence a series ends before.
END_LOOKAHEAD = timedelta(days=800)


async def edit_following(
    conn: asyncpg.Connection, actor_id: UUID, session_id: UUID, data: SeriesEditIn
) -> SeriesOut:
    row, access = await load_managed_session(conn, session_id, actor_id, lock=True)
    require_running(access.group)
    if row["series_id"] is None:
        raise Conflict(_("this session is not part of a series"))
    now = clock.now()
    if row["recurrence_id"] <= now:
        raise Conflict(_("only a series' future sessions can be rescheduled"))
    series = await conn.fetchrow(queries.LOCK_SERIES, row["series_id"])
    if series["ended_at"] is not None:
        raise Conflict(_("this series has ended"))
    tz = series["timezone"]
    old_rule = parse_rule(series["start_local"], tz, series["rrule"], timedelta(minutes=series["duration_minutes"]))
    split_at = row["recurrence_id"].astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    try:
        old_rrule, tail = split_rule(old_rule, split_at)
    except RecurrenceError as exc:
        raise Unprocessable(exc.message, field="start") from None
    minutes = data.duration_minutes or series["duration_minutes"]
    new_rule = checked_rule(data.start or tail.start, tz, data.rrule or tail.rrule, minutes)
    venue_id = series["venue_id"] if data.venue_id is msgspec.UNSET else data.venue_id
    await check_venue(conn, access.group.org_id, venue_id)

    nothing_left = split_at == old_rule.start  # split at the first occurrence
    await conn.execute(queries.END_SERIES_RULE, series["id"], old_rrule, nothing_left)
    # No CANCEL per session: the old series' invite (its rule now ends before them) and the
    # new series' invite say it all, in two messages rather than one per week.
    await conn.execute(queries.CANCEL_FOLLOWING, series["id"], row["recurrence_id"], SPLIT_REASON)
    await record(conn, SeriesChanged(series_id=series["id"], group_id=row["group_id"]))

    horizon_end = now + DEFAULT_HORIZON
    new_id = await conn.fetchval(
        queries.INSERT_SERIES, row["group_id"], row["org_id"], new_rule.start, tz, minutes, new_rule.rrule,
        venue_id, horizon_end,
    )
    await conn.execute(queries.SET_SPLIT_FROM, new_id, series["id"])
    new_series = {"id": new_id, "group_id": row["group_id"], "org_id": row["org_id"], "venue_id": venue_id}
    created = await materialize(conn, new_series, new_rule, None, horizon_end)
    facilitators = [r["user_id"] for r in await conn.fetch(queries.SESSION_FACILITATORS, session_id)]
    await staff_series(conn, new_id, created, facilitators)  # the new series' own, for the horizon too
    await record(conn, SeriesScheduled(series_id=new_id, group_id=row["group_id"]))
    return SeriesOut(new_id, row["group_id"], len(created), describe(new_rule), horizon_end)


async def end_series(conn: asyncpg.Connection, actor_id: UUID, series_id: UUID, data: SeriesEndIn) -> SeriesEndOut:
    """End a series after an instant (default now): its rule gets an UNTIL, later
    sessions are cancelled, and no more are materialized."""
    series = await conn.fetchrow(queries.LOCK_SERIES, series_id)
    if series is None:
        raise NotFound(_("no such series"))
    await require_manager(conn, series["group_id"], actor_id)  # another org's series: 404
    if series["ended_at"] is not None:
        raise Conflict(_("this series has already ended"))
    after = data.after or clock.now()
    tz = series["timezone"]
    rule = parse_rule(series["start_local"], tz, series["rrule"], timedelta(minutes=series["duration_minutes"]))
    following = materialize_window(rule, after=after, horizon_end=after + END_LOOKAHEAD)
    rrule, cancelled = series["rrule"], []
    if following:
        first_left_out = following[0][0]
        rrule, _unused = split_rule(rule, first_left_out.astimezone(ZoneInfo(tz)).replace(tzinfo=None))
        cancelled = await conn.fetch(queries.CANCEL_FOLLOWING, series_id, first_left_out, END_REASON)
    await conn.execute(queries.END_SERIES_RULE, series_id, rrule, True)
    await record(conn, SeriesChanged(series_id=series_id, group_id=series["group_id"]))
    return SeriesEndOut(id=series_id, rrule=rrule, sessions_cancelled=len(cancelled))
