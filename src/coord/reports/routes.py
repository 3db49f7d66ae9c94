"""GET /orgs/{org_id}/reports: JSON, or CSV for `Accept: text/csv` or `.csv` on the path."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter

from coord.kernel.params import DB, AuthedRequest, PathId
from coord.reports import layout, service
from coord.reports.schemas import OrgReportOut

Unit = Annotated[Literal["month", "quarter"], QueryParameter(name="period", description="calendar months or quarters")]
From = Annotated[str | None, QueryParameter(name="from", description="first month, YYYY-MM (its quarter for quarters)")]
To = Annotated[str | None, QueryParameter(name="to", description="last month, YYYY-MM (default: this month)")]
GroupId = Annotated[UUID | None, QueryParameter(name="group_id")]
Language = Annotated[str | None, QueryParameter(name="language", description="a language's code, or unknown")]
EventKind = Annotated[str | None, QueryParameter(name="event_kind")]

CSV = "text/csv; charset=utf-8"


def csv_response(report: OrgReportOut) -> Response[Any]:  # the CSV of the same figures
    name = f"report-{report.from_}-{report.to}.csv"
    return Response(layout.to_csv(report), media_type=CSV,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


class ReportController(Controller):
    path = "/orgs/{org_id:uuid}"
    tags = ["reports"]

    @get("/reports", operation_id="getOrgReport")
    async def report(self, request: AuthedRequest, org_id: PathId, db: DB, period: Unit = "month",
                     from_: From = None, to: To = None, group_id: GroupId = None, language: Language = None,
                     event_kind: EventKind = None) -> Response[OrgReportOut]:
        """Figures per calendar month or quarter for a funder: sessions, attendance, participants
        (new, returning), people reached per language, coverage, volunteer hours and their value,
        shifts, events, referrals by category and outcome (admins, coordinators; facilitators their
        own groups). Counts of people from 1 to 10 are "1-10"; other values hidden to protect them
        are null. `Accept: text/csv` gives the same as CSV."""
        out = await service.build_report(db, request.user.id, org_id, period, from_, to, group_id, language,
                                         event_kind)
        if _wants_csv(request):
            return csv_response(out)
        return Response(out)

    @get("/reports.csv", operation_id="getOrgReportCsv", media_type=CSV)
    async def report_csv(self, request: AuthedRequest, org_id: PathId, db: DB, period: Unit = "month",
                         from_: From = None, to: To = None, group_id: GroupId = None, language: Language = None,
                         event_kind: EventKind = None) -> Response[Any]:
        """The report as CSV: its first lines state the periods and the suppression rule."""
        return csv_response(await service.build_report(db, request.user.id, org_id, period, from_, to, group_id,
                                                       language, event_kind))


def _wants_csv(request: Request[Any, Any, Any]) -> bool:
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


CONTROLLERS: list[Any] = [ReportController]
