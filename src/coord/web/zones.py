"""The timezone picker: the likely zones first (the one already chosen, the organization's,
common ones; coord.js adds the browser's own), then every zone from A to Z, in one grouped
<select> that works without JavaScript (typing a few letters jumps to a zone) and that
coord.js gives a search box."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import msgspec
from babel.core import get_global
from babel.dates import get_timezone_location

from coord import i18n
from coord.kernel import clock

# Used where nothing better is known (no organization yet, no browser zone without JavaScript).
DEFAULT_ZONE = "America/New_York"
COMMON_ZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    "America/Anchorage", "Pacific/Honolulu", "America/Toronto", "America/Vancouver", "America/Mexico_City",
    "America/Sao_Paulo", "Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Africa/Johannesburg",
    "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
)


@lru_cache(maxsize=1)
def timezone_choices() -> list[str]:
    """Every place-named IANA zone, A to Z (no Etc/ or legacy aliases)."""
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))


def _known(name: str | None) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def zone_label(name: str, at: datetime | None = None, language: str = i18n.DEFAULT) -> str:
    """"America/Chicago (UTC−05:00)": the name people search for, and its offset today. In
    another language, a city the language writes its own way comes first, as CLDR writes it,
    with the zone's name after it for whoever searches by that: "Nueva York (America/New York,
    UTC−05:00)"; a city written as in the zone's name ("Chicago") needs no second name."""
    offset = (at or clock.now()).astimezone(ZoneInfo(name)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{sign}{hours:02d}:{rest:02d}"
    plain = name.replace("_", " ")
    try:
        city = "" if language == i18n.DEFAULT else get_timezone_location(name, locale=language, return_city=True)
    except (LookupError, ValueError):
        city = ""
    canonical = get_global("zone_aliases").get(name, name)  # US/Eastern: America/New_York's city
    if not city or city == canonical.rsplit("/", 1)[-1].replace("_", " "):
        return f"{plain} ({utc})"
    return f"{city} ({plain}{i18n.gettext(', ')}{utc})"


class ZonePicker(msgspec.Struct, frozen=True):
    """What the picker shows: `value` selected; `likely` first; `rest` A to Z; `chosen`: the
    value is the person's own choice (a form shown again), so the browser's zone must not replace it."""

    value: str
    likely: list[tuple[str, str]]  # (zone, label)
    rest: list[tuple[str, str]]
    chosen: bool


@lru_cache(maxsize=8)
def _labels(hour: datetime, language: str) -> dict[str, str]:
    """Every zone's label this hour in this language (offsets change at most hourly), A to Z by
    the zone's name."""
    return {z: zone_label(z, hour, language) for z in timezone_choices()}


def picker(value: str | None, *likely: str | None, default: str = DEFAULT_ZONE, chosen: bool = False) -> ZonePicker:
    """The picker with `value` selected (else the first known of `likely`, else `default`)."""
    first = [z for z in (value, *likely) if _known(z)]
    selected = first[0] if first else default
    language = i18n.current()
    labels = _labels(clock.now().replace(minute=0, second=0, microsecond=0), language)
    top = list(dict.fromkeys([selected, *first, *COMMON_ZONES]))
    shown = set(top)
    return ZonePicker(value=selected, likely=[(z, labels.get(z) or zone_label(z, language=language)) for z in top],
                      rest=[(z, label) for z, label in labels.items() if z not in shown],
                      chosen=chosen and bool(value))
