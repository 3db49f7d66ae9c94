"""Form posts into the services' own input Structs, and errors back into the form."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request

from coord.kernel.errors import DomainError

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


def to_struct(fields: dict[str, Any], struct: type[T]) -> T:
    """msgspec does the checking, as for JSON; strict=False turns "12" into 12 and "on" into True."""
    try:
        return msgspec.convert(fields, struct, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        field = message.rsplit("$.", 1)[-1].rstrip("`").split("[")[0] if "$." in message else ""
        if message.startswith("Object missing required field"):
            field = message.split("`")[1]
            message = "this field is required"
        elif message.startswith("Object contains unknown field"):
            field = message.split("`")[1]
        else:
            message = message.split(" - at ")[0]
        raise FormInvalid({field or "form": message}, f"{field or 'form'}: {message}") from None


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
        raise FormInvalid({name: "enter a date and time"}, f"{name}: enter a date and time") from None
    fields[name] = naive.replace(tzinfo=ZoneInfo(tz)).isoformat() if naive.tzinfo is None else naive.isoformat()
