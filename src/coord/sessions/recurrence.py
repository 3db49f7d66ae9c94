"""Recurring session series: RFC 5545 RRULE expansion in the group's timezone.

Rules are expanded on naive local wall-clock times and each result is localized
afterwards, so a group that meets at 18:30 keeps meeting at 18:30 local across
daylight-saving changes (its UTC time moves instead). Pure: no I/O, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as _tz
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

from coord.i18n import gettext as _

UTC = _tz.utc
MAX_OCCURRENCES = 1000
DEFAULT_HORIZON = timedelta(weeks=26)
MIN_DURATION, MAX_DURATION = timedelta(minutes=5), timedelta(hours=24)

_SUBDAILY = {"SECONDLY", "MINUTELY", "HOURLY"}
_FREQS = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_WEEKDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
         "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth",
             -1: "last", -2: "second-to-last"}
# A local UNTIL bound must cover every wall time whose UTC instant is <= UNTIL,
# including the repeated hour at fall-back; DST shifts are at most 2 hours.
_SLACK = timedelta(hours=3)


class RecurrenceError(ValueError):
    """A rule a facilitator must fix; `field` names the input, `message` says how."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SeriesRule:
    start: datetime  # naive local wall-clock time of the first occurrence
    timezone: str  # IANA name
    rrule: str  # from parse_rule: upper-case, no "RRULE:" prefix, UNTIL in UTC
    duration: timedelta


def _zone(name: object) -> ZoneInfo:
    try:
        return ZoneInfo(name)  # type: ignore[arg-type]
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        msg = _("%(name)s is not a known timezone; use an IANA name such as Europe/London.") % {"name": repr(name)}
        raise RecurrenceError("timezone", msg) from None


def _to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    # fold=0 is RFC 5545's reading: an ambiguous time is its first instance, and a
    # time in a gap uses the offset before the gap (02:30 becomes 03:30 local).
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def _plus(moment: datetime, delta: timedelta) -> datetime:
    try:
        return moment + delta
    except OverflowError:
        return datetime.max


def _parts(text: str) -> dict[str, str]:
    """Split a rule into NAME -> VALUE, upper-cased and in the given order."""
    body = re.sub(r"(?i)^\s*RRULE:", "", text).strip()
    if "DTSTART" in body.upper():
        raise RecurrenceError("rrule", _("Remove DTSTART from the rule; the first session is set separately."))
    parts: dict[str, str] = {}
    for chunk in filter(None, (c.strip() for c in body.upper().split(";"))):  # tolerate "FREQ=DAILY;"
        name, eq, value = chunk.partition("=")
        if not (eq and name.isalpha() and value) or name in parts or ":" in value or "\n" in value:
            example = _("write NAME=VALUE parts joined by ';', e.g. FREQ=WEEKLY;BYDAY=TU.")
            raise RecurrenceError("rrule", _("%(rule)s is not a valid rule: %(reason)s")
                                  % {"rule": text.strip(), "reason": example})
        parts[name] = value
    return parts


def _join(parts: dict[str, str]) -> str:
    return ";".join(f"{name}={value}" for name, value in parts.items())


def _until_utc(value: str, tz: ZoneInfo) -> datetime:
    """UNTIL as an aware UTC instant, from UTC, floating local, or bare-date form."""
    try:
        if value.endswith("Z"):
            result = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        elif "T" in value:
            result = _to_utc(datetime.strptime(value, "%Y%m%dT%H%M%S"), tz)
        else:  # a bare date means through the end of that local day
            result = _to_utc(datetime.strptime(value, "%Y%m%d").replace(hour=23, minute=59, second=59), tz)
        _wall(result, tz)  # near year 9999 the local reading can overflow
        return result
    except (ValueError, OverflowError):
        msg = _("UNTIL=%(value)s is not a usable date; write e.g. UNTIL=20261231 or UNTIL=20261231T235959Z.") % {"value": value}
        raise RecurrenceError("rrule", msg) from None


