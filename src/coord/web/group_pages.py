"""Group pages: one group (anyone may see public and unlisted ones), joining, leaving,
approving requests, and "My groups" with the coverage gaps of the groups I facilitate.

The series form lives in schedule_pages.py and the session page in session_pages.py;
their controllers are exported from here too, so routes.py needs one import.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from coord.i18n import N_, ngettext
from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.access import CurrentUser
from coord.groups import service as groups_service
from coord.kernel.params import DB, PathId
from coord.views import coverage
from coord.views.group_page import GroupView, group_view
from coord.views import my_groups as my_groups_view
from coord.web.forms import Refusal, ShowAgain, submit
from coord.web.group_forms import ADMIN_NOTICES, staff_context
from coord.web.render import flag_notice, page
from coord.web.schedule_pages import CONTROLLERS as SCHEDULE
from coord.web.session import Viewer, login_url, signed_in
from coord.web.session_pages import CONTROLLERS as SESSIONS

GAP_WEEKS = 8


NOTICES = {
    "joined": N_("You have joined this group."),
    "requested": N_("Your request to join has been sent."),
    "approved": N_("The request was approved: they are now a member of the group."),
    **ADMIN_NOTICES,
}


def _notice(request: Request) -> str | None:
    """The outcome of the form just sent (PRG), named in the redirect's query."""
    said = flag_notice(request, NOTICES)
    scheduled = request.query_params.get("scheduled")
    if said is None and scheduled and scheduled.isdigit():
        return ngettext("%(num)s session scheduled.", "%(num)s sessions scheduled.", int(scheduled)) % {
            "num": int(scheduled)}
    return _(said) if said else None


async def _group_page(request: Request, viewer: CurrentUser | None, db: DB, group_id: UUID, *,
                      problem: str | None = None, status_code: int = 200) -> Template:
    view: GroupView = await group_view(db, group_id, viewer.id if viewer else None)
    gaps: list[Any] = []
    if viewer is not None and view.can_manage:
        now = clock.now()
        found = await coverage.coverage_gaps(
            db, viewer.id, group_id=group_id, from_=now, to=now + timedelta(weeks=GAP_WEEKS), limit=20, cursor=None)
        gaps = found.items
    return page(
        request, "group.html", viewer=viewer, title=view.group.name, crisis_line=view.org.crisis_resources,
        timezone=view.group.timezone, status_code=status_code, view=view, g=view.group, gaps=gaps,
        gap_weeks=GAP_WEEKS, notice=None if problem else _notice(request), problem=problem,
        login_to_join=login_url(f"/groups/{group_id}"),
        **await staff_context(request, db, viewer, view),
    )


def _again(request: Request, db: DB, group_id: UUID) -> ShowAgain:
    """A refused form: the group's page again, saying why."""
    async def again(me: CurrentUser, fields: dict[str, Any], refusal: Refusal) -> Template:
        return await _group_page(request, me, db, group_id, problem=refusal.problem, status_code=refusal.status)
    return again


class GroupPages(Controller):
    path = "/groups/{group_id:uuid}"

    @get("", name="group-page")
    async def group(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Template:
        """A group: what it is, when it meets, joining; the roster and requests for its facilitators."""
        return await _group_page(request, viewer, db, group_id)

    @post("/join", status_code=303)
    async def join(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Response:
        """Join an open group, or ask to join one that needs approval."""
        async def act(me: CurrentUser, fields: dict[str, Any]) -> str:
            membership, _ = await groups_service.join(db, me.id, group_id)
            return "joined" if membership.status == "active" else "requested"
        return await submit(request, viewer, db, act, again=_again(request, db, group_id),
                            done=lambda outcome: f"/groups/{group_id}?{outcome}=1")

    @post("/leave", status_code=303)
    async def leave(self, request: Request, viewer: Viewer, db: DB, group_id: PathId) -> Response:
        """Leave the group, or withdraw a request to join."""
        async def act(me: CurrentUser, fields: dict[str, Any]) -> None:
            await groups_service.remove_member(db, me.id, group_id, me.id)
        return await submit(request, viewer, db, act, again=_again(request, db, group_id),
                            done=lambda _: "/me/groups?left=1")

    @post("/members/{user_id:uuid}/approve", status_code=303)
    async def approve(self, request: Request, viewer: Viewer, db: DB, group_id: PathId, user_id: PathId) -> Response:
        """Accept a pending request to join (the group's facilitators, coordinators, admins)."""
        async def act(me: CurrentUser, fields: dict[str, Any]) -> None:
            await groups_service.approve(db, me.id, group_id, user_id)
        return await submit(request, viewer, db, act, again=_again(request, db, group_id),
                            done=lambda _: f"/groups/{group_id}?approved=1")


class MyGroupsPages(Controller):
    path = "/me/groups"

    @get("", name="my-groups")
    async def my_groups(self, request: Request, viewer: Viewer, db: DB) -> Template:
        """The groups I belong to, with my role and the next session; my coverage gaps as a facilitator."""
        viewer = signed_in(request, viewer)
        groups = await my_groups_view.my_groups(db, viewer.id)
        facilitating = any(g.role == "facilitator" and g.status == "active" for g in groups)
        gaps = await coverage.my_coverage_gaps(db, viewer.id, weeks=GAP_WEEKS) if facilitating else []
        notice = _("You have left the group.") if request.query_params.get("left") else None
        return page(request, "groups_mine.html", viewer=viewer, title=_("My groups"), groups=groups,
                    facilitating=facilitating, gaps=gaps, gap_weeks=GAP_WEEKS, notice=notice)


CONTROLLERS: list[Any] = [GroupPages, MyGroupsPages, *SCHEDULE, *SESSIONS]
"""Every page controller, in one list for the router in setup.py."""
