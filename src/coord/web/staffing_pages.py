"""Staffing from the coverage-gap list: a coordinator assigns one of the group's
facilitators to a session short of them, in one small form per gap on the coordination
page (the series' own facilitators are chosen on the group's schedule page)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, post
from litestar.params import FromPath

from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel.access import CurrentUser
from coord.kernel.params import DB, PathId
from coord.sessions import series_staff
from coord.sessions import service as sessions_service
from coord.views.facilitators import facilitators_to_assign
from coord.web.forms import FormInvalid, Refusal, submit
from coord.web.org_pages import coordination_page, coordination_url
from coord.web.session import Viewer

CHOOSE = N_("Choose one of the group's facilitators who is not on this session yet.")


class GapPages(Controller):
    path = "/orgs/{slug:str}/gaps"

    @post("/{session_id:uuid}", status_code=303)
    async def assign(self, request: Request, viewer: Viewer, db: DB, slug: FromPath[str], session_id: PathId) -> Response:
        """Assign a facilitator of the group to this session (this occurrence only); back to the
        gaps, or the coordination page saying why not."""
        async def action(me: CurrentUser, fields: dict[str, Any]) -> None:
            await sessions_service.load_managed_session(db, session_id, me.id)  # 404 / 403 before anything
            offered = {f.user_id for f in (await facilitators_to_assign(db, [session_id])).get(session_id, [])}
            try:
                user_id = UUID(str(fields.get("user_id", "")))
            except ValueError:
                raise FormInvalid({"user_id": _(CHOOSE)}, _(CHOOSE)) from None
            if user_id not in offered:
                raise FormInvalid({"user_id": _(CHOOSE)}, _(CHOOSE))
            await series_staff.assign_facilitator(db, me.id, session_id, user_id)

        async def again(me: CurrentUser, fields: dict[str, Any], refusal: Refusal) -> Response:
            if refusal.status == 404:
                raise refusal.cause
            return await coordination_page(request, me, db, slug, problem=_("Nobody was assigned. %(why)s") % {"why": refusal.problem},
                                           status_code=refusal.status)

        return await submit(request, viewer, db, action, again=again,
                            done=lambda _: coordination_url(slug, "assigned", anchor="gaps"))


CONTROLLERS: list[Any] = [GapPages]
