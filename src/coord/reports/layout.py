"""The report as people read it: which figures, in which order, under which words. The page's
tables and the CSV are both made from these rows, so the download is exactly what the page shows."""

from __future__ import annotations

import csv
import io
from typing import NamedTuple

from babel import Locale

from coord import i18n
from coord.i18n import N_
from coord.i18n import gettext as _
from coord.reports.schemas import ReportPeriodOut, OrgReportOut

UNKNOWN = "unknown"


class Row(NamedTuple):
    section: str
    label: str
    values: list[str]


def shown(value: object, kind: str = "count") -> str:
    """A figure as written: hidden values empty ("" never means zero), "1-10" as it is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == "rate":
        return f"{100 * float(value):.1f}%"  # type: ignore[arg-type]
    if kind == "money":
        return f"{float(value):,.2f}"  # type: ignore[arg-type]
    if kind == "hours":
        return f"{float(value):g}"  # type: ignore[arg-type]
    return str(value)


def language_name(code: str) -> str:
    if code == UNKNOWN:
        return _("Language not given")
    try:
        return Locale.parse(code).get_display_name(i18n.current()) or code
    except (ValueError, LookupError):
        return code


FIGURES: list[tuple[str, str, str, str]] = [
    # (section, label, field of ReportPeriodOut (a dot reaches inside), kind)
    (N_("Sessions"), N_("Sessions held"), "sessions_held", "count"),
    (N_("Sessions"), N_("Sessions cancelled"), "sessions_cancelled", "count"),
    (N_("Attendance"), N_("Present"), "attendance.present", "count"),
    (N_("Attendance"), N_("Absent"), "attendance.absent", "count"),
    (N_("Attendance"), N_("Excused"), "attendance.excused", "count"),
    (N_("Participants"), N_("People who came"), "unique_participants", "count"),
    (N_("Participants"), N_("New"), "new_participants", "count"),
    (N_("Participants"), N_("Returning"), "returning_participants", "count"),
    (N_("Participants"), N_("Of last period's people, came back"), "returned_from_last_rate", "rate"),
    (N_("Coverage"), N_("Facilitator places needed"), "facilitator_places_needed", "count"),
    (N_("Coverage"), N_("Facilitator places filled"), "facilitator_places_filled", "count"),
    (N_("Coverage"), N_("Coverage"), "coverage_rate", "rate"),
    (N_("Volunteering"), N_("Volunteer hours approved"), "volunteer_hours_approved", "hours"),
    (N_("Volunteering"), N_("Volunteer hours pending"), "volunteer_hours_pending", "hours"),
    (N_("Volunteering"), N_("Value of volunteer time"), "volunteer_value", "money"),
    (N_("Volunteering"), N_("Volunteers active"), "volunteers_active", "count"),
    (N_("Volunteering"), N_("Shift places"), "shift_places", "count"),
    (N_("Volunteering"), N_("Shift places filled"), "shift_places_filled", "count"),
    (N_("Volunteering"), N_("Shift fill rate"), "shift_fill_rate", "rate"),
    (N_("Volunteering"), N_("No-show rate"), "no_show_rate", "rate"),
    (N_("Events"), N_("Events held"), "events_held", "count"),
    (N_("Events"), N_("Events cancelled"), "events_cancelled", "count"),
    (N_("Events"), N_("Event registrations"), "event_registrations", "count"),
]
OWN_GROUPS_SECTIONS = {"Sessions", "Attendance", "Participants", "Coverage"}


OUTCOMES = {"requested": N_("Requested"), "accepted": N_("Accepted"), "declined": N_("Declined"),
            "cancelled": N_("Cancelled"), "completed": N_("Completed"), "failed": N_("Did not work out")}


def outcome_name(code: str) -> str:
    return _(OUTCOMES[code]) if code in OUTCOMES else code


def category_name(category: str) -> str:
    """A referral's category is the directory's words; one without any is coord's "Other"."""
    return _("Other") if category == "other" else category


def value_of(period: ReportPeriodOut, field: str) -> object:
    value: object = period
    for part in field.split("."):
        value = getattr(value, part)
    return value


def rows(report: OrgReportOut) -> list[Row]:
    """Every figure per period, then the people reached per language."""
    out = []
    for section, label, field, kind in FIGURES:
        if report.scope != "organization" or report.group_id is not None:
            if section not in OWN_GROUPS_SECTIONS:
                continue
        out.append(Row(_(section), _(label), [shown(value_of(p, field), kind) for p in report.periods]))
    languages = sorted({code for p in report.periods for code in p.participants_by_language})
    for code in languages:
        out.append(Row(_("People reached by language"), language_name(code),
                       [shown(p.participants_by_language.get(code, 0)) for p in report.periods]))
    return out


def unit_words(report: OrgReportOut) -> str:
    return _("calendar months") if report.period == "month" else _("calendar quarters")


def to_csv(report: OrgReportOut) -> str:
    """The page's figures as CSV; its first lines say what it covers and how counts are protected."""
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow([_("Report"), report.org_name + (f" · {report.group_name}" if report.group_name else "")])
    out.writerow([_("Periods"), _("%(start)s to %(end)s (%(unit)s, %(zone)s)") % {
        "start": report.from_, "end": report.to, "unit": unit_words(report), "zone": report.timezone}])
    out.writerow([_("Suppression"), report.suppression.rule if report.suppression else ""])
    if report.scope == "organization" and report.group_id is None:
        out.writerow([_("Value of a volunteer hour"), _("%(value)s (%(year)s figure)") % {
            "value": shown(report.volunteer_hour_value, "money"), "year": report.volunteer_hour_value_year}])
    out.writerow([])
    out.writerow([_("Section"), _("Figure"), *(p.period for p in report.periods)])
    for row in rows(report):
        out.writerow([row.section, row.label, *row.values])
    if report.referrals is not None and report.referrals.rows:
        out.writerow([])
        out.writerow([_("Referrals (whole range)"), _("Category"), *map(outcome_name, report.referrals.outcomes),
                      _("Total")])
        for r in report.referrals.rows:
            out.writerow(["", category_name(r.category), *(shown(r.by_outcome[o]) for o in report.referrals.outcomes),
                          shown(r.total)])
        out.writerow(["", _("Total"), *(shown(report.referrals.by_outcome[o]) for o in report.referrals.outcomes),
                      shown(report.referrals.total)])
    return buffer.getvalue()