def _check(parts: dict[str, str], raw: str, start: datetime) -> None:
    def bad(reason: str) -> RecurrenceError:
        return RecurrenceError("rrule", _("%(rule)s is not a valid rule: %(reason)s")
                              % {"rule": raw or _("An empty rule"), "reason": reason})

    freq = parts.get("FREQ", "")
    if freq in _SUBDAILY:
        msg = _("FREQ=%(freq)s is not supported for group sessions; use DAILY, WEEKLY, MONTHLY or YEARLY.") % {"freq": freq}
        raise RecurrenceError("rrule", msg)
    if freq not in _FREQS:
        raise bad(_("it needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."))
    if "COUNT" in parts and "UNTIL" in parts:
        raise bad(_("use COUNT or UNTIL, not both."))
    for name in ("COUNT", "INTERVAL"):  # dateutil accepts 0, which would never end
        if name in parts and not (parts[name].isdigit() and int(parts[name]) >= 1):
            raise bad(_("%(name)s must be a whole number of at least 1.") % {"name": name})
    if "COUNT" in parts and int(parts["COUNT"]) > MAX_OCCURRENCES:
        msg = (_("COUNT=%(count)s is too many: a series can have at most %(most)s sessions.")
               % {"count": parts["COUNT"], "most": MAX_OCCURRENCES})
        raise RecurrenceError("rrule", msg)
    for day in parts["BYDAY"].split(",") if "BYDAY" in parts else []:
        if not _WEEKDAY.match(day):
            raise bad(_("%(day)s is not a weekday (use MO, TU, WE, TH, FR, SA or SU, optionally numbered like 1WE).") % {"day": day})
    core = _join({k: v for k, v in parts.items() if k not in ("COUNT", "UNTIL")})
    try:
        rrulestr(core, dtstart=start)
    except _UNREADABLE:
        raise bad(_culprit(parts, start)) from None


# What dateutil raises for a rule it cannot read; its words are English, so they are not shown.
_UNREADABLE = (ValueError, TypeError, KeyError, IndexError)
# RFC 5545's rule parts (dateutil reads these and BYEASTER).
_RULE_PARTS = {"FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY",
               "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST", "BYEASTER"}


def _culprit(parts: dict[str, str], start: datetime) -> str:
    """Which part of a rule dateutil refused, in the reader's language: each is tried alone."""
    for name, value in parts.items():
        if name in ("FREQ", "COUNT", "UNTIL"):  # checked already
            continue
        if name not in _RULE_PARTS:
            return _("%(name)s is not a part a rule can have.") % {"name": name}
        try:
            rrulestr(_join({"FREQ": parts["FREQ"], name: value}), dtstart=start)
        except _UNREADABLE:
            return _("%(name)s=%(value)s is not a value it can take.") % {"name": name, "value": value}
    return _("its parts do not fit together.")


