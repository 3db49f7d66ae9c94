"""One event as its page shows it, to anyone who may see it (also without an account).

The same rule as the service: members of the organization see every event, anyone
else (signed in or not) a public one; everything else is 404. The venue follows
the calendar feeds: an in-person address is shown with the event, a meeting link
only to staff, facilitators and people with a confirmed place.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.access import STAFF
from coord.kernel.errors import NotFound
from coord.kernel.pagination import MAX_LIMIT
from coord.events import roster as event_roster
from coord.events.schemas import EventOut, RegistrationRosterOut
from coord.orgs.schemas import PublicOrg
from coord.shifts import event_shifts
from coord.shifts import roster as shift_roster
from coord.shifts.schemas import RosterSignupOut, ShiftOut
from coord.shifts.signups import CHECK_IN_OPENS_BEFORE_START
from coord.views import queries

SHIFTS_LIMIT = MAX_LIMIT  # an event's shifts on its page

VENUE_DETAIL_ROLES = ("admin", "coordinator", "facilitator")


class VenueView(msgspec.Struct):
    kind: str  # in_person / virtual
    name: str
    address: str | None
    meeting_url: str | None  # None unless the caller may have the link
    accessibility: str | None


class EventView(msgspec.Struct):
    event: EventOut
    org: PublicOrg
    venue: VenueView | None
    roles: list[str]
    my_status: str | None  # confirmed / waitlisted, None when not registered
    my_position: int | None
    now: datetime
    shifts: list[ShiftOut] = msgspec.field(default_factory=list)  # members of the organization
    # For staff, with the names read (and audited): who signed up for each shift, who registered.
    signups: dict[UUID, list[RosterSignupOut]] = msgspec.field(default_factory=dict)
    registrations: list[RegistrationRosterOut] = msgspec.field(default_factory=list)
    more_registrations: bool = False

    @property
    def is_staff(self) -> bool:
        return bool(set(self.roles).intersection(STAFF))

    def signups_of(self, shift_id: UUID) -> list[RosterSignupOut]:
        return self.signups.get(shift_id, [])

    def check_in_open(self, shift: ShiftOut) -> bool:
        """Staff may check volunteers in from an hour before the start (as shifts.roster rules)."""
        return shift.status == "scheduled" and self.now >= shift.starts_at - CHECK_IN_OPENS_BEFORE_START

    def copy_start(self, shift: ShiftOut) -> datetime:
        """Where the Duplicate form puts a copy unless changed: the same time the next day."""
        return event_shifts.next_day(shift.starts_at, self.event.timezone)

    @property
    def full(self) -> bool:
        return self.event.capacity is not None and self.event.confirmed_count >= self.event.capacity

    @property
    def open_places(self) -> int | None:
        if self.event.capacity is None:
            return None
        return max(self.event.capacity - self.event.confirmed_count, 0)

    @property
    def registration_closes_at(self) -> datetime:
        return self.event.registration_closes_at or self.event.starts_at

    @property
    def registration(self) -> str:
        """cancelled / ended / not_open / closed / open: the same window events.service.register checks."""
        e = self.event
        if e.status == "cancelled":
            return "cancelled"
        if self.now >= e.ends_at:
            return "ended"
        if e.registration_opens_at and self.now < e.registration_opens_at:
            return "not_open"
        if self.now >= self.registration_closes_at:
            return "closed"
        return "open"


async def event_view(conn: asyncpg.Connection, viewer_id: UUID | None, event_id: UUID,
                     people: bool = False) -> EventView:
    """The event for one reader; with `people`, its shifts for members and, for staff, the
    names of who registered and who signed up for each shift (each read audited)."""
    row = await conn.fetchrow(queries.EVENT_PAGE, event_id, viewer_id)
    if row is None:
        raise NotFound(_("no such event"))
    roles = list(row["roles"] or ())
    if not roles and row["visibility"] != "public":
        raise NotFound(_("no such event"))
    event = EventOut(**{f: row[f] for f in EventOut.__struct_fields__})
    org = PublicOrg(id=row["org_id"], name=row["org_name"], slug=row["org_slug"], timezone=row["org_timezone"],
                    contact_email=row["org_contact_email"], crisis_resources=row["crisis_resources"],
                    crisis_lines=row["crisis_lines"])
    my_status = row["my_status"] if row["my_status"] in ("confirmed", "waitlisted") else None
    venue = None
    if row["venue_kind"]:
        with_link = my_status == "confirmed" or bool(set(roles).intersection(VENUE_DETAIL_ROLES))
        venue = VenueView(kind=row["venue_kind"], name=row["venue_name"], address=row["venue_address"],
                          meeting_url=row["venue_meeting_url"] if with_link else None,
                          accessibility=row["venue_accessibility"])
    view = EventView(event=event, org=org, venue=venue, roles=roles, my_status=my_status,
                     my_position=row["my_position"], now=clock.now())
    if people and viewer_id and roles:
        view.shifts = (await event_shifts.event_shifts(conn, viewer_id, event_id, SHIFTS_LIMIT, None)).items
        if view.is_staff:
            registered = await event_roster.list_registrations(conn, viewer_id, event_id, MAX_LIMIT, None)
            view.registrations, view.more_registrations = registered.items, bool(registered.next_cursor)
            if view.shifts:
                view.signups = await shift_roster.event_signups(conn, viewer_id, event_id)
    return view
