"""Organization pages: the public page of an organization, and the coordinators' overview
(coverage gaps, groups, events, shifts, members, failed deliveries) with its forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel.access import CurrentUser
from coord.kernel.errors import DomainError
from coord.events import service as events_service
from coord.events.schemas import EventIn
from coord.i18n import codes
from coord.kernel.params import DB, PathId
from coord.orgs import invitations
from coord.orgs import service as orgs_service
from coord.orgs.schemas import MemberIn, PublicOrg, VenueIn, VenuePatch
from coord.shifts import service as shifts_service
from coord.shifts.schemas import ShiftIn
from coord.views import org_overview
from coord.views.facilitators import facilitators_to_assign
from coord.web.directory_review import directory_review
from coord.web.event_pages import CONTROLLERS as EVENT_CONTROLLERS
from coord.web.home_pages import chosen_language
from coord.web.forms import FormInvalid, Refusal, local_times, submit, to_struct
from coord.web.render import page, when
from coord.web.session import Viewer, signed_in

Slug = FromPath[str]
ROLE_CHOICES = ("participant", "volunteer", "facilitator", "coordinator", "admin")
DONE = {
    "member": N_("The member was added. If they were already a member, the new roles were added to theirs."),
    "event": N_("The event was created."),
    "shift": N_("The shift was created. It is on the shift board now."),
    "retry": N_("The message will be sent again shortly."),
    "venue": N_("The venue was added."),
    "venue_edit": N_("The venue was changed. Everyone with a session or event still ahead there gets the new details."),
    "roles": N_("The roles were changed. The member gets a message saying what changed."),
    "removed": N_("The member was removed and gets a message saying what changed; anyone waiting for their places moved up."),
    "invite": N_("The invitation is on its way. It works for 14 days; it is listed below until it is used."),
    "invite_member": N_("They are a member with these roles already, so nothing was sent."),
    "invitation_revoked": N_("The invitation was withdrawn: its link no longer works."),
    "invitation_resent": N_("A new link is on its way; the one sent before no longer works."),
    "assigned": N_("The facilitator was assigned to that session and gets it in their calendar."),
}


ANCHOR = {"venue_edit": "venues", "invite": "invitations", "invite_member": "invitations",
          "invitation_revoked": "invitations", "invitation_resent": "invitations"}


def coordination_url(slug: str, done: str | None = None, anchor: str = "") -> str:
    return f"/orgs/{quote(slug)}/coordination" + (f"?done={done}" if done else "") + (f"#{anchor}" if anchor else "")


SECTION_ROWS = org_overview.SECTION_ROWS
FORMS = ("member", "event", "shift", "venue", "venue_edit", "invite", "invitations", "import", "directory")


async def coordination_page(request: Request, viewer: CurrentUser, db: DB, slug: str, *,
                            errors: dict[str, dict[str, str]] | None = None,
                            values: dict[str, dict[str, Any]] | None = None,
                            problem: str | None = None, status_code: int = 200, **extra: Any) -> Template:
    """The coordinators' overview, with the forms' errors and values (`extra`: more context,
    such as the report of a CSV import)."""
    show_all = request.query_params.get("all") if request.method == "GET" else None
    view = await org_overview.coordination(db, viewer.id, slug, shown=SECTION_ROWS, show_all=show_all)
    done = request.query_params.get("done") if request.method == "GET" else None
    return page(
        request, "org_coordination.html", viewer=viewer, title=_("Coordination: %(org)s") % {"org": view.org.name},
        crisis_line=view.org.crisis_resources, status_code=status_code, view=view, org=view.org,
        errors={**{f: {} for f in FORMS}, **(errors or {})}, values={**{f: {} for f in FORMS}, **(values or {})},
        problem=problem, done=_(DONE[done]) if done in DONE else None, role_choices=ROLE_CHOICES,
        venue_options=[(str(v.id), v.name) for v in view.venues],
        event_options=[(str(e.id), f"{e.title} ({when(e.starts_at, viewer.timezone)})") for e in view.events],
        invitations=await invitations.list_invitations(db, viewer.id, view.org.id),
        # Who could fill a gap, for the gaps the page shows (all of them only when asked).
        gap_choices=await facilitators_to_assign(db, [g.session_id for g in view.gaps]),
        report=extra.pop("report", None), import_content=extra.pop("import_content", ""),
        directory_report=extra.pop("directory_report", None),
        directory_review=await directory_review(db, viewer.id, view.org.id),
        show_all=show_all, limit=SECTION_ROWS, **extra,
    )


async def form_post(request: Request, viewer: CurrentUser | None, db: DB, slug: str, form: str, action: Any,
                    done: Callable[[Any], str] | None = None) -> Response:
    """Run one of the overview's forms, `action(me, org, fields)`; a refusal shows the overview
    again with the errors at the fields. `done(outcome)` names the flag of the notice (default: `form`)."""
    async def in_org(me: CurrentUser, fields: dict[str, Any]) -> Any:
        return await action(me, await orgs_service.org_by_slug(db, slug), fields)

    async def again(me: CurrentUser, fields: dict[str, Any], refusal: Refusal) -> Response:
        if refusal.status == 404:
            raise refusal.cause
        return await coordination_page(request, me, db, slug, errors={form: refusal.errors},
                                       values={form: fields}, status_code=refusal.status)

    def flag(outcome: Any) -> str:
        name = done(outcome) if done else form
        return coordination_url(slug, name, anchor=ANCHOR.get(name, f"{form}s"))

    return await submit(request, viewer, db, in_org, again=again, done=flag)


class OrgPages(Controller):
    path = "/orgs"

    @get("/{slug:str}", name="org-page")
    async def org(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Template:
        """An organization: contact, public groups and upcoming public events; members see more
        (`welcome`: what a person who just joined can do next)."""
        view = await org_overview.org_page(db, viewer.id if viewer else None, slug, chosen_language(request))
        return page(request, "org.html", viewer=viewer, title=view.org.name, crisis_line=view.org.crisis_resources,
                    timezone=view.org.timezone, view=view, org=view.org,
                    welcome=bool(request.query_params.get("welcome")) and view.is_member)

    @get("/{slug:str}/coordination", name="org-coordination")
    async def coordination(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Template:
        """The coordinators' overview (admins and coordinators; other members 403, others 404)."""
        return await coordination_page(request, signed_in(request, viewer), db, slug)

    @post("/{slug:str}/members", status_code=303)
    async def add_member(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Response:
        """Add an existing account by email with roles, or add roles to a member."""
        async def action(me: CurrentUser, org: PublicOrg, fields: dict[str, Any]) -> None:
            if not fields.get("roles"):
                raise FormInvalid({"roles": _("choose at least one role")}, "roles: choose at least one role")
            await orgs_service.add_member(db, me.id, org.id, to_struct(fields, MemberIn))
        return await form_post(request, viewer, db, slug, "member", action)

    @post("/{slug:str}/events", status_code=303)
    async def create_event(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Response:
        """Schedule a community event; the times are read in the organization's timezone."""
        async def action(me: CurrentUser, org: PublicOrg, fields: dict[str, Any]) -> None:
            fields["languages"] = codes.split(fields.get("languages"))  # "es, en"
            data = to_struct({**local_times(fields, org.timezone), "timezone": org.timezone}, EventIn)
            await events_service.create_event(db, me.id, org.id, data)
        return await form_post(request, viewer, db, slug, "event", action)

    @post("/{slug:str}/shifts", status_code=303)
    async def create_shift(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Response:
        """Add a volunteer shift; the times are read in the organization's timezone."""
        async def action(me: CurrentUser, org: PublicOrg, fields: dict[str, Any]) -> None:
            await shifts_service.create_shift(db, me.id, org.id, to_struct(local_times(fields, org.timezone), ShiftIn))
        return await form_post(request, viewer, db, slug, "shift", action)

    @post("/{slug:str}/venues", status_code=303)
    async def create_venue(self, request: Request, viewer: Viewer, db: DB, slug: Slug) -> Response:
        """Add an in-person venue (with its address) or a virtual one (with its meeting link)."""
        async def action(me: CurrentUser, org: PublicOrg, fields: dict[str, Any]) -> None:
            await orgs_service.create_venue(db, me.id, org.id, to_struct(fields, VenueIn))
        return await form_post(request, viewer, db, slug, "venue", action)

    @post("/{slug:str}/venues/{venue_id:uuid}", status_code=303)
    async def update_venue(self, request: Request, viewer: Viewer, db: DB, slug: Slug, venue_id: PathId) -> Response:
        """Change a venue; the form holds every value, so an emptied field is cleared. Calendars
        of the sessions and events still ahead there are updated."""
        async def action(me: CurrentUser, org: PublicOrg, fields: dict[str, Any]) -> None:
            change = {k: fields.get(k) for k in ("address", "meeting_url", "accessibility")}
            if fields.get("name"):
                change["name"] = fields["name"]
            await orgs_service.update_venue(db, me.id, org.id, venue_id, to_struct(change, VenuePatch))
        return await form_post(request, viewer, db, slug, "venue_edit", action)

    @post("/{slug:str}/deliveries/{delivery_id:uuid}/retry", status_code=303)
    async def retry_delivery(self, request: Request, viewer: Viewer, db: DB, slug: Slug, delivery_id: PathId) -> Response:
        """Send a failed message again (admins); a refusal is shown on the overview."""
        viewer = signed_in(request, viewer)
        try:
            async with db.transaction():
                org = await orgs_service.org_by_slug(db, slug)
                await orgs_service.retry_delivery(db, viewer.id, org.id, delivery_id)
        except DomainError as exc:
            if exc.status == 404:
                raise
            return await coordination_page(request, viewer, db, slug, problem=exc.detail, status_code=exc.status)
        return Redirect(coordination_url(slug, "retry", anchor="deliveries"), status_code=303)


CONTROLLERS: list[Any] = [OrgPages, *EVENT_CONTROLLERS]
