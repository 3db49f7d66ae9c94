"""Pure iCalendar rendering: no database, no HTTP.

    render_calendar(Calendar(...)) -> bytes   RFC 5545, CRLF, folded, deterministic
    series_events(...) -> [CalEvent]           master + EXDATEs + moved overrides
    vtimezone(tzid, start, end) -> Timezone    VTIMEZONE that real clients read right
"""

from coord.calendar.model import CalEvent, Calendar, Method, Moved, Status
from coord.calendar.render import PRODID, normalize_rrule, render_calendar
from coord.calendar.series import series_events
from coord.calendar.vtimezone import Transition, transitions, vtimezone

__all__ = [
    "PRODID",
    "CalEvent",
    "Calendar",
    "Method",
    "Moved",
    "Status",
    "Transition",
    "normalize_rrule",
    "render_calendar",
    "series_events",
    "transitions",
    "vtimezone",
]
