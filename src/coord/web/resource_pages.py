"""/resources: finding help on a phone (issue 17.4), without JavaScript: a GET form whose
address is the share link (it carries the search only, nothing about the reader), results
that say distance, open now, phones as tel: links, address, languages, accessibility, cost
and when each was last verified; a printable list (?print=1 and print CSS). /resources/{id}:
one service, with a small form to say its entry is wrong (17.5)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coord.directory import reports, search
from coord.directory import service as directory_service
from coord.directory.schemas import ReportIn
from coord.i18n import gettext as _
from coord.kernel.errors import DomainError, Unprocessable
from coord.kernel.params import DB, RedisDep
from coord.web.forms import domain_errors
from coord.web.render import page
from coord.web.session import Viewer

# The search's own parameters: the only ones a share link carries.
FIELDS = ("q", "near", "radius_km", "open_now", "language", "category", "age", "free", "accessible")
FLAGS = ("open_now", "free", "accessible")
PROBLEMS = ("phone", "address", "hours", "closed", "other")


def problem_names() -> dict[str, str]:
    return {"phone": _("The phone number does not work"), "address": _("The address is wrong"),
            "hours": _("The opening hours are wrong"), "closed": _("It has closed"),
            "other": _("Something else")}


def _chosen(request: Request) -> dict[str, str]:
    values = {k: (request.query_params.get(k) or "").strip() for k in FIELDS}
    return {k: v for k, v in values.items() if v and (k not in FLAGS or v in ("1", "true", "yes", "on"))}


def _query(chosen: dict[str, str], page_number: int) -> search.Query:
    def number(name: str, kind: type) -> Any:
        if name not in chosen:
            return None
        try:
            return kind(chosen[name])
        except ValueError:
            raise Unprocessable(_("Write a number."), field=name) from None

    return search.Query(q=chosen.get("q"), near=chosen.get("near"), radius_km=number("radius_km", float),
                        open_now="open_now" in chosen, language=chosen.get("language"),
                        category=chosen.get("category"), age=number("age", int), free="free" in chosen,
                        accessible="accessible" in chosen, page=page_number, per_page=20)


class ResourcePages(Controller):
    path = "/resources"

    @get("/", name="resources")
    async def find(self, request: Request, viewer: Viewer, db: DB) -> Template:
        """The search form and, once anything is asked, its results (nearest first near a place)."""
        chosen = _chosen(request)
        try:
            page_number = min(max(1, int(request.query_params.get("page") or 1)), search.MAX_PAGE)
        except ValueError:
            page_number = 1
        found, errors = None, {}
        asked = bool(chosen)
        if asked:
            try:
                found = await search.search(db, _query(chosen, page_number))
            except DomainError as exc:
                errors = domain_errors(exc)
        share = "/resources?" + urlencode({k: ("1" if k in FLAGS else v) for k, v in chosen.items()})
        printable = request.query_params.get("print") == "1"
        return page(request, "resources.html", viewer=viewer, title=_("Find help near you"), chosen=chosen,
                    found=found, errors=errors, share=share, printable=printable, page_number=page_number,
                    next_page=_page_link(chosen, page_number + 1) if found and found.total > page_number * 20 else None,
                    previous_page=_page_link(chosen, page_number - 1) if page_number > 1 else None,
                    status_code=422 if errors else 200)

    @get("/{service_id:uuid}", name="resource")
    async def entry(self, request: Request, viewer: Viewer, db: DB, service_id: FromPath[UUID]) -> Template:
        """One service: its places (never a confidential one), phones, languages; report a problem."""
        return await _entry_page(request, viewer, db, service_id)

    @post("/{service_id:uuid}/report", status_code=200)
    async def report(self, request: Request, viewer: Viewer, db: DB, redis: RedisDep,
                     service_id: FromPath[UUID]) -> Response:
        """Anyone says the entry is wrong; no name or address is asked or kept."""
        form = await request.form()
        problem, message = form.get("problem"), form.get("message")
        kept = {"problem": problem if problem in PROBLEMS else "", "message": message if isinstance(message, str) else ""}
        if not kept["problem"]:
            return await _entry_page(request, viewer, db, service_id, errors={"problem": _("Choose what is wrong.")},
                                     values=kept, status_code=422)
        try:
            async with db.transaction():
                await reports.report(db, redis, request.client.host if request.client else "127.0.0.1", service_id,
                                     ReportIn(problem=kept["problem"], message=kept["message"] or None))
        except DomainError as exc:
            if exc.status == 404:
                raise
            return await _entry_page(request, viewer, db, service_id, errors=domain_errors(exc), values=kept,
                                     status_code=exc.status)
        return Redirect(f"/resources/{service_id}?reported=1", status_code=303)


def _page_link(chosen: dict[str, str], number: int) -> str:
    return "/resources?" + urlencode({**{k: ("1" if k in FLAGS else v) for k, v in chosen.items()}, "page": number})


async def _entry_page(request: Request, viewer: Any, db: DB, service_id: UUID, errors: dict[str, str] | None = None,
                      values: dict[str, str] | None = None, status_code: int = 200) -> Template:
    entry = await directory_service.get_service(db, None, service_id)  # as the public sees it, whoever reads
    found = await search.search(db, search.Query(per_page=1), only=service_id)
    return page(request, "resource.html", viewer=viewer, title=entry.name, entry=entry,
                result=found.results[0] if found.results else None, problems=problem_names(),
                errors=errors or {}, values=values or {}, reported=request.query_params.get("reported") == "1",
                status_code=status_code)


CONTROLLERS: list[Any] = [ResourcePages]
