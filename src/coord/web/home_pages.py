"""The start page: what coord is, public groups and events, the crisis line."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from coord.i18n import codes
from coord.i18n import gettext as _
from coord.kernel.params import DB
from coord.views import org_directory
from coord.web.render import page
from coord.web.session import Viewer


class HomePages(Controller):
    path = "/"

    @get("/", name="home")
    async def home(self, request: Request, viewer: Viewer, db: DB) -> Template:
        """Public groups and upcoming public events of every organization (`?language=es`: those
        held in Spanish)."""
        language = chosen_language(request)
        groups = await org_directory.public_groups(db, limit=50, language=language)
        events = await org_directory.public_events(db, limit=50, language=language)
        return page(request, "home.html", viewer=viewer, title=_("Support groups, events and volunteering"),
                    groups=groups, events=events, languages=await org_directory.public_languages(db),
                    language_chosen=language)


def chosen_language(request: Request) -> str | None:
    """The lists' language filter (`?language=`): a language code CLDR knows, else none."""
    code = (request.query_params.get("language") or "").strip().lower()
    return code if codes.is_known(code) else None


CONTROLLERS: list[Any] = [HomePages]
