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

from coord.kernel import clock
from coord.kernel.access import STAFF
from coord.kernel.errors import NotFound
from coord.events.schemas import EventOut
from coord.orgs.schemas import PublicOrg
from coord.views import queries

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

    @property
    def is_staff(self) -> bool:
        return bool(set(self.roles).intersection(STAFF))

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


async def event_view(conn: asyncpg.Connection, viewer_id: UUID | None, event_id: UUID) -> EventView:
    row = await conn.fetchrow(queries.EVENT_PAGE, event_id, viewer_id)
    if row is None:
        raise NotFound("no such event")
    roles = list(row["roles"] or ())
    if not roles and row["visibility"] != "public":
        raise NotFound("no such event")
    event = EventOut(**{f: row[f] for f in EventOut.__struct_fields__})
    org = PublicOrg(id=row["org_id"], name=row["org_name"], slug=row["org_slug"], timezone=row["org_timezone"],
                    contact_email=row["org_contact_email"], crisis_resources=row["crisis_resources"])
    my_status = row["my_status"] if row["my_status"] in ("confirmed", "waitlisted") else None
    venue = None
    if row["venue_kind"]:
        with_link = my_status == "confirmed" or bool(set(roles).intersection(VENUE_DETAIL_ROLES))
        venue = VenueView(kind=row["venue_kind"], name=row["venue_name"], address=row["venue_address"],
                          meeting_url=row["venue_meeting_url"] if with_link else None,
                          accessibility=row["venue_accessibility"])
    return EventView(event=event, org=org, venue=venue, roles=roles, my_status=my_status,
                     my_position=row["my_position"], now=clock.now())
