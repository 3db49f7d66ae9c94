"""Independent check with libical (Evolution's parser) through GObject introspection.

Runs under Debian's /usr/bin/python3 with python3-gi and gir1.2-ical-3.0 (which
ships both the raw `ICal` and the object `ICalGLib` bindings of libical 3; the raw
one has no usable component API from Python, so this uses ICalGLib).

    python3 libical_expand.py expand  < calendar.ics  -> {"errors": [...], "occurrences": [...]}
    python3 libical_expand.py offsets < {"ics","tzid","utc":[...],"local":[...]}

`errors` lists every X-LIC-ERROR after parsing and after libical's RFC 5545/5546
restriction check (icalrestriction_check); the caller fails on any.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as I  # noqa: E402

LIMIT = "21000101T000000Z"
K = I.ComponentKind
P = I.PropertyKind


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def children(comp, kind=K.ANY_COMPONENT):
    child = comp.get_first_component(kind)
    while child is not None:
        yield child
        child = comp.get_next_component(kind)


def errors(comp) -> list[str]:
    found = []
    prop = comp.get_first_property(P.XLICERROR_PROPERTY)
    while prop is not None:
        found.append(f"{I.Component.kind_to_string(comp.isa())}: {prop.get_xlicerror()}")
        prop = comp.get_next_property(P.XLICERROR_PROPERTY)
    for child in list(children(comp)):
        found.extend(errors(child))
    return found


def parse(text: str):
    root = I.Component.new_from_string(text)
    if root is None or root.isa() != K.VCALENDAR_COMPONENT:
        raise SystemExit("libical could not parse the calendar")
    return root


def epoch(t, root=None, prop=None) -> int:
    """UTC seconds of a DATE-TIME, its TZID resolved only against the file's VTIMEZONEs."""
    zone = t.get_timezone()
    param = prop.get_first_parameter(I.ParameterKind.TZID_PARAMETER) if prop is not None else None
    if param is not None:  # RECURRENCE-ID values come back without their zone attached
        zone = root.get_timezone(param.get_tzid())
    if zone is None:
        raise SystemExit(f"unresolved timezone on {t.as_ical_string()}")
    if zone.get_tzid() != "UTC" and zone.get_component() is None:
        raise SystemExit(f"{zone.get_tzid()} did not come from the file's VTIMEZONE")
    return t.as_timet_with_zone(zone)


def expand(text: str) -> dict:
    root = parse(text)
    problems = errors(root)
    root.check_restrictions()  # adds X-LIC-ERROR properties for each violation
    problems += [p for p in errors(root) if p not in problems]
    events = list(children(root, K.VEVENT_COMPONENT))
    overrides: dict[tuple[str, int], object] = {}
    for ev in events:
        rid = ev.get_first_property(P.RECURRENCEID_PROPERTY)
        if rid is not None:
            overrides[(ev.get_uid(), epoch(ev.get_recurrenceid(), root, rid))] = ev
    out = []
    start, end = I.Time.new_from_string("19700101T000000Z"), I.Time.new_from_string(LIMIT)
    for ev in events:
        if ev.get_first_property(P.RECURRENCEID_PROPERTY) is not None:
            continue
        uid = ev.get_uid()
        instances: list[tuple[int, int]] = []
        # foreach_recurrence applies RRULE, RDATE and EXDATE; overrides are ours to apply.
        ev.foreach_recurrence(start, end, lambda _c, span, _d: instances.append((span.get_start(), span.get_end())), None)
        for s, e in instances:
            if (uid, s) in overrides:
                o = overrides.pop((uid, s))
                s2, e2 = epoch(o.get_dtstart()), epoch(o.get_dtend())
                out.append({"uid": uid, "recurrence_id": iso(s), "start": iso(s2), "end": iso(e2)})
            else:
                out.append({"uid": uid, "recurrence_id": iso(s) if ev.get_first_property(P.RRULE_PROPERTY) else None,
                            "start": iso(s), "end": iso(e)})
    for (uid, rid), o in overrides.items():  # overrides whose occurrence the rule does not produce
        out.append({"uid": uid, "recurrence_id": iso(rid), "start": iso(epoch(o.get_dtstart())),
                    "end": iso(epoch(o.get_dtend())), "orphan": True})
    return {"errors": problems, "occurrences": out}


def offsets(request: dict) -> dict:
    root = parse(request["ics"])
    for vtz in children(root, K.VTIMEZONE_COMPONENT):
        tzid = vtz.get_first_property(P.TZID_PROPERTY).get_tzid()
        if tzid == request["tzid"]:
            zone = I.Timezone.new()
            zone.set_component(vtz.clone())
            break
    else:
        raise SystemExit(f"no VTIMEZONE for {request['tzid']}")
    utc = I.Timezone.get_utc_timezone()
    from_utc = []
    for s in request["utc"]:
        seconds = int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())
        t = I.Time.new_from_timet_with_zone(seconds, 0, utc)
        offset, _is_dst = zone.get_utc_offset_of_utc_time(t)
        local = I.Time.new_from_timet_with_zone(seconds, 0, zone)
        from_utc.append({"offset": offset, "local": "%04d-%02d-%02dT%02d:%02d:%02d" % (
            local.get_year(), local.get_month(), local.get_day(),
            local.get_hour(), local.get_minute(), local.get_second())})
    from_local = []
    for s in request["local"]:
        t = I.Time.new_from_string(s.replace("-", "").replace(":", ""))
        t.set_timezone(zone)
        from_local.append(iso(t.as_timet_with_zone(zone)))
    return {"from_utc": from_utc, "from_local": from_local}


if __name__ == "__main__":
    data = sys.stdin.read()
    result = offsets(json.loads(data)) if sys.argv[1:] == ["offsets"] else expand(data)
    sys.stdout.write(json.dumps(result))