def _starts(rule: SeriesRule, bound: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Yield (naive local start, UTC start) in order, up to the local wall time `bound`."""
    tz = _zone(rule.timezone)
    parts = _parts(rule.rrule)
    count = int(parts.pop("COUNT")) if "COUNT" in parts else None
    until = _until_utc(parts.pop("UNTIL"), tz) if "UNTIL" in parts else None
    if until is not None:
        bound = min(bound, _plus(_wall(until, tz), _SLACK))
    # dateutil only ever sees a naive local UNTIL: that keeps it comparable with the
    # naive start, and stops rules whose days rarely match from scanning to year 9999.
    # COUNT is applied here instead, which is equivalent (it counts yielded dates).
    expanded = rrulestr(f"{_join(parts)};UNTIL={bound:%Y%m%dT%H%M%S}", dtstart=rule.start)
    previous = None
    for local in islice(expanded, count):
        instant = _to_utc(local, tz)
        if until is not None and instant > until:
            return  # fold=0 localization never goes backwards, so nothing later qualifies
        if instant == previous:
            continue  # two wall times inside one DST gap land on the same instant
        previous = instant
        yield local, instant


def parse_rule(start: datetime, timezone: str, rrule: str, duration: timedelta) -> SeriesRule:
    tz = _zone(timezone)
    if not isinstance(start, datetime) or start.tzinfo is not None:
        msg = _("Give the first session as a local date and time without a UTC offset; the timezone is separate.")
        raise RecurrenceError("start", msg)
    start = start.replace(microsecond=0)  # dateutil drops microseconds from occurrences
    if _wall(_to_utc(start, tz), tz) != start:  # a time in a DST gap does not survive the round trip
        msg = _("%(time)s on %(date)s does not exist in %(timezone)s (clocks jump forward). Choose a time outside "
                "the skipped hour.") % {"time": f"{start:%H:%M}", "date": f"{start:%Y-%m-%d}", "timezone": timezone}
        raise RecurrenceError("start", msg)
    if not isinstance(duration, timedelta) or not MIN_DURATION <= duration <= MAX_DURATION:
        raise RecurrenceError("duration", _("A session must last between 5 minutes and 24 hours."))
    raw = rrule.strip()
    parts = _parts(raw)
    _check(parts, raw, start)
    until = _until_utc(parts["UNTIL"], tz) if "UNTIL" in parts else None
    if until is not None:  # canonical UTC form, as RFC 5545 requires beside a TZID start
        parts["UNTIL"] = f"{until:%Y%m%dT%H%M%SZ}"
    rule = SeriesRule(start, timezone, _join(parts), duration)
    if until is not None and until < _to_utc(start, tz):
        msg = _("The rule ends (UNTIL %(until)s) before the first session on %(start)s, so the series would have "
                "no sessions.") % {"until": f"{_wall(until, tz):%Y-%m-%d %H:%M}", "start": f"{start:%Y-%m-%d %H:%M}"}
        raise RecurrenceError("rrule", msg)
    if next(_starts(rule, start), None) is None:
        # RFC 5545 counts DTSTART as an occurrence but dateutil does not; refusing a
        # start the rule skips keeps our sessions identical to what calendar clients show.
        msg = _("The first session (%(start)s) is not on a day %(rule)s repeats on; start the series on its first "
                "real session.") % {"start": f"{start:%A %Y-%m-%d %H:%M}", "rule": raw}
        raise RecurrenceError("start", msg)
    if until is not None and len(list(islice(_starts(rule, datetime.max), MAX_OCCURRENCES + 1))) > MAX_OCCURRENCES:
        msg = _("%(rule)s gives more than %(most)s sessions; end the series with an earlier UNTIL.") % {"rule": raw, "most": MAX_OCCURRENCES}
        raise RecurrenceError("rrule", msg)
    return rule


def _aware(moment: datetime | None, name: str) -> None:
    if moment is not None and moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def occurrences(rule: SeriesRule, *, until: datetime) -> list[tuple[datetime, datetime]]:
    """(starts_at, ends_at) in UTC for every occurrence starting before `until`."""
    _aware(until, "until")
    tz = _zone(rule.timezone)
    result = []
    for _local, instant in _starts(rule, _plus(_wall(until, tz), _SLACK)):
        if instant >= until:
            break
        # Duration is wall-clock from the local start actually observed (after any gap shift).
        result.append((instant, _to_utc(_wall(instant, tz) + rule.duration, tz)))
    return result


def materialize_window(
    rule: SeriesRule, *, after: datetime | None, horizon_end: datetime
) -> list[tuple[datetime, datetime]]:
    """Occurrences with after < start < horizon_end; pass the last materialized start
    as `after` to extend a horizon without duplicates or gaps."""
    _aware(after, "after")
    return [o for o in occurrences(rule, until=horizon_end) if after is None or o[0] > after]


def is_finite(rule: SeriesRule) -> bool:
    parts = _parts(rule.rrule)
    return "COUNT" in parts or "UNTIL" in parts


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _nth(day: int) -> str | None:
    if day == -1:
        return "last day"
    if not 1 <= day <= 31:
        return None
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _pattern(parts: dict[str, str], start: datetime) -> str | None:
    """The repeating part in words, or None when the rule is too unusual to phrase."""
    if set(parts) - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY"}:
        return None
    if "BYDAY" in parts and "BYMONTHDAY" in parts:
        return None
    freq, n = parts["FREQ"], int(parts.get("INTERVAL", "1"))
    days: list[tuple[int, str]] = []  # (ordinal, 0 when absent; day name)
    for token in parts["BYDAY"].split(",") if "BYDAY" in parts else []:
        if not (m := _WEEKDAY.match(token)):
            return None
        days.append((int(m[1] or 0), _DAYS[m[2]]))
    if freq == "DAILY" and not days and "BYMONTHDAY" not in parts:
        return "every day" if n == 1 else f"every {n} days"
    if freq == "WEEKLY" and "BYMONTHDAY" not in parts and not any(o for o, _ in days):
        chosen = {d for _, d in days} or {list(_DAYS.values())[start.weekday()]}
        names = [d for d in _DAYS.values() if d in chosen]  # calendar order
        return f"every {_and(names)}" if n == 1 else f"every {n} weeks on {_and(names)}"
    if freq == "MONTHLY":
        if days:
            words = [f"{_ORDINALS[o]} {d}" if o in _ORDINALS else None for o, d in days]
        else:
            words = [_nth(int(x)) for x in parts.get("BYMONTHDAY", str(start.day)).split(",")]
        every = "every month" if n == 1 else f"every {n} months"
        return None if None in words else f"on the {_and(words)} of {every}"  # type: ignore[arg-type]
    return None


def describe(rule: SeriesRule) -> str:
    """Plain words, e.g. "every Tuesday at 18:30, 12 times, America/New_York"."""
    parts = _parts(rule.rrule)
    try:
        pattern = _pattern(parts, rule.start)
    except (KeyError, ValueError):
        pattern = None
    if pattern is None:  # anything unusual: show the rule itself rather than guess
        return f"{rule.rrule} from {rule.start:%Y-%m-%d %H:%M}, {rule.timezone}"
    text = f"{pattern} at {rule.start:%H:%M}"
    if "COUNT" in parts:
        text += ", once" if parts["COUNT"] == "1" else f", {parts['COUNT']} times"
    elif "UNTIL" in parts:
        tz = _zone(rule.timezone)
        text += f" until {_wall(_until_utc(parts['UNTIL'], tz), tz):%Y-%m-%d}"
    else:
        text += ", until further notice"
    return f"{text}, {rule.timezone}"


def split_rule(rule: SeriesRule, at_local_start: datetime) -> tuple[str, SeriesRule]:
    """Split for "this and all following": (old rule ending just before the split,
    new series from the split with the remaining COUNT or the original UNTIL).
    Splitting at the first occurrence leaves an old rule with no occurrences."""
    tz = _zone(rule.timezone)
    parts = _parts(rule.rrule)
    before, previous, found = 0, None, None
    for local, instant in _starts(rule, _plus(at_local_start, timedelta(days=1))):
        if at_local_start in (local, _wall(instant, tz)):  # also accept a gap-shifted wall time
            found = local
            break
        if local > at_local_start:
            break
        before, previous = before + 1, instant
    if found is None:
        msg = _("%(start)s is not a session of this series; pick one of its dates.") % {"start": f"{at_local_start:%Y-%m-%d %H:%M}"}
        raise RecurrenceError("start", msg)
    # The old series ends exactly at its last remaining session (UNTIL is inclusive).
    old_until = previous if previous is not None else _to_utc(rule.start, tz) - timedelta(seconds=1)
    old = {k: v for k, v in parts.items() if k not in ("COUNT", "UNTIL")}
    old["UNTIL"] = f"{old_until:%Y%m%dT%H%M%SZ}"
    new = dict(parts)
    if "COUNT" in parts:
        new["COUNT"] = str(int(parts["COUNT"]) - before)
    return _join(old), SeriesRule(found, rule.timezone, _join(new), rule.duration)
