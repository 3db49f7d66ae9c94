"""Dates and times in the reader's language and timezone, from Babel's CLDR data
("martes, 16 de marzo de 2027, 18:30")."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_skeleton, format_time

from coord.i18n import current


def local_datetime(moment: datetime | None, tz: str | None, format: str = "medium") -> str:
    """A moment as the active language writes it, in the zone `tz` (a CLDR width such as
    "short", "medium", "long", "full", or a pattern)."""
    if moment is None:
        return ""
    return format_datetime(moment, format, tzinfo=ZoneInfo(tz or "UTC"), locale=current())


def local_date(moment: datetime | None, tz: str | None, format: str = "full") -> str:
    if moment is None:
        return ""
    return format_date(moment.astimezone(ZoneInfo(tz or "UTC")).date(), format, locale=current())


def short_day_time(moment: datetime, tz: str | None, with_year: bool = False) -> str:
    """A weekday, day and month with the time, short ("mar 24 nov, 18:30"), for languages
    other than English (render.when keeps its English form)."""
    local = moment.astimezone(ZoneInfo(tz or "UTC"))
    day = format_skeleton("yMMMEd" if with_year else "MMMEd", local, locale=current())
    return f"{day}, {format_time(local, 'HH:mm', locale=current())}"


def full_day(moment: datetime, tz: str | None) -> str:
    """"martes, 16 de marzo de 2027": the whole date, for a message's body."""
    return local_date(moment, tz, "full")


def day_in_month(moment: datetime, tz: str | None) -> str:
    """"mar, 16 de marzo": a weekday, day and month, short enough for a subject."""
    return format_skeleton("MMMMEd", moment.astimezone(ZoneInfo(tz or "UTC")), locale=current())


def short_time(moment: datetime, tz: str | None) -> str:
    return format_time(moment.astimezone(ZoneInfo(tz or "UTC")), "HH:mm", locale=current())
