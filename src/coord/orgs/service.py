"""Organizations, members and venues. Runs inside the caller's transaction."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.access import STAFF, require_member, require_role
from coord.kernel.audit import audit
from coord.auth.service import check_timezone
from coord import i18n
from coord.kernel.errors import Conflict, FieldError, Forbidden, NotFound, Unprocessable
from coord.orgs import crisis, queries
from coord.orgs.schemas import (
    AuditEntryOut,
    DeliveryOut,
    MemberIn,
    MemberOut,
    MyOrg,
    OrgIn,
    OrgOut,
    OrgSettingsIn,
    PublicOrg,
    VenueIn,
    VenueOut,
    VenuePatch,
)
from coord.outbox.domain_events import DeliveryRetryRequested, EventChanged, MemberAdded, OrgChanged, SeriesChanged
from coord.outbox.record import record
from coord.kernel.pagination import KeyBigint, KeyInstant, Page, decode_cursor, page_of


RESERVED_SLUGS = frozenset({"new"})  # /orgs/new is the page that creates one


async def create_org(conn: asyncpg.Connection, user_id: UUID, data: OrgIn) -> OrgOut:
    check_timezone(data.timezone)
    if data.slug in RESERVED_SLUGS:
        raise Conflict(_("the slug %(slug)s is reserved") % {"slug": repr(data.slug)}, errors=[FieldError("slug", _("reserved for coord's own pages"))])
    row = await conn.fetchrow(queries.INSERT_ORG, data.name.strip(), data.slug, data.timezone, data.contact_email)
    if row is None:
        raise Conflict(_("the slug %(slug)s is taken") % {"slug": repr(data.slug)}, errors=[FieldError("slug", _("already in use"))])
    await conn.execute(queries.ADD_MEMBER, row["id"], user_id, ["admin"])
    return org_out(row)


async def get_org(conn: asyncpg.Connection, user_id: UUID, org_id: UUID) -> OrgOut:
    await require_member(conn, org_id, user_id)
    return org_out(await conn.fetchrow(queries.GET_ORG, org_id))


def org_out(row: asyncpg.Record) -> OrgOut:
    """An organization with its crisis lines as they apply (coord's defaults until it sets its own)."""
    return OrgOut(**{**dict(row), "crisis_lines": crisis.lines_of(row["crisis_lines"], row["crisis_resources"])})


async def update_org(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, data: OrgSettingsIn) -> OrgOut:
    await require_role(conn, org_id, actor_id, ("admin",))
    before = await conn.fetchrow(queries.ORG_FEED_FACTS, org_id)
    if data.timezone is not None:
        check_timezone(data.timezone)
    if data.default_locale is not None and data.default_locale not in i18n.LANGUAGES:
        raise Unprocessable(_("coord does not speak %(default_locale)s yet: choose one of %(languages)s") % {"default_locale": repr(data.default_locale), "languages": ", ".join(i18n.LANGUAGES)}, field="default_locale")
    row = await conn.fetchrow(
        queries.UPDATE_ORG,
        org_id,
        data.name,
        data.contact_email,
        data.timezone,
        data.cancellation_cutoff_hours,
        data.reminder_lead_minutes,
        data.retention_months,
        data.crisis_resources,
        data.roster_weekday,
        data.roster_hour,
        data.followup_delay_minutes,
        data.default_locale,
        None if data.volunteer_hour_value is None else round(data.volunteer_hour_value, 2),
        data.volunteer_hour_value_year,
        data.referral_checkin_days,
        None if data.crisis_lines is None else msgspec.to_builtins(crisis.check(data.crisis_lines)),
        data.digest_hour,
    )
    if (row["name"], row["timezone"], row["default_locale"]) != tuple(before):
        await record(conn, OrgChanged(org_id=org_id))  # its feeds say it: they are rendered again
    # Settings decide how long attendance is kept and what people are told: audited.
    given = sorted(k for k, v in msgspec.structs.asdict(data).items() if v is not None)
    await audit(conn, org_id, actor_id, "org.settings_changed", "org", org_id,
                {"fields": given, "retention_months": row["retention_months"]})
    return org_out(row)


async def list_audit(
    conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, limit: int, cursor: str | None
) -> Page[AuditEntryOut]:
    """Newest first. Admins only: the log says who read whose attendance."""
    await require_role(conn, org_id, actor_id, ("admin",))
    (after_id,) = decode_cursor(cursor, tuple[KeyBigint]) or (None,)
    rows = await conn.fetch(queries.LIST_AUDIT, org_id, after_id, limit + 1)
    return page_of([AuditEntryOut(**dict(r)) for r in rows], limit, lambda e: (e.id,))


async def list_deliveries(
    conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, status: str, limit: int, cursor: str | None
) -> Page[DeliveryOut]:
    await require_role(conn, org_id, actor_id, STAFF)
    since, after_id = decode_cursor(cursor, tuple[KeyInstant, UUID]) or (None, None)
    rows = await conn.fetch(queries.LIST_DELIVERIES, org_id, status, since, after_id, limit + 1)
    return page_of([DeliveryOut(**dict(r)) for r in rows], limit, lambda d: (d.updated_at, d.id))


async def retry_delivery(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, delivery_id: UUID) -> DeliveryOut:
    """Send a failed message again (admins): back to pending, and its event's jobs re-run."""
    await require_role(conn, org_id, actor_id, ("admin",))
    row = await conn.fetchrow(queries.RESET_FAILED_DELIVERY, delivery_id, org_id)
    if row is None:
        current = await conn.fetchrow(queries.DELIVERY_STATUS, delivery_id, org_id)
        if current is None:
            raise NotFound(_("no such delivery"))
        if current["status"] != "failed":
            raise Conflict(_("only failed deliveries can be retried; this one is %(status)s") % {"status": current['status']})
        raise Conflict(_("this message was not caused by one event (a reminder or roster); its schedule sends the next"))
    await record(conn, DeliveryRetryRequested(delivery_id=delivery_id))
    return DeliveryOut(**dict(row))


async def add_member(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, data: MemberIn) -> tuple[MemberOut, bool]:
    """Add a member, or add roles to one. Returns (member, created)."""
    actor_roles = await require_role(conn, org_id, actor_id, STAFF)
    if "admin" in data.roles and "admin" not in actor_roles:
        raise Forbidden(_("only an admin can make someone an admin"))
    user_id = await conn.fetchval(queries.USER_ID_BY_EMAIL, data.email)
    if user_id is None:
        raise Unprocessable(_("no coord account uses this email; ask them to register first"), field="email")
    row = await conn.fetchrow(queries.ADD_MEMBER, org_id, user_id, sorted(set(data.roles)))
    if row["inserted"]:
        await record(conn, MemberAdded(org_id=org_id, user_id=user_id))
    # Roles open attendance and rosters to their holder: who granted what is audited.
    await audit(conn, org_id, actor_id, "org.roles_granted", "user", user_id, {"roles": sorted(set(data.roles))})
    return MemberOut(org_id=org_id, user_id=user_id, roles=list(row["roles"])), bool(row["inserted"])


async def list_members(
    conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, limit: int, cursor: str | None
) -> Page[MemberOut]:
    await require_role(conn, org_id, actor_id, STAFF)
    (after_id,) = decode_cursor(cursor, tuple[UUID]) or (None,)
    rows = await conn.fetch(queries.LIST_MEMBERS, org_id, after_id, limit + 1)
    return page_of([MemberOut(**dict(r)) for r in rows], limit, lambda m: (m.user_id,))


def _check_venue(name: str, kind: str, address: str | None, meeting_url: str | None) -> None:
    if not name.strip():
        raise Unprocessable(_("a venue needs a name"), field="name")
    if kind == "in_person" and not address:
        raise Unprocessable(_("an in-person venue needs an address"), field="address")
    if kind == "virtual" and not meeting_url:
        raise Unprocessable(_("an online venue needs its meeting link"), field="meeting_url")


async def create_venue(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, data: VenueIn) -> VenueOut:
    await require_role(conn, org_id, actor_id, STAFF)
    _check_venue(data.name, data.kind, data.address, data.meeting_url)
    row = await conn.fetchrow(
        queries.INSERT_VENUE, org_id, data.name.strip(), data.kind, data.address, data.meeting_url, data.accessibility
    )
    return VenueOut(**dict(row))


async def update_venue(
    conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, venue_id: UUID, data: VenuePatch
) -> VenueOut:
    """Change a venue. When its name, address or link changes, every series and event
    still ahead there raises its SEQUENCE and is sent again to the people in it."""
    await require_role(conn, org_id, actor_id, STAFF)
    current = await conn.fetchrow(queries.LOCK_VENUE, venue_id, org_id)
    if current is None:
        raise NotFound(_("no such venue"))
    venue = dict(current)
    venue["name"] = data.name.strip() if data.name else current["name"]
    venue["kind"] = data.kind or current["kind"]
    for field in ("address", "meeting_url", "accessibility"):  # null clears; absent keeps
        if (value := getattr(data, field)) is not msgspec.UNSET:
            venue[field] = value
    _check_venue(venue["name"], venue["kind"], venue["address"], venue["meeting_url"])
    row = await conn.fetchrow(
        queries.UPDATE_VENUE, venue_id, venue["name"], venue["kind"], venue["address"], venue["meeting_url"],
        venue["accessibility"],
    )  # fmt: skip
    shown = ("name", "kind", "address", "meeting_url")  # what invites and feeds put in LOCATION
    if any(current[k] != row[k] for k in shown):
        now = clock.now()
        for series in await conn.fetch(queries.REISSUE_SERIES_AT_VENUE, venue_id, now):
            await record(conn, SeriesChanged(series_id=series["id"], group_id=series["group_id"]))
        for event in await conn.fetch(queries.REISSUE_EVENTS_AT_VENUE, venue_id, now):
            await record(conn, EventChanged(event_id=event["id"], invite_changed=True))
    return VenueOut(**dict(row))


async def list_venues(
    conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, limit: int, cursor: str | None
) -> Page[VenueOut]:
    roles = await require_member(conn, org_id, actor_id)
    if not roles.intersection(("admin", "coordinator", "facilitator")):
        raise Forbidden(_("venue details are for staff and facilitators"))
    (after_id,) = decode_cursor(cursor, tuple[UUID]) or (None,)
    rows = await conn.fetch(queries.LIST_VENUES, org_id, after_id, limit + 1)
    return page_of([VenueOut(**dict(r)) for r in rows], limit, lambda v: (v.id,))


async def org_by_slug(conn: asyncpg.Connection, slug: str) -> PublicOrg:
    """What anyone may see of an organization, by its slug; 404 when there is none."""
    row = await conn.fetchrow(queries.PUBLIC_ORG_BY_SLUG, slug)
    if row is None:
        raise NotFound(_("no such organization"))
    return PublicOrg(**dict(row))


async def public_org(conn: asyncpg.Connection, org_id: UUID) -> PublicOrg:
    """The same by id, for pages of things the reader may already see (a group, a session)."""
    row = await conn.fetchrow(queries.PUBLIC_ORG, org_id)
    if row is None:
        raise NotFound(_("no such organization"))
    return PublicOrg(**dict(row))


async def my_orgs(conn: asyncpg.Connection, user_id: UUID) -> list[MyOrg]:
    """The organizations the person belongs to, with their roles."""
    return [MyOrg(id=r["id"], slug=r["slug"], name=r["name"], roles=list(r["roles"]))
            for r in await conn.fetch(queries.MY_ORGS, user_id)]
