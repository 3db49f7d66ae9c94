"""My calendar feeds (create, copy the address once, revoke), my notification settings
(kinds, quiet hours, discreet mode) and my trainings. Mounted through me_pages.CONTROLLERS."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from babel.dates import format_date
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from coord import i18n
from coord.feeds import service as feeds_service
from coord.feeds.routes import validators
from coord.feeds.schemas import FeedCreatedOut, FeedIn
from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.access import CurrentUser
from coord.kernel.errors import DomainError
from coord.kernel.params import DB, PathId
from coord.notify.preferences import (
    MESSAGE_KINDS,
    Preferences,
    get_preferences,
    set_preferences,
)
from coord.orgs.service import my_orgs
from coord.shifts.schemas import TrainingIn
from coord.shifts.trainings import my_trainings, record_training
from coord.web.forms import FormInvalid, domain_errors, form_fields, to_struct
from coord.web.me_account_pages import CONTROLLERS as ACCOUNT_SETTINGS
from coord.web.render import page
from coord.web.session import Viewer, signed_in

# Every kind of message, as the person would say it.
KIND_LABELS: dict[str, str] = {
    "welcome": N_("Send me a welcome when I am added to an organization"),
    "invite": N_("Send me confirmations and calendar invitations for my sessions, shifts and events"),
    "waitlist": N_("Send me a note when I join a waitlist"),
    "promotion": N_("Send me a note when a place opens up for me on a waitlist"),
    "cancellation": N_("Send me a note when something I signed up for is cancelled or changed"),
    "reminder": N_("Send me reminders before my sessions, shifts and events"),
    "followup_present": N_("Send me a thank-you after a session I came to"),
    "followup_absent": N_("Send me a gentle check-in after a session I missed"),
    "referral": N_("Send me a note when someone suggests a service or a group for me"),
    "referral_checkin": N_("Send me a gentle check-in a few days after a suggestion, asking if I got connected"),
    "attendance_reminder": N_("Send me reminders to record attendance (for facilitators)"),
    "roster": N_("Send me my weekly roster (for facilitators and coordinators)"),
    "coverage_alert": N_("Send me alerts when a session still needs a facilitator (for coordinators)"),
    "join_request": N_("Send me a note when someone asks to join a group I facilitate"),
    "referral_answer": N_("Send me a note when someone I referred answers (for facilitators and coordinators)"),
    "daily_digest": N_("Send me a short daily summary of what needs me, when something does (for coordinators)"),
}
assert set(KIND_LABELS) == set(MESSAGE_KINDS), "every kind of message needs a name on the settings page"

TIME_HINT = N_("Enter a time like 21:00.")
CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")  # as Preferences checks it
CODE_HINT = N_("Use letters, numbers, spaces, dots, dashes or underscores, starting with a letter or number.")
DATE_HINT = N_("Enter a date like 2026-03-01.")


# ---- Calendar feeds -------------------------------------------------------------------

async def _feeds_page(request: Request, viewer: CurrentUser, db: DB, *, created: FeedCreatedOut | None = None,
                      values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                      notice: str | None = None, status_code: int = 200) -> Template:
    orgs = await my_orgs(db, viewer.id)
    response = page(
        request, "me_feeds.html", viewer=viewer, title=_("Calendar feeds"), status_code=status_code,
        feeds=await feeds_service.list_feeds(db, viewer.id), orgs=orgs, org_names={o.id: o.name for o in orgs},
        created=created, values=values or {}, errors=errors or {}, notice=notice,
    )
    if created is not None:
        response.headers["Cache-Control"] = "no-store"  # the secret address is on this page, once
    return response


class FeedPages(Controller):
    path = "/me/feeds"

    @get("", name="my-feeds")
    async def feeds(self, request: Request, viewer: Viewer, db: DB, revoked: FromQuery[str | None] = None) -> Template:
        """My calendar feeds (never their addresses) and a form to create one."""
        notice = _("The feed is revoked: its address no longer works.") if revoked else None
        return await _feeds_page(request, signed_in(request, viewer), db, notice=notice)

    @post("", status_code=201)
    async def create(self, request: Request, viewer: Viewer, db: DB, state: State) -> Template:
        """Create a feed and show its address, this once (the page is not a redirect, so the
        secret never travels in a URL)."""
        viewer = signed_in(request, viewer)
        fields = await form_fields(request)
        body: dict[str, Any] = {"scope": fields.get("scope"), "discreet": fields.get("discreet") == "yes"}
        if body["scope"] is None:
            body.pop("scope")
        if fields.get("scope") == "org":
            body["org_id"] = fields.get("org_id")
        if fields.get("label"):
            body["label"] = fields["label"]
        try:
            data = to_struct(body, FeedIn)
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                created = await feeds_service.create_feed(db, state.settings, viewer.id, data)
        except FormInvalid as exc:
            errors = exc.errors
            if "scope" in errors:
                errors["scope"] = _("Choose what the feed shows.")
            return await _feeds_page(request, viewer, db, values=fields, errors=errors, status_code=422)
        except DomainError as exc:
            return await _feeds_page(request, viewer, db, values=fields, errors=domain_errors(exc),
                                     status_code=exc.status)
        return await _feeds_page(request, viewer, db, created=created, status_code=201)

    @post("/{feed_id:uuid}/revoke", status_code=303)
    async def revoke(self, request: Request, viewer: Viewer, state: State, feed_id: PathId) -> Response:
        """Revoke a feed: its address answers 404 from now on."""
        viewer = signed_in(request, viewer)
        key = await feeds_service.revoke_feed(state.pool, state.redis, viewer.id, feed_id)
        validators(state).drop([key])  # this process at once; the others through the channel
        return Redirect("/me/feeds?revoked=1", status_code=303)


# ---- Notification settings ------------------------------------------------------------

def _prefs_form(prefs: Preferences) -> dict[str, Any]:
    return {"send": [k for k in MESSAGE_KINDS if k not in prefs.disabled_kinds], "discreet": prefs.discreet,
            "quiet_hours_start": prefs.quiet_hours_start, "quiet_hours_end": prefs.quiet_hours_end}


def _clock(value: str) -> str:
    """"21:00:00" (a time input with seconds) as "21:00"; anything else as typed, for the check."""
    return value[:5] if len(value) == 8 and value.endswith(":00") else value


def _notifications_page(request: Request, viewer: CurrentUser, form: dict[str, Any], *, saved: bool = False,
                        errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    return page(request, "me_notifications.html", viewer=viewer, title=_("Notification settings"),
                status_code=status_code, form=form, kinds=[(k, _(KIND_LABELS[k])) for k in MESSAGE_KINDS],
                saved=saved, errors=errors or {})


class NotificationPages(Controller):
    path = "/me/notifications"

    @get("", name="my-notifications")
    async def settings(self, request: Request, viewer: Viewer, db: DB, saved: FromQuery[str | None] = None) -> Template:
        """Which messages I get, my quiet hours and discreet mode."""
        viewer = signed_in(request, viewer)
        form = _prefs_form(await get_preferences(db, viewer.id))
        return _notifications_page(request, viewer, form, saved=bool(saved))

    @post("", status_code=303)
    async def save(self, request: Request, viewer: Viewer, db: DB) -> Response:
        """Replace my settings: a kind left unticked is never sent to me."""
        viewer = signed_in(request, viewer)
        fields = await form_fields(request)
        send = fields.get("send", [])
        send = [send] if isinstance(send, str) else send
        form = {"send": send, "discreet": fields.get("discreet") == "yes",
                "quiet_hours_start": str(fields.get("quiet_hours_start", "")),
                "quiet_hours_end": str(fields.get("quiet_hours_end", ""))}
        errors = {k: _(TIME_HINT) for k in ("quiet_hours_start", "quiet_hours_end") if not CLOCK.fullmatch(_clock(form[k]))}
        try:
            if errors:
                raise FormInvalid(errors, _("quiet hours need times like 21:00"))
            prefs = to_struct({
                "disabled_kinds": [k for k in MESSAGE_KINDS if k not in send],
                "quiet_hours_start": _clock(form["quiet_hours_start"]),
                "quiet_hours_end": _clock(form["quiet_hours_end"]),
                "discreet": form["discreet"],
            }, Preferences)
        except FormInvalid as exc:
            return _notifications_page(request, viewer, form, errors=exc.errors, status_code=422)
        await set_preferences(db, viewer.id, prefs)
        return Redirect("/me/notifications?saved=1", status_code=303)


# ---- Trainings ------------------------------------------------------------------------

def _day(value: date) -> str:
    """"01 Mar 2026" in English, as before; CLDR's medium date in other languages ("1 mar 2026")."""
    if i18n.current() == i18n.DEFAULT:
        return value.strftime("%d %b %Y")
    return format_date(value, "medium", locale=i18n.current())


