"""Form posts into the services' own input Structs, and errors back into the form."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.response import Redirect

from coord.i18n import N_
from coord.i18n import gettext as _
from coord.i18n.plain import plain_message
from coord.kernel.access import CurrentUser
from coord.kernel.errors import DomainError
from coord.web.session import signed_in

T = TypeVar("T")


class FormInvalid(Exception):
    """The form could not become the service's input; `errors` maps field -> message."""

    def __init__(self, errors: dict[str, str], message: str) -> None:
        super().__init__(message)
        self.errors = errors
        self.message = message


async def form_fields(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The posted fields without the CSRF token; empty strings count as not given, and a
    field sent several times (checkboxes) keeps every value."""
    form = await request.form()
    fields: dict[str, Any] = {}
    for key in form.keys():
        if key == "_csrf_token":
            continue
        values = [v for v in form.getall(key) if isinstance(v, str)]
        values = [v.strip() if key != "password" else v for v in values]
        values = [v for v in values if v != ""]
        if values:
            fields[key] = values if len(values) > 1 or key.endswith("[]") else values[0]
    return {k.removesuffix("[]"): v for k, v in fields.items()}


# What a field is called on the pages, where its name would otherwise show.
LABELS = {
    "starts_at": N_("Start"), "ends_at": N_("End"), "venue_id": N_("Venue"), "event_id": N_("Event"),
    "session_id": N_("Session"), "org_id": N_("Organization"), "user_id": N_("Person"),
    "meeting_url": N_("Meeting link"), "display_name": N_("Name"), "contact_email": N_("Contact email"),
    "required_training": N_("Required training"), "duration_minutes": N_("Length"),
    "facilitators_required": N_("Facilitators needed"), "discreet_title": N_("Discreet title"),
    "slug": N_("Web address"), "crisis_resources": N_("Crisis line"), "reminder_lead_minutes": N_("Reminders"),
    "followup_delay_minutes": N_("Follow-ups"), "cancellation_cutoff_hours": N_("Late cancellations"),
    "retention_months": N_("Keeping attendance"), "roster_weekday": N_("Roster day"),
    "roster_hour": N_("Roster hour"), "digest_hour": N_("Digest hour"), "completed_on": N_("Completed on"), "expires_on": N_("Valid until"),
    "registration_opens_at": N_("Registration opens"), "registration_closes_at": N_("Registration closes"),
    "join_policy": N_("Joining"), "locale": N_("Language"),
}


def field_label(name: str) -> str:
    """"starts_at" -> "Start": a field's name as the pages say it (in the reader's language)."""
    return _(LABELS[name]) if name in LABELS else name.removesuffix("_id").replace("_", " ").capitalize()


def to_struct(fields: dict[str, Any], struct: type[T]) -> T:
    """msgspec does the checking, as for JSON; strict=False turns "12" into 12 and "on" into True.
    A refusal names the field (the form shows it there) and says what is wrong in plain words."""
    try:
        return msgspec.convert(fields, struct, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        field = message.rsplit("$.", 1)[-1].rstrip("`").split("[")[0] if "$." in message else ""
        if message.startswith("Object missing required field"):
            field = message.split("`")[1]
            words = _("this field is required")
        elif message.startswith("Object contains unknown field"):
            field = "form"
            words = _("This form has a field this page did not send. Reload the page and try again.")
        else:
            words = plain_message(field, message.split(" - at ")[0])
        field = field or "form"
        raise FormInvalid({field: words}, words if field == "form" else _("%(field)s: %(message)s") % {"field": field_label(field), "message": words}) from None


def domain_errors(exc: DomainError) -> dict[str, str]:
    """A service's field errors keyed by field; the rest under "form"."""
    errors = {str(e.get("field")): str(e.get("message")) for e in exc.errors or [] if e.get("field")}
    return errors or {"form": exc.detail}


def local_instant(fields: dict[str, Any], name: str, tz: str) -> None:
    """A datetime-local value ("2026-05-01T18:30") read in timezone `tz`, in place."""
    value = fields.get(name)
    if not isinstance(value, str):
        return
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise FormInvalid({name: _("enter a date and time")},
                          _("%(field)s: %(message)s") % {"field": field_label(name), "message": _("enter a date and time")}) from None
    fields[name] = naive.replace(tzinfo=ZoneInfo(tz)).isoformat() if naive.tzinfo is None else naive.isoformat()


def local_times(fields: dict[str, Any], tz: str) -> dict[str, Any]:
    """`starts_at` and `ends_at` read in timezone `tz`, in place (see local_instant); the fields."""
    for name in ("starts_at", "ends_at"):
        local_instant(fields, name, tz)
    return fields


class Refusal(NamedTuple):
    """Why a form did not go through, for the page that shows it again."""

    problem: str  # in words, for the notice at the top
    errors: dict[str, str]  # field -> message ("form" for the rest)
    status: int
    cause: FormInvalid | DomainError


FormAction = Callable[[CurrentUser, dict[str, Any]], Awaitable[Any]]
ShowAgain = Callable[[CurrentUser, dict[str, Any], Refusal], Awaitable[Response]]


async def submit(request: Request[Any, Any, Any], viewer: CurrentUser | None, db: asyncpg.Connection,
                 action: FormAction, *, done: Callable[[Any], str], again: ShowAgain) -> Response:
    """The posted form, for the signed-in person: `action(viewer, fields)` runs in a savepoint
    on a copy of the fields (they stay as typed, for the form), then a redirect to
    `done(outcome)`; or, refused, nothing is left behind and `again(viewer, fields, refusal)`
    shows the page again saying why."""
    viewer = signed_in(request, viewer)
    fields = await form_fields(request)
    try:
        async with db.transaction():  # a savepoint: a refusal leaves nothing behind
            outcome = await action(viewer, dict(fields))
    except FormInvalid as exc:
        refusal = Refusal("; ".join(exc.errors.values()), exc.errors, 422, exc)
    except DomainError as exc:
        refusal = Refusal(exc.detail, domain_errors(exc), exc.status, exc)
    else:
        return Redirect(done(outcome), status_code=303)
    return await again(viewer, fields, refusal)
