"""Dates and times in the reader's language and timezone, from Babel's CLDR data
("martes, 16 de marzo de 2027, 18:30")."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import DateTimePattern, format_date, format_datetime, match_skeleton, parse_pattern

from coord.i18n import current


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


@lru_cache(maxsize=512)
def _pattern(code: str, skeleton: str | None = None, pattern: str | None = None) -> DateTimePattern:
    """CLDR's pattern for a skeleton (or a pattern as given), parsed once per language: what
    format_skeleton and format_time find and parse on every call, kept, since pages write a
    date per row (a board of fifty shifts in Arabic must not be slower than in English)."""
    if skeleton is not None:
        skeletons = _locale(code).datetime_skeletons
        pattern = skeletons[skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons)]
    assert pattern is not None
    return parse_pattern(pattern)


def _written(local: datetime, *, skeleton: str | None = None, pattern: str | None = None) -> str:
    # The zone is part of the key: two aware datetimes of one instant in two zones are equal.
    return _written_once(current(), local.replace(tzinfo=None), local.tzinfo, local.fold, skeleton, pattern)


@lru_cache(maxsize=4096)
def _written_once(code: str, wall: datetime, zone: Any, fold: int, skeleton: str | None, pattern: str | None) -> str:
    """A moment written once per language, zone and pattern, then kept: a page writes the same
    sessions' and shifts' times on every request, and applying a CLDR pattern is most of what
    makes a page in Spanish or Arabic slower than in English (bench page_languages)."""
    return _pattern(code, skeleton, pattern).apply(wall.replace(tzinfo=zone, fold=fold), _locale(code))


def in_skeleton(moment: datetime, skeleton: str) -> str:
    """A moment (already in the reader's zone) as CLDR's best pattern for `skeleton` writes it in
    the active language ("yMMMMEEEEd": "lunes, 7 de diciembre de 2026"), as format_skeleton does."""
    return _written(moment, skeleton=skeleton)


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
    day = _written(local, skeleton="yMMMEd" if with_year else "MMMEd")
    # The language's own way of joining a date and a time ("{1}، {0}" in Arabic, with its comma).
    joined = str(_locale(current()).datetime_formats["short"])
    return joined.replace("{1}", day).replace("{0}", _written(local, pattern="HH:mm"))


def full_day(moment: datetime, tz: str | None) -> str:
    """"martes, 16 de marzo de 2027": the whole date, for a message's body."""
    return local_date(moment, tz, "full")


def day_in_month(moment: datetime, tz: str | None) -> str:
    """"mar, 16 de marzo": a weekday, day and month, short enough for a subject."""
    return _written(moment.astimezone(ZoneInfo(tz or "UTC")), skeleton="MMMMEd")


def short_time(moment: datetime, tz: str | None) -> str:
    return _written(moment.astimezone(ZoneInfo(tz or "UTC")), pattern="HH:mm")