async def _trainings_page(request: Request, viewer: CurrentUser, db: DB, *, values: dict[str, Any] | None = None,
                          errors: dict[str, str] | None = None, saved: bool = False,
                          status_code: int = 200) -> Template:
    trainings = await my_trainings(db, viewer.id, 200, None)
    trainings.items.sort(key=lambda t: (t.code, t.completed_on))
    return page(request, "me_trainings.html", viewer=viewer, title=_("My trainings"), status_code=status_code,
                trainings=trainings.items, more=trainings.next_cursor is not None,
                today=clock.today_in(viewer.timezone), day=_day,
                values=values or {}, errors=errors or {}, saved=saved)


class TrainingPages(Controller):
    path = "/me/trainings"

    @get("", name="my-trainings")
    async def trainings(self, request: Request, viewer: Viewer, db: DB, saved: FromQuery[str | None] = None) -> Template:
        """Trainings I have recorded, whether staff checked them, and a form to add one."""
        return await _trainings_page(request, signed_in(request, viewer), db, saved=bool(saved))

    @post("", status_code=303)
    async def record(self, request: Request, viewer: Viewer, db: DB) -> Response:
        """Record a training I completed (self-reported until a coordinator verifies it)."""
        viewer = signed_in(request, viewer)
        fields = await form_fields(request)
        body = {k: fields[k] for k in ("code", "completed_on", "expires_on") if k in fields}
        missing = {k: _("this field is required") for k in ("code", "completed_on") if k not in body}
        try:
            if missing:  # all of them at once (the check below stops at the first problem)
                raise FormInvalid(missing, _("required fields are missing"))
            data = to_struct(body, TrainingIn)
            async with db.transaction():  # a savepoint: a refusal leaves nothing behind
                await record_training(db, viewer.id, data)
        except FormInvalid as exc:
            hints = {"code": _(CODE_HINT), "completed_on": _(DATE_HINT), "expires_on": _(DATE_HINT)}
            required = _("this field is required")
            errors = {k: (v if v in ("this field is required", required) else hints.get(k, v))
                      for k, v in exc.errors.items()}
            return await _trainings_page(request, viewer, db, values=fields, errors=errors, status_code=422)
        except DomainError as exc:
            return await _trainings_page(request, viewer, db, values=fields, errors=domain_errors(exc),
                                         status_code=exc.status)
        return Redirect("/me/trainings?saved=1", status_code=303)


SETTINGS_CONTROLLERS: list[Any] = [*ACCOUNT_SETTINGS, FeedPages, NotificationPages, TrainingPages]
