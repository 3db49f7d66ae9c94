"""A series' rule said in the reader's language ("Cada martes a las 18:30, 12 veces,
America/New_York"), and the schedule form's words for repeats and weekdays.

English keeps recurrence.describe's words exactly (the API returns the same text). Other
languages get the rules the schedule form makes (every day, every week or two weeks on some
weekdays, a weekday of each month) from the catalog, with CLDR's weekday names and lists;
a rule the form never makes is shown in English, as the API words it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_day_names
from babel.lists import format_list

from coord import i18n
from coord.i18n import N_, ngettext
from coord.i18n import gettext as _
from coord.sessions.describe import REPEATS, WEEKDAY_NAMES, WEEKDAYS, rule_in_words
from coord.sessions.recurrence import SeriesRule

# The schedule form's repeat choices (describe.REPEATS, same keys), in the catalog.
REPEAT_WORDS = {
    "weekly": N_("Every week"),
    "biweekly": N_("Every two weeks"),
    "monthly": N_("Every month on the same weekday (e.g. 2nd Tuesday)"),
    "daily": N_("Every day"),
}
MONTHLY = {1: N_("On the first %(day)s of every month"), 2: N_("On the second %(day)s of every month"),
           3: N_("On the third %(day)s of every month"), 4: N_("On the fourth %(day)s of every month"),
           -1: N_("On the last %(day)s of every month")}


def repeats() -> dict[str, str]:
    """How often, as the form offers it, in the reader's language."""
    return {value: _(REPEAT_WORDS.get(value, text)) for value, text in REPEATS.items()}


def weekday_name(index: int) -> str:
    """Monday (0) to Sunday (6) as the reader's language writes it in a sentence."""
    if i18n.current() == i18n.DEFAULT:
        return WEEKDAY_NAMES[index]
    return str(get_day_names("wide", locale=i18n.current())[index])


def weekdays() -> list[tuple[str, str]]:
    """The form's weekday checkboxes: (MO..SU, the day's name as a label)."""
    return [(code, (name := weekday_name(i))[:1].upper() + name[1:]) for i, code in enumerate(WEEKDAYS)]


def _pattern(parts: dict[str, str], start: datetime) -> str | None:
    freq, every = parts.get("FREQ"), parts.get("INTERVAL", "1")
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    if freq == "WEEKLY" and not days:  # the first session's weekday, as recurrence.describe reads it
        days = [WEEKDAYS[start.weekday()]]
    if set(parts) - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY"}:
        return None
    if freq == "DAILY" and every == "1" and not days:
        return _("Every day")
    if freq == "WEEKLY" and every in ("1", "2") and days and all(d in WEEKDAYS for d in days):
        names = format_list([weekday_name(WEEKDAYS.index(d)) for d in WEEKDAYS if d in days], locale=i18n.current())
        return (_("Every %(days)s") if every == "1" else _("Every two weeks on %(days)s")) % {"days": names}
    if freq == "MONTHLY" and every == "1" and len(days) == 1 and days[0][-2:] in WEEKDAYS:
        nth = days[0][:-2]
        if nth.lstrip("+-").isdigit() and int(nth) in MONTHLY:
            return _(MONTHLY[int(nth)]) % {"day": weekday_name(WEEKDAYS.index(days[0][-2:]))}
    return None


def _last_day(until: str, tz: str) -> str | None:
    """UNTIL's day in the series' timezone (as recurrence.describe reads it), in CLDR's long form."""
    try:
        if until.endswith("Z"):
            day = datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).date()
        else:  # floating local time or a bare date: its own day
            day = datetime.strptime(until[:8], "%Y%m%d").date()
    except (ValueError, OverflowError):
        return None
    return format_date(day, "long", locale=i18n.current())


def series_words(rule: SeriesRule) -> str:
    """The rule in a sentence, from its pattern to its end and timezone."""
    if i18n.current() == i18n.DEFAULT:
        return rule_in_words(rule)
    parts = dict(p.split("=", 1) for p in rule.rrule.split(";") if "=" in p)
    pattern = _pattern(parts, rule.start)
    if pattern is None:
        return rule_in_words(rule)
    values = {"pattern": pattern, "time": f"{rule.start:%H:%M}", "tz": rule.timezone}
    if "COUNT" in parts and parts["COUNT"].isdigit():
        count = int(parts["COUNT"])
        if count == 1:
            return _("%(pattern)s at %(time)s, once, %(tz)s") % values
        return ngettext("%(pattern)s at %(time)s, %(num)s time, %(tz)s", "%(pattern)s at %(time)s, %(num)s times, %(tz)s",
                        count) % {**values, "num": count}
    if "UNTIL" in parts:
        day = _last_day(parts["UNTIL"], rule.timezone)
        if day is None:
            return rule_in_words(rule)
        return _("%(pattern)s at %(time)s until %(day)s, %(tz)s") % {**values, "day": day}
    return _("%(pattern)s at %(time)s, until further notice, %(tz)s") % values
