"""The start page: what coord is, public groups and events, the crisis line."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from coord.i18n import gettext as _
from coord.kernel.params import DB
from coord.views import org_directory
from coord.web.render import page
from coord.web.session import Viewer


class HomePages(Controller):
    path = "/"

    @get("/", name="home")
    async def home(self, request: Request, viewer: Viewer, db: DB) -> Template:
        """Public groups and upcoming public events of every organization."""
        groups = await org_directory.public_groups(db, limit=50)
        events = await org_directory.public_events(db, limit=50)
        return page(request, "home.html", viewer=viewer, title=_("Support groups, events and volunteering"),
                    groups=groups, events=events)


CONTROLLERS: list[Any] = [HomePages]
