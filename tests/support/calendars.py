"""Our iCalendar read back by independent parsers, and the calendar parts of iMIP mail.

Each parser answers in one shape (uid, recurrence_id, start, end as UTC text):
  ical.js (Thunderbird)      node tests/ics_parsers/expand.mjs   (npm ci in tests/ics_parsers)
  libical (Evolution)        /usr/bin/python3 tests/ics_parsers/libical_expand.py
                             (apt-get install python3-gi gir1.2-ical-3.0)
  recurring-ical-events      in-process (pip install recurring-ical-events); with
                             "+vtimezone" it reads our VTIMEZONE instead of zoneinfo
A parser that is not installed skips the test that asks for it, with the reason; with
COORD_REQUIRE_ICS_PARSERS=1 (CI) that is a failure instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import icalendar
import pytest

UTC = timezone.utc
PARSERS = Path(__file__).resolve().parents[1] / "ics_parsers"


def _missing(reason: str):
    if os.environ.get("COORD_REQUIRE_ICS_PARSERS"):
        pytest.fail(f"{reason} (COORD_REQUIRE_ICS_PARSERS is set)")
    pytest.skip(reason)


@cache
def _node() -> str | None:
    node = shutil.which("node")
    return node if node and (PARSERS / "node_modules" / "ical.js").is_dir() else None


@cache
def _gi_python() -> str | None:
    python = "/usr/bin/python3"
    if not Path(python).exists():
        return None
    probe = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
    ok = subprocess.run([python, "-c", probe], capture_output=True).returncode == 0
    return python if ok else None


def _run(cmd: list[str], stdin: str) -> object:
    done = subprocess.run(cmd, input=stdin.encode(), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def icaljs(mode: str, stdin: str) -> object:
    if _node() is None:
        _missing("ical.js not installed: run `npm ci` in tests/ics_parsers (needs node)")
    return _run([_node(), str(PARSERS / "expand.mjs"), mode], stdin)


def libical(mode: str, stdin: str) -> object:
    if _gi_python() is None:
        _missing("libical GI bindings not installed: apt-get install python3-gi gir1.2-ical-3.0")
    return _run([_gi_python(), str(PARSERS / "libical_expand.py"), mode], stdin)


def _rie():
    try:
        import recurring_ical_events
    except ImportError:
        _missing("recurring-ical-events not installed: pip install recurring-ical-events")
    return recurring_ical_events


def _private_tzids(ics: bytes) -> bytes:
    """icalendar resolves a known TZID from zoneinfo and ignores the VTIMEZONE; renaming
    the zone makes it (and recurring-ical-events) read our VTIMEZONE instead. icalendar
    also caches a VTIMEZONE per TZID for the whole process, so the name carries a hash
    of the file: a different VTIMEZONE is never answered from an earlier one."""
    tag = b"Coord-Test-" + hashlib.sha256(ics).hexdigest()[:12].encode() + b"-"
    return re.sub(rb"(TZID[:=])([A-Za-z_]+/[A-Za-z_]+)", rb"\1" + tag + rb"\2", ics)


def iso_utc(moment: datetime) -> str:
    """`moment` in UTC as the parsers write it: 2026-01-06T23:30:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rie_occurrences(ics: bytes) -> list[dict]:
    cal = icalendar.Calendar.from_ical(ics)
    out = []
    for occ in _rie().of(cal).between(datetime(2000, 1, 1), datetime(2100, 1, 1)):
        rid = occ.get("RECURRENCE-ID")
        out.append({"uid": str(occ["UID"]), "recurrence_id": iso_utc(rid.dt) if rid else None,
                    "start": iso_utc(occ["DTSTART"].dt), "end": iso_utc(occ["DTEND"].dt)})
    return out


def expand(parser: str, ics: bytes) -> list[dict]:
    """Every occurrence `parser` (one of EXPANDERS) reads in `ics`."""
    if parser == "ical.js":
        return icaljs("expand", ics.decode())
    if parser == "libical":
        result = libical("expand", ics.decode())
        assert result["errors"] == [], f"libical X-LIC-ERROR: {result['errors']}"
        return result["occurrences"]
    if parser == "recurring-ical-events":
        return rie_occurrences(ics)
    assert parser == "recurring-ical-events+vtimezone"
    return rie_occurrences(_private_tzids(ics))


def offsets(parser: str, ics: bytes, tzid: str, utc: list[datetime], local: list[datetime]) -> dict:
    """How `parser` (one of OFFSET_READERS) maps `ics`'s VTIMEZONE `tzid` between UTC and local time."""
    request = {"ics": ics.decode(), "tzid": tzid, "utc": [iso_utc(u) for u in utc],
               "local": [f"{w:%Y-%m-%dT%H:%M:%S}" for w in local]}
    if parser == "ical.js":
        return icaljs("offsets", json.dumps(request))
    if parser == "libical":
        return libical("offsets", json.dumps(request))
    _rie()  # the same icalendar/dateutil reading recurring-ical-events relies on
    cal = icalendar.Calendar.from_ical(_private_tzids(ics))
    tz = next(c for c in cal.walk("VEVENT"))["DTSTART"].dt.tzinfo
    assert "Coord-Test" in str(tz), tz  # really the VTIMEZONE, not zoneinfo
    candidates = {c["TZOFFSETTO"].td for c in cal.walk("STANDARD") + cal.walk("DAYLIGHT")}

    def from_utc(u: datetime) -> dict:
        # dateutil's tzical looks offsets up by local time (as recurring-ical-events
        # does for DTSTART); its generic fromutc() assumes a fixed standard offset and
        # is wrong at Sao Paulo/Casablanca changes whatever the VTIMEZONE says. So ask
        # the local-time lookup which offset maps back to this instant.
        naive = u.astimezone(UTC).replace(tzinfo=None)
        fits = {o for o in candidates for fold in (0, 1)
                if (naive + o).replace(tzinfo=tz, fold=fold).utcoffset() == o}
        # Two offsets fit only next to a spring-forward gap, where the larger one
        # comes from a wall time that does not exist (dateutil reads it as after the
        # gap); the real one is the smaller.
        assert fits, u
        offset = min(fits)
        return {"offset": int(offset.total_seconds()), "local": f"{naive + offset:%Y-%m-%dT%H:%M:%S}"}

    return {"from_utc": [from_utc(u) for u in utc], "from_local": [iso_utc(w.replace(tzinfo=tz)) for w in local]}


# The parsers expand() and offsets() can ask.
EXPANDERS = ["ical.js", "libical", "recurring-ical-events", "recurring-ical-events+vtimezone"]
OFFSET_READERS = ["ical.js", "libical", "recurring-ical-events+vtimezone"]


def calendar_parts(message) -> tuple[bytes, bytes | None]:
    """The inline text/calendar part and the .ics attachment of an iMIP message."""
    inline = attachment = None
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            inline = part
        elif part.get_filename():
            attachment = part
    return inline, attachment
