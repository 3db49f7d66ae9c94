"""/orgs/{slug}/reports: the report a coordinator hands to a funder (issue 18), its charts
drawn as inline SVG with the same numbers in tables, and its CSV (/orgs/{slug}/reports.csv).
Admins and coordinators read the organization's; facilitators their own groups'."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from coord.i18n import gettext as _
from coord.kernel.access import CurrentUser
from coord.kernel.errors import Unprocessable
from coord.kernel.params import DB
from coord.reports import layout
from coord.reports import service as reports
from coord.reports.routes import csv_response
from coord.reports.schemas import OrgReportOut
from coord.web.forms import domain_errors
from coord.web.render import event_kind, page
from coord.web.report_charts import bar_chart
from coord.web.session import Viewer, signed_in

Slug = FromPath[str]
FILTERS = ("period", "from", "to", "group_id", "language", "event_kind")


def _chosen(request: Request) -> dict[str, str]:
    return {k: v for k in FILTERS if (v := (request.query_params.get(k) or "").strip())}


async def _build(db: DB, me: CurrentUser, org_id: UUID, chosen: dict[str, str]) -> OrgReportOut:
    group_id = None
    if chosen.get("group_id"):
        try:
            group_id = UUID(chosen["group_id"])
        except ValueError:
            raise Unprocessable(_("Choose one of the groups in the list."), field="group_id") from None
    return await reports.build_report(db, me.id, org_id, chosen.get("period", "month"), chosen.get("from"),
                                      chosen.get("to"), group_id, chosen.get("language"), chosen.get("event_kind"))


def charts(report: OrgReportOut) -> list[dict[str, Any]]:
    """Each chart with its table: the same numbers, as shown."""
    labels = [p.period for p in report.periods]
    out = []

    def add(title: str, description: str, series: list[tuple[str, list[object]]], unit: str = "",
            stacked: bool = False, names: list[str] | None = None) -> None:
        out.append({"svg": bar_chart(title, description, names or labels, series, unit, stacked), "title": title,
                    "labels": names or labels, "series": [(n, [layout.shown(v, "rate" if unit == "%" else "hours")
                                                               for v in values]) for n, values in series]})

    add(_("Attendance over time"), _("Bars per period: people present, absent and excused at sessions. Counts from "
                                     "1 to 10 are not drawn and are written 1-10."),
        [(_("Present"), [p.attendance.present for p in report.periods]),
         (_("Absent"), [p.attendance.absent for p in report.periods]),
         (_("Excused"), [p.attendance.excused for p in report.periods])])
    if report.periods and report.periods[0].volunteer_hours_approved is not None:
        add(_("Volunteer hours over time"), _("Stacked bars per period: hours approved, and hours awaiting approval."),
            [(_("Approved"), [p.volunteer_hours_approved for p in report.periods]),
             (_("Pending"), [p.volunteer_hours_pending for p in report.periods])], stacked=True)
    add(_("Coverage"), _("Bars per period: the share of facilitator places filled at sessions, out of 100%."),
        [(_("Coverage"), [p.coverage_rate for p in report.periods])], unit="%")
    if report.periods:
        last = report.periods[-1]
        codes = sorted(last.participants_by_language)
        if codes:
            add(_("People reached by language, %(period)s") % {"period": last.period},
                _("Bars per language: the people who came in the last period, by the language they chose."),
                [(_("People"), [last.participants_by_language[c] for c in codes])],
                names=[layout.language_name(c) for c in codes])
    referrals = report.referrals
    if referrals is not None and referrals.rows:
        add(_("Referrals by outcome"), _("Bars per outcome: the referrals made in these periods, all categories "
                                         "together. Counts from 1 to 10 are not drawn and are written 1-10."),
            [(_("Referrals"), [referrals.by_outcome[o] for o in referrals.outcomes])],
            names=[layout.outcome_name(o) for o in referrals.outcomes])
    return out


class ReportPages(Controller):
    path = "/orgs/{slug:str}"

    @get("/reports", name="org-reports")
    async def report(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Template:
        """The report: filters, charts with their tables, every figure per period, and the rule that protects people."""
        me = signed_in(request, viewer)
        org_id = await reports.org_id_by_slug(db, slug)
        groups = await reports.groups_in_scope(db, me.id, org_id)
        chosen = _chosen(request)
        errors: dict[str, str] = {}
        report = None
        try:
            report = await _build(db, me, org_id, chosen)
        except Unprocessable as exc:
            errors = domain_errors(exc)
        query = urlencode(chosen)
        return page(request, "report.html", viewer=me, title=_("Report"), status_code=422 if errors else 200,
                    slug=slug, report=report, errors=errors, chosen=chosen, groups=groups,
                    rows=layout.rows(report) if report else [], charts=charts(report) if report else [],
                    unit_words=layout.unit_words(report) if report else "",
                    kinds=[(k, event_kind(k)) for k in reports.EVENT_KINDS],
                    csv_url=f"/orgs/{slug}/reports.csv" + (f"?{query}" if query else ""),
                    language_name=layout.language_name, outcome_name=layout.outcome_name,
                    category_name=layout.category_name)

    @get("/reports.csv", name="org-reports-csv")
    async def report_csv(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Response:
        """The page's figures as CSV (aggregates only)."""
        me = signed_in(request, viewer)
        org_id = await reports.org_id_by_slug(db, slug)
        return csv_response(await _build(db, me, org_id, _chosen(request)))


CONTROLLERS: list[Any] = [ReportPages]
