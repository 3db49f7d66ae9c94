"""A group's invitation link as a page (issue 15): /groups/join/T shows whoever opens it the
group's name, even when the group is private, and the one way on that fits: sign in or
create an account first (and come back here), ask to join (joining the organization too
when they are not a member yet), or go to the group they are already in. Opening the link
changes nothing; the button does."""

from __future__ import annotations

import contextlib
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from coord.auth.tokens import LinkInvalid
from coord.groups import links
from coord.groups import service as groups_service
from coord.kernel.access import CurrentUser, org_roles
from coord.groups.schemas import LinkJoinOut
from coord.i18n import gettext as _
from coord.kernel.errors import NotFound
from coord.kernel.params import DB
from coord.orgs.group_links import join_through_link
from coord.web.forms import Refusal, submit
from coord.web.render import page
from coord.web.session import Viewer, login_url

Token = FromPath[str]
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}  # the address holds the token


async def _link_page(request: Request, viewer: CurrentUser | None, db: DB, token: str, *,
                     problem: str | None = None, status_code: int = 200) -> Template:
    here = f"/groups/join/{token}"
    context: dict[str, Any] = {"link": None, "invalid": "", "state": "invalid", "problem": problem,
                               "login": login_url(here), "register": f"/register?next={here}", "action": here}
    try:
        link = await links.view(db, token)
    except LinkInvalid as exc:
        # The one refusal of links.view, in the reader's language; any other as the service says it.
        context["invalid"] = (_("This link does not open a group (it may have been withdrawn, or the group has "
                                "closed): ask whoever gave it to you for a new one.") if exc.detail == links.INVALID
                              else exc.detail[:1].upper() + exc.detail[1:] + ".")
        title = _("This link cannot be used")
    else:
        context["link"] = link
        title = _("Join %(group)s") % {"group": link.group_name}
        if viewer is None:
            context["state"] = "signed_out"
        else:
            status = None
            # Not in the group yet (NotFound: a private group hides itself): the link page says how to ask.
            with contextlib.suppress(NotFound):
                status = (await groups_service.load_group(db, link.group_id, viewer.id)).status
            in_org = bool(await org_roles(db, link.org_id, viewer.id))
            # Joining needs a confirmed address (coord.auth.gate): say so before the button would.
            asking = "ask" if in_org else "join_org"
            context["state"] = status or (asking if viewer.email_confirmed else "confirm")
    response = page(request, "group_link.html", viewer=viewer, title=title, status_code=status_code, **context)
    response.headers.update(PRIVATE)
    return response


class GroupLinkPages(Controller):
    path = "/groups/join/{token:str}"

    @get("", name="group-link")
    async def show(self, request: Request, viewer: Viewer, db: DB, token: Token) -> Template:
        """The group the link opens, and how to ask to join it. Changes nothing."""
        return await _link_page(request, viewer, db, token)

    @post("", status_code=303)
    async def join(self, request: Request, viewer: Viewer, db: DB, token: Token) -> Response:
        """Ask to join (or join an open group), becoming a member of the organization first when needed."""
        async def act(me: CurrentUser, fields: dict[str, Any]) -> LinkJoinOut:
            membership, _ = await join_through_link(db, token, me.id)
            return membership

        async def again(me: CurrentUser, fields: dict[str, Any], refusal: Refusal) -> Template:
            return await _link_page(request, me, db, token, problem=refusal.problem, status_code=refusal.status)

        def done(membership: LinkJoinOut) -> str:
            return f"/groups/{membership.group_id}?{'joined' if membership.status == 'active' else 'requested'}=1"
        return await submit(request, viewer, db, act, again=again, done=done)


CONTROLLERS: list[Any] = [GroupLinkPages]
