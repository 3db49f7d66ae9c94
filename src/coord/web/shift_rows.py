"""The event page's form of several shifts at once: rows of fields named `<field>-<n>`
(role-0, starts_at-0, ...), read into the service's ShiftRowIn with each row's problems in
plain words. Without JavaScript the form has a few empty rows and an "Add more rows" button
that shows it again with more; static/shift_rows.js adds a row in place instead."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from coord.events.schemas import EventOut
from coord.i18n import N_
from coord.i18n import gettext as _
from coord.shifts.event_shifts import row_errors
from coord.shifts.schemas import ShiftRowIn
from coord.web.render import iso_local

ROW_FIELDS = ("role", "starts_at", "ends_at", "location", "capacity", "description")
# A row with none of these is an empty row (its times come prefilled), skipped.
FILLED_BY = ("role", "location", "capacity", "description")
FIRST_ROWS, MORE_ROWS, MAX_ROWS = 3, 3, 50
ROW_FIELD = re.compile(r"^(" + "|".join(ROW_FIELDS) + r")-(\d{1,2})$")
LONGEST = {"role": 200, "location": 200, "description": 5000}
TOO_LONG = {"role": N_("Keep the role under %(num)s characters."),
            "location": N_("Keep the place under %(num)s characters."),
            "description": N_("Keep the description under %(num)s characters.")}
Row = dict[str, str]


def blank_row(event: EventOut) -> Row:
    """An empty row, its times those of the event (in the event's timezone)."""
    times = {"starts_at": iso_local(event.starts_at, event.timezone), "ends_at": iso_local(event.ends_at, event.timezone)}
    return {name: times.get(name, "") for name in ROW_FIELDS}


def blank_shift_form(event: EventOut, rows: list[Row] | None = None, errors: dict[int, Row] | None = None,
                     more: int = FIRST_ROWS) -> dict[str, Any]:
    """The form's state: `rows` as typed (untouched ones as new), then `more` empty rows (up
    to MAX_ROWS), and the errors by row."""
    typed = [row if any(row.values()) else blank_row(event) for row in rows or []]
    typed += [blank_row(event) for _ in range(max(0, min(more, MAX_ROWS - len(typed))))]
    return {"rows": typed, "errors": errors or {}, "blank": blank_row(event), "max_rows": MAX_ROWS}


def typed_rows(fields: dict[str, Any]) -> list[Row]:
    """The rows as posted, in order, every field present ("" when not typed); as many as the
    form showed (its `rows` field), even when the last ones were left empty."""
    found: dict[int, Row] = {}
    for key, value in fields.items():
        if (match := ROW_FIELD.match(key)) and isinstance(value, str):
            found.setdefault(int(match.group(2)), {})[match.group(1)] = value
    shown = str(fields.get("rows", ""))
    count = max([int(shown) if shown.isdigit() else 0, *(i + 1 for i in found)])
    return [{name: found.get(i, {}).get(name, "") for name in ROW_FIELDS} for i in range(min(count, MAX_ROWS))]


def read_instant(value: str, tz: str, which: str) -> tuple[datetime | None, str | None]:
    """A datetime-local value read in `tz`: (the instant, None) or (None, what is wrong in words)."""
    missing, unreadable = ((_("Give the start time."), _("Give the start as a date and a time.")) if which == "start"
                           else (_("Give the end time."), _("Give the end as a date and a time.")))
    if not value:
        return None, missing
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return None, unreadable
    return naive.replace(tzinfo=ZoneInfo(tz)), None


def _capacity(value: str) -> tuple[int | None, str | None]:
    if not value:
        return None, _("Say how many people this shift needs.")
    if not value.isdigit() or int(value) > 100_000:
        return None, _("Places are a whole number, 0 or more.")
    return int(value), None


def _read_row(row: Row, tz: str) -> tuple[ShiftRowIn | None, Row]:
    """One filled row as the service's input, or its problems by field."""
    errors: Row = {}
    if not row["role"]:
        errors["role"] = _("Say what the volunteers do, for example Greeter or Set-up.")
    for name, longest in LONGEST.items():
        if len(row[name]) > longest:
            errors[name] = _(TOO_LONG[name]) % {"num": longest}
    starts_at, problem = read_instant(row["starts_at"], tz, "start")
    if problem:
        errors["starts_at"] = problem
    ends_at, problem = read_instant(row["ends_at"], tz, "end")
    if problem:
        errors["ends_at"] = problem
    capacity, problem = _capacity(row["capacity"])
    if problem:
        errors["capacity"] = problem
    if errors:
        return None, errors
    body = {"role": row["role"], "starts_at": starts_at, "ends_at": ends_at, "capacity": capacity,
            "location": row["location"] or None, "description": row["description"] or None}
    try:
        return msgspec.convert(body, ShiftRowIn), {}
    except msgspec.ValidationError:
        return None, {"form": _("Check this row: something in it is not accepted.")}


def read_rows(rows: list[Row], tz: str) -> tuple[list[ShiftRowIn], dict[int, Row]]:
    """The filled rows as the service's input, and every row's problems by its index in the
    form (the service's own check of the times included)."""
    shifts: list[ShiftRowIn] = []
    at: list[int] = []
    errors: dict[int, Row] = {}
    for index, row in enumerate(rows):
        if not any(row[name] for name in FILLED_BY):
            continue
        shift, problems = _read_row(row, tz)
        if shift is None:
            errors[index] = problems
        else:
            shifts.append(shift)
            at.append(index)
    for error in row_errors(shifts):
        errors.setdefault(at[row_index(error["field"])], {})[error["field"].rsplit(".", 1)[1]] = _sentence(error["message"])
    return shifts, errors


def row_index(field: str) -> int:
    """The row a service's field error names: "shifts[2].ends_at" -> 2."""
    return int(field.split("[", 1)[1].split("]", 1)[0])


# The service's row errors (event_shifts.row_errors) in the reader's language.
SERVICE_WORDS = {"the end must be after the start": N_("The end must be after the start.")}


def _sentence(message: str) -> str:
    if message in SERVICE_WORDS:
        return _(SERVICE_WORDS[message])
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def summary(errors: dict[int, Row]) -> str:
    """The notice above the form: each refused row, numbered as the form shows it."""
    lines = [_("Shift %(number)s:") % {"number": index + 1} + " " + " ".join(problems.values())
             for index, problems in sorted(errors.items())]
    return _("No shift was created.") + " " + " ".join(lines)
