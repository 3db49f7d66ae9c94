"""Reports (issue 18): who may read which, the fixed periods, and the figures with the
cell-size rule applied. Facilitators read their own groups' figures under the same rule."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.access import STAFF, require_member
from coord.kernel.errors import Forbidden, NotFound, Unprocessable
from coord.reports import queries
from coord.reports.schemas import (ReportAttendanceOut, ReportPeriodOut, ReportReferralRowOut, ReportReferralsOut, OrgReportOut,
                                   ReportSuppressionOut)
from coord.reports.suppression import RULE, SMALL, THRESHOLD, Shown, Table, count, share, suppress

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
LANGUAGE = re.compile(r"^([a-z]{2,3}|unknown)$")
EVENT_KINDS = ("workshop", "training", "awareness", "social", "community")
UNITS = {"month": 1, "quarter": 3}
# Long enough for a grant's two years plus a year to compare.
MAX_PERIODS = {"month": 36, "quarter": 12}
OUTCOMES = ("requested", "accepted", "declined", "cancelled", "completed", "failed")


def _shift(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month(value: str, name: str) -> date:
    found = MONTH.match(value)
    if not found or not 1970 <= int(found.group(1)) <= 2100:
        raise Unprocessable(_("%(name)s must be a month written YYYY-MM (like 2026-03)") % {"name": name}, field=name)
    return date(int(found.group(1)), int(found.group(2)), 1)


def period_starts(unit: str, from_: str | None, to: str | None, today: date) -> list[date]:
    """The fixed periods asked for: calendar months, or quarters (a month names its quarter).
    No arbitrary dates, so no two reports can be differenced into a smaller one."""
    if unit not in UNITS:
        raise Unprocessable(_("Periods are months or quarters."), field="period")
    step = UNITS[unit]

    def align(day: date) -> date:
        return date(day.year, (day.month - 1) // step * step + 1, 1)

    last = align(_month(to, "to") if to else today.replace(day=1))
    first = align(_month(from_, "from")) if from_ else _shift(last, -step * (MAX_PERIODS[unit] // 3 - 1))
    if first > last:
        raise Unprocessable(_("The first month must not be after the last."), field="from")
    starts = []
    while first <= last:
        starts.append(first)
        first = _shift(first, step)
    if len(starts) > MAX_PERIODS[unit]:
        raise Unprocessable(_("A report covers at most 36 months, or 12 quarters."), field="from")
    return starts


def label(unit: str, start: date) -> str:
    return f"{start.year}-{start.month:02d}" if unit == "month" else f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def _instant(day: date, tz: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))


async def _scope(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, group_id: UUID | None):
    """(staff, the groups in scope or None for all, the group's name)."""
    roles = await require_member(conn, org_id, actor_id)
    staff = bool(roles & set(STAFF))
    if not staff and "facilitator" not in roles:
        raise Forbidden(_("Reports are for admins, coordinators, and facilitators (their own groups)."))
    group_name = None
    if group_id is not None:
        group = await conn.fetchrow(queries.GROUP_IN_ORG, group_id, org_id)
        if group is None:
            raise NotFound(_("no such group"))
        group_name = group["name"]
    if staff:
        return True, ([group_id] if group_id else None), group_name
    own = [r["group_id"] for r in await conn.fetch(queries.FACILITATED_GROUPS, org_id, actor_id)]
    if group_id is not None and group_id not in own:
        raise Forbidden(_("Facilitators read the reports of their own groups."))
    return False, ([group_id] if group_id else own), group_name


def _participants(rows: list[dict], languages: list[str]):
    """new, returning, unique and per-language counts as they may be shown."""
    by = {r["language"]: r for r in rows}
    cells = [[by[lang]["new"] if lang in by else 0 for lang in languages],
             [by[lang]["returning"] if lang in by else 0 for lang in languages]]
    if not languages:
        return 0, 0, 0, {}
    out = suppress(Table(cells, cells_published=False))
    return out.row_totals[0], out.row_totals[1], out.grand_total, dict(zip(languages, out.col_totals))


PEOPLE_FIGURES = ("present", "absent", "excused", "unique_participants", "new_participants",
                  "returning_participants", "back_from_last")


def most_hidden(a: Shown, b: Shown) -> Shown:
    """Two releases of one value: what both allow (hiding more never reveals anything)."""
    if a is None or b is None:
        return None
    return SMALL if SMALL in (a, b) else a


async def _group_figures(conn: asyncpg.Connection, org_id: UUID, group_id: UUID, unit: str, tz: str, first: date,
                         end: datetime, step: int) -> dict[date, dict[str, Shown]]:
    """One group's counts of people, suppressed together with every other group's: a column of
    groups whose total is the organization's, so that no difference of reports gives one away
    (taken as if nobody came to two groups, the case where the difference would be exact)."""
    by_period: dict[date, dict[UUID, dict[str, int]]] = {}
    for r in await conn.fetch(queries.PEOPLE_BY_GROUP, org_id, first, end, unit, tz, step):
        by_period.setdefault(r["period"], {})[r["group_id"]] = dict(r)
    for r in await conn.fetch(queries.LANGUAGES_BY_GROUP, org_id, _instant(first, tz), end, unit, tz):
        rows = by_period.setdefault(r["period"], {})
        rows[r["group_id"]] = {**rows.get(r["group_id"], {}), f"language:{r['language']}": r["n"]}  # type: ignore[dict-item]
    shown: dict[date, dict[str, Shown]] = {}
    for period, rows in by_period.items():
        if group_id not in rows:
            continue
        ids = sorted(rows, key=str)
        at = ids.index(group_id)
        shown[period] = {}
        for figure in {*PEOPLE_FIGURES, *(k for k in rows[group_id].keys() if k.startswith("language:"))}:
            column = suppress(Table([[rows[g].get(figure, 0) or 0] for g in ids], row_totals=False,
                                    grand_total=False))
            shown[period][figure] = column.cells[at][0]
    return shown


async def build_report(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, unit: str, from_: str | None,
                       to: str | None, group_id: UUID | None = None, language: str | None = None,
                       event_kind: str | None = None) -> OrgReportOut:
    org = await conn.fetchrow(queries.ORG, org_id)
    if org is None:
        raise NotFound(_("no such organization"))
    staff, groups, group_name = await _scope(conn, actor_id, org_id, group_id)
    if language is not None and not LANGUAGE.match(language):
        raise Unprocessable(_("Write a language as its code, like es, or unknown."), field="language")
    if event_kind is not None and event_kind not in EVENT_KINDS:
        raise Unprocessable(_("Choose a kind of event from the list."), field="event_kind")
    tz, now = org["timezone"], clock.now()
    starts = period_starts(unit, from_, to, now.astimezone(ZoneInfo(tz)).date())
    step = UNITS[unit]
    before = _shift(starts[0], -step)
    begin, end = _instant(starts[0], tz), _instant(_shift(starts[-1], step), tz)
    by_group = [*groups] if groups is not None else None

    sessions = {r["period"]: r for r in await conn.fetch(queries.SESSIONS, org_id, begin, end, unit, tz, by_group, now)}
    attendance: dict[date, dict[str, int]] = {}
    seen: dict[date, list[dict]] = {}
    # Always the whole table: one language's figures are read from it (a query per language
    # could be subtracted from the organization's).
    for r in await conn.fetch(queries.PEOPLE, org_id, starts[0], end, unit, tz, by_group, step, before):
        if r["kind"] == "attendance":
            attendance.setdefault(r["period"], {})[r["key"]] = r["a"]
        else:
            seen.setdefault(r["period"], []).append(
                {"language": r["key"], "new": r["a"], "returning": r["b"], "back_from_last": r["c"]})
    shifts = volunteers = events = {}
    if staff and group_id is None:
        shifts = {r["period"]: r for r in await conn.fetch(queries.SHIFTS, org_id, begin, end, unit, tz, now)}
        volunteers = {r["period"]: r["active"] for r in await conn.fetch(queries.VOLUNTEERS, org_id, begin, end,
                                                                         unit, tz)}
        events = {r["period"]: r for r in await conn.fetch(queries.EVENTS, org_id, begin, end, unit, tz,
                                                          event_kind)}
    org_wide = staff and group_id is None
    # One group's people are suppressed with the other groups'; a facilitator of several groups
    # reads people per group (an aggregate of some groups would difference against each).
    single = group_id or (groups[0] if not staff and groups is not None and len(groups) == 1 else None)
    jointly = await _group_figures(conn, org_id, single, unit, tz, before, end, step) if single else {}
    people_hidden = not staff and group_id is None and single is None
    languages = sorted({r["language"] for rows in seen.values() for r in rows})
    last_unique = _participants(seen.get(before, []), languages)[2]
    if single:
        last_unique = most_hidden(last_unique, jointly.get(before, {}).get("unique_participants", 0))
    periods = []
    for start in starts:
        s, a, sh, ev = sessions.get(start), attendance.get(start, {}), shifts.get(start), events.get(start)
        new, returning, unique, by_language = _participants(seen.get(start, []), languages)
        back = count(sum(r["back_from_last"] for r in seen.get(start, [])))
        present, absent, excused = (count(a.get(k, 0)) for k in ("present", "absent", "excused"))
        if single:
            joint = jointly.get(start, {})
            present, absent, excused, unique, new, returning, back = (
                most_hidden(mine, joint.get(k, 0)) for mine, k in zip(
                    (present, absent, excused, unique, new, returning, back), PEOPLE_FIGURES))
            by_language = {code: most_hidden(v, joint.get(f"language:{code}", 0)) for code, v in by_language.items()}
        if language is not None:  # that language's people, as the whole table shows them
            unique = by_language.get(language, 0)
            present = absent = excused = new = returning = back = None
            by_language = {language: unique}
        if people_hidden:
            present = absent = excused = unique = new = returning = back = None
            by_language = {}
        hours = round(sh["hours_approved"], 2) if sh else 0.0
        periods.append(ReportPeriodOut(
            period=label(unit, start), starts_on=start, ends_on=_shift(start, step) - timedelta(days=1),
            sessions_held=s["held"] if s else 0, sessions_cancelled=s["cancelled"] if s else 0,
            attendance=ReportAttendanceOut(present, absent, excused),
            unique_participants=unique, new_participants=new, returning_participants=returning,
            returned_from_last_rate=share(back, last_unique), participants_by_language=by_language,
            facilitator_places_needed=s["places_needed"] if s else 0,
            facilitator_places_filled=s["places_filled"] if s else 0,
            coverage_rate=share(s["places_filled"], s["places_needed"]) if s else None,
            volunteer_hours_approved=hours if org_wide else None,
            volunteer_hours_pending=(round(sh["hours_pending"], 2) if sh else 0.0) if org_wide else None,
            volunteer_value=round(hours * org["hour_value"], 2) if org_wide else None,
            volunteers_active=count(volunteers.get(start, 0)) if org_wide else None,
            shift_places=(sh["capacity"] if sh else 0) if org_wide else None,
            shift_places_filled=(sh["confirmed"] if sh else 0) if org_wide else None,
            shift_fill_rate=share(sh["confirmed"], sh["capacity"]) if sh and org_wide else None,
            no_show_rate=share(sh["no_shows"], sh["due"]) if sh and org_wide else None,
            events_held=(ev["held"] if ev else 0) if org_wide else None,
            events_cancelled=(ev["cancelled"] if ev else 0) if org_wide else None,
            event_registrations=count(ev["registrations"] if ev else 0) if org_wide else None,
        ))
        last_unique = unique
    return OrgReportOut(
        org_id=org_id, org_name=org["name"], period=unit, from_=label(unit, starts[0]), to=label(unit, starts[-1]),  # type: ignore[arg-type]
        timezone=tz, scope="organization" if staff else "own_groups", group_id=group_id, group_name=group_name,
        language=language, event_kind=event_kind, volunteer_hour_value=org["hour_value"],
        volunteer_hour_value_year=org["hour_year"], periods=periods,
        referrals=await _referrals(conn, org_id, begin, end, groups),
        suppression=ReportSuppressionOut(rule=RULE, threshold=THRESHOLD, shown_as=SMALL), generated_at=now,
    )


async def _referrals(conn: asyncpg.Connection, org_id: UUID, begin: datetime, end: datetime,
                     groups: list[UUID] | None) -> ReportReferralsOut | None:
    """Referrals by category and outcome over the whole range, once referrals exist."""
    if not await conn.fetchval(queries.REFERRALS_EXIST):
        return None
    rows = await conn.fetch(queries.REFERRALS, org_id, begin, end, groups)
    categories = sorted({r["category"] for r in rows})
    if not categories:
        return ReportReferralsOut(outcomes=list(OUTCOMES), rows=[], by_outcome={o: 0 for o in OUTCOMES}, total=0)
    n = {(r["category"], r["status"]): r["n"] for r in rows}
    out = suppress(Table([[n.get((c, o), 0) for o in OUTCOMES] for c in categories]))
    return ReportReferralsOut(
        outcomes=list(OUTCOMES),
        rows=[ReportReferralRowOut(category=c, by_outcome=dict(zip(OUTCOMES, out.cells[i])), total=out.row_totals[i])
              for i, c in enumerate(categories)],
        by_outcome=dict(zip(OUTCOMES, out.col_totals)), total=out.grand_total,
    )


async def org_id_by_slug(conn: asyncpg.Connection, slug: str) -> UUID:
    found = await conn.fetchval(queries.ORG_BY_SLUG, slug)
    if found is None:
        raise NotFound(_("no such organization"))
    return found


async def groups_in_scope(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID) -> list[tuple[UUID, str]]:
    """The groups a reader may narrow a report to: all for staff, a facilitator's own."""
    roles = await require_member(conn, org_id, actor_id)
    rows = await conn.fetch(queries.ORG_GROUPS, org_id)
    if roles & set(STAFF):
        return [(r["id"], r["name"]) for r in rows]
    own = {r["group_id"] for r in await conn.fetch(queries.FACILITATED_GROUPS, org_id, actor_id)}
    return [(r["id"], r["name"]) for r in rows if r["id"] in own]
