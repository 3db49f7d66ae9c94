"""Referrals: the rules (who may refer whom, to what; who may move a referral where; consent
before anything is shared), inside the caller's transaction.

A facilitator or coordinator refers a person they serve (a member of their organization,
for its coordinators and admins; of their group, for its facilitators) to a directory
service or to a coord group. The person and the referrer read the referral with names; the
organization's coordinators count referrals by category and outcome, and never read whose
they are. Nothing about the person leaves coord unless they consent, fact by fact, to whom,
for what and until when; a consent is revocable and every step of it is audited.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from coord.i18n import gettext as _
from coord.groups import service as groups_service
from coord.kernel import clock
from coord.kernel.access import STAFF, org_roles
from coord.kernel.audit import audit
from coord.kernel.errors import Conflict, Forbidden, NotFound, Unprocessable
from coord.outbox.domain_events import ReferralChanged, ReferralMade
from coord.outbox.record import record
from coord.referrals import queries
from coord.referrals.schemas import (
    STATUSES,
    CheckinAnswer,
    ConsentIn,
    ConsentOut,
    ReferralCountRowOut,
    CreatedOut,
    HistoryOut,
    OrgReferralsOut,
    ReferralIn,
    ReferralOut,
    SharedOut,
    StatusIn,
    ReferralSuppressionOut,
)
from coord.reports.suppression import RULE, SMALL, THRESHOLD, Table, suppress

GROUP_CATEGORY = "support group"
OPEN = ("requested", "accepted")  # still going somewhere: the check-in asks about these
# What the person may do with their referral: to -> from which statuses.
PERSON_MOVES: dict[str, tuple[str, ...]] = {
    "accepted": ("requested", "failed"),
    "declined": ("requested", "accepted"),
    "completed": ("requested", "accepted", "failed"),
    "failed": ("requested", "accepted"),
}
# What the referrer and the organization's coordinators may do.
STAFF_MOVES: dict[str, tuple[str, ...]] = {
    "cancelled": OPEN,
    "entered-in-error": ("requested", "accepted", "declined", "cancelled", "completed", "failed"),
}
# The check-in's answers, as a status (None: it stays as it is).
CHECKIN_STATUS: dict[str, str | None] = {"connected": "completed", "not_yet": None, "did_not_work": "failed"}
MAX_CONSENT = timedelta(days=366)


# --- making a referral ----------------------------------------------------------------


async def refer(conn: asyncpg.Connection, actor_id: UUID, data: ReferralIn) -> CreatedOut:
    if (data.service_id is None) == (data.group_id is None):
        raise Unprocessable(_("refer to a directory service (service_id) or to a group (group_id): one of them"),
                            field="service_id" if data.service_id is None else "group_id")
    if data.person_id == actor_id:
        raise Unprocessable(_("a referral is for someone you serve, not for yourself"), field="person_id")
    if await conn.fetchrow(queries.PERSON, data.person_id) is None:
        raise NotFound(_("no such person"))
    serving = [r["org_id"] for r in await conn.fetch(queries.ORGS_SERVING, actor_id, data.person_id)]
    if not serving:
        if not await conn.fetchval(queries.SHARES_AN_ORG, actor_id, data.person_id):
            raise NotFound(_("no such person"))
        raise Forbidden(_("only a coordinator of the person's organization, or a facilitator of their group, "
                        "refers them"))
    if data.group_id is not None:
        group = await conn.fetchrow(queries.GROUP, data.group_id)
        if group is None or group["org_id"] not in serving:
            raise NotFound(_("no such group"))  # another organization's group is not one to refer to
        if group["archived_at"] is not None:
            raise Conflict(_("this group is archived, so it takes no new members"), slug="group-archived")
        org_id, category = group["org_id"], GROUP_CATEGORY
    else:
        service = await conn.fetchrow(queries.SERVICE, data.service_id)
        if service is None:
            raise NotFound(_("no such directory service"))
        org_id = service["org_id"] if service["org_id"] in serving else serving[0]
        category = service["category"]
    now = clock.now()
    days = await conn.fetchval(queries.CHECKIN_DAYS, org_id)
    note = data.note.strip() if data.note and data.note.strip() else None
    row = await conn.fetchrow(queries.INSERT_REFERRAL, org_id, data.person_id, actor_id, data.service_id,
                              data.group_id, note, category, now + timedelta(days=days), now)
    await conn.execute(queries.INSERT_EVENT, row["id"], actor_id, None, "requested", None, now)
    await record(conn, ReferralMade(referral_id=row["id"], person_id=data.person_id))
    await audit(conn, org_id, actor_id, "referral.made", "referral", row["id"])
    return CreatedOut(row["id"], row["status"])


# --- reading ----------------------------------------------------------------------------


def _by(actor_id: UUID | None, row: Any) -> str:
    if actor_id is None:
        return "coord"
    if actor_id == row["person_id"]:
        return "person"
    return "referrer" if actor_id == row["referrer_id"] else "staff"


async def _outs(conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[ReferralOut]:
    ids = [r["id"] for r in rows]
    history: dict[UUID, list[asyncpg.Record]] = defaultdict(list)
    consents: dict[UUID, list[ConsentOut]] = defaultdict(list)
    for h in await conn.fetch(queries.HISTORY, ids):
        history[h["referral_id"]].append(h)
    for c in await conn.fetch(queries.CONSENTS, ids):
        consents[c["referral_id"]].append(_consent(c))
    return [
        ReferralOut(**dict(r), history=[
            HistoryOut(h["from_status"], h["to_status"], h["at"], _by(h["actor_id"], r), h["actor_id"], h["note"])
            for h in history[r["id"]]], consents=consents[r["id"]])
        for r in rows
    ]


def _consent(row: asyncpg.Record) -> ConsentOut:
    return ConsentOut(row["id"], row["share_with"], list(row["fields"]), row["purpose"], row["until"],
                      row["created_at"], row["revoked_at"])


async def my_referrals(conn: asyncpg.Connection, user_id: UUID) -> list[ReferralOut]:
    """The person's own referrals, newest first, with their history and consents."""
    return await _outs(conn, await conn.fetch(queries.OF_PERSON, user_id))


async def get_referral(conn: asyncpg.Connection, actor_id: UUID, referral_id: UUID) -> ReferralOut:
    """One referral, for the person or the referrer; anyone else finds nothing."""
    row = await conn.fetchrow(queries.ONE, referral_id)
    if row is None or actor_id not in (row["person_id"], row["referrer_id"]):
        raise NotFound(_("no such referral"))
    return (await _outs(conn, [row]))[0]


async def org_referrals(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID) -> OrgReferralsOut:
    """Coordinators and admins: the organization's counts by category and outcome; facilitators:
    the counts of their own referrals. Either reads, in full, only the referrals they made."""
    roles = await org_roles(conn, org_id, actor_id)
    if not roles:
        raise NotFound(_("no such organization"))
    staff = bool(roles.intersection(STAFF))
    if not staff and "facilitator" not in roles:
        raise Forbidden(_("referrals are counted for coordinators, admins and facilitators"))
    rows = await conn.fetch(queries.COUNTS, org_id, None if staff else actor_id)
    mine = await _outs(conn, await conn.fetch(queries.BY_REFERRER, org_id, actor_id))
    return _counted(rows, mine)


# Outcomes counted (entered in error is no referral, as in the reports).
OUTCOMES: tuple[str, ...] = tuple(s for s in STATUSES if s != "entered-in-error")


def _counted(rows: list[asyncpg.Record], mine: list[ReferralOut]) -> OrgReferralsOut:
    """The category x outcome table through the one suppression rule (coord.reports.suppression):
    1 to 10 shows as "1-10", and what could give one away (a total, a cell) is hidden too."""
    n = {(r["category"], r["status"]): r["count"] for r in rows}
    categories = sorted({r["category"] for r in rows}, key=lambda c: (c is None, c or ""))
    rule = ReferralSuppressionOut(rule=RULE, threshold=THRESHOLD, shown_as=SMALL)
    if not categories:
        return OrgReferralsOut(list(OUTCOMES), [], {o: 0 for o in OUTCOMES}, 0, rule, mine)  # type: ignore[arg-type]
    out = suppress(Table([[n.get((c, o), 0) for o in OUTCOMES] for c in categories]))
    return OrgReferralsOut(
        outcomes=list(OUTCOMES),  # type: ignore[arg-type]
        rows=[ReferralCountRowOut(category=c, by_outcome=dict(zip(OUTCOMES, out.cells[i])), total=out.row_totals[i])
              for i, c in enumerate(categories)],
        by_outcome=dict(zip(OUTCOMES, out.col_totals)), total=out.grand_total, suppression=rule, mine=mine)


# --- changing a referral ------------------------------------------------------------------


async def _locked(conn: asyncpg.Connection, actor_id: UUID, referral_id: UUID) -> tuple[asyncpg.Record, str]:
    """The referral (locked) and who the actor is to it: person, referrer or staff; 404 for anyone else."""
    row = await conn.fetchrow(queries.LOCK, referral_id)
    if row is None:
        raise NotFound(_("no such referral"))
    if actor_id == row["person_id"]:
        return row, "person"
    if actor_id == row["referrer_id"]:
        return row, "referrer"
    if (await org_roles(conn, row["org_id"], actor_id)).intersection(STAFF):
        return row, "staff"
    raise NotFound(_("no such referral"))


async def _move(conn: asyncpg.Connection, row: asyncpg.Record, actor_id: UUID | None, to: str,
                note: str | None, now: datetime) -> None:
    await conn.execute(queries.SET_STATUS, row["id"], to, now)
    await conn.execute(queries.INSERT_EVENT, row["id"], actor_id, row["status"], to, note, now)
    await record(conn, ReferralChanged(referral_id=row["id"], status=to, by_person=actor_id == row["person_id"]))
    # A referral to a group is an invitation to it: accepting it (or saying it is done) joins.
    if row["group_id"] is not None and to in ("accepted", "completed") and actor_id == row["person_id"]:
        await groups_service.accept_invitation(conn, row["group_id"], row["person_id"], row["referrer_id"])


async def change_status(conn: asyncpg.Connection, actor_id: UUID, referral_id: UUID, data: StatusIn) -> CreatedOut:
    """The person accepts, declines, marks done or says it did not work out; the referrer or a
    coordinator cancels it or marks it entered in error. Every change is in its history."""
    row, who = await _locked(conn, actor_id, referral_id)
    if data.status == row["status"]:
        return CreatedOut(row["id"], row["status"])  # said twice: nothing changes
    moves = PERSON_MOVES if who == "person" else STAFF_MOVES
    if data.status not in moves:
        raise Forbidden((_("only the person referred sets a referral to %(status)s") if who != "person" else
                         _("only whoever made the referral, or a coordinator, sets a referral to %(status)s"))
                        % {"status": data.status})
    if row["status"] not in moves[data.status]:
        raise Conflict(_("a referral that is %(status)s cannot become %(new_status)s") % {"status": row["status"], "new_status": data.status}, slug="referral-status")
    note = data.note.strip() if data.note and data.note.strip() else None
    await _move(conn, row, actor_id, data.status, note, clock.now())
    return CreatedOut(row["id"], data.status)  # type: ignore[arg-type]


async def answer_checkin(conn: asyncpg.Connection, actor_id: UUID, referral_id: UUID, answer: CheckinAnswer) -> None:
    """The person's answer to "Did you get connected?": recorded, and the referral follows it
    (connected: completed; it did not work out: failed; not yet: as it is)."""
    row, who = await _locked(conn, actor_id, referral_id)
    if who != "person":
        raise NotFound(_("no such referral"))
    now = clock.now()
    await conn.execute(queries.SET_CHECKIN, referral_id, answer, now)
    to = CHECKIN_STATUS[answer]
    if to is not None and to != row["status"] and row["status"] in PERSON_MOVES[to]:
        await _move(conn, row, actor_id, to, None, now)


# --- consent -----------------------------------------------------------------------------


async def give_consent(conn: asyncpg.Connection, actor_id: UUID, referral_id: UUID, data: ConsentIn) -> ConsentOut:
    """The person's explicit, specific consent; only they give it. Audited (which facts, not their values)."""
    row, who = await _locked(conn, actor_id, referral_id)
    if who != "person":
        raise Forbidden(_("only the person referred consents to sharing anything about them"))
    today = clock.today_in(row["person_timezone"])
    if data.until < today:
        raise Unprocessable(_("a consent ends today at the earliest"), field="until")
    if data.until > today + MAX_CONSENT:
        raise Unprocessable(_("a consent lasts a year at most: give it again later if you still want to"),
                            field="until")
    if row["status"] in ("cancelled", "entered-in-error"):
        raise Conflict(_("this referral was withdrawn: there is nothing to share"), slug="referral-status")
    fields = sorted(set(data.fields))
    out = await conn.fetchrow(queries.INSERT_CONSENT, referral_id, data.share_with.strip(), fields,
                              data.purpose.strip(), data.until, clock.now())
    await audit(conn, row["org_id"], actor_id, "referral.consent_given", "referral", referral_id,
                {"consent_id": str(out["id"]), "fields": fields, "until": data.until.isoformat()})
    return _consent(out)


async def revoke_consent(conn: asyncpg.Connection, actor_id: UUID, referral_id: UUID,
                         consent_id: UUID | None = None) -> int:
    """Revoke one consent (or every one in force): nothing more is shared from now on. Returns how many."""
    row, who = await _locked(conn, actor_id, referral_id)
    if who != "person":
        raise NotFound(_("no such referral"))
    now = clock.now()
    if consent_id is not None:
        if await conn.fetchrow(queries.CONSENT_EXISTS, referral_id, consent_id) is None:
            raise NotFound(_("no such consent"))
        ids = [r["id"] for r in [await conn.fetchrow(queries.REVOKE_CONSENT, referral_id, consent_id, now)] if r]
    else:
        ids = [c["id"] for c in await conn.fetch(queries.LIVE_CONSENTS, referral_id, date.min)]
        for cid in ids:
            await conn.execute(queries.REVOKE_CONSENT, referral_id, cid, now)
    for cid in ids:
        await audit(conn, row["org_id"], actor_id, "referral.consent_revoked", "referral", referral_id,
                    {"consent_id": str(cid)})
    return len(ids)


async def shared(conn: asyncpg.Connection, actor_id: UUID, referral_id: UUID) -> SharedOut:
    """What the referrer (or a coordinator) may pass to the receiving organization: only the facts
    a consent in force names. Without one, nothing (409). Every read is audited."""
    row, who = await _locked(conn, actor_id, referral_id)
    if who == "person":
        raise NotFound(_("no such referral"))
    live = await conn.fetch(queries.LIVE_CONSENTS, referral_id, clock.today_in(row["person_timezone"]))
    if not live:
        raise Conflict(_("the person has not consented to sharing anything (or revoked it): nothing about them "
                       "leaves coord"), slug="no-consent")
    consent = live[0]
    facts_row = await conn.fetchrow(queries.FACTS, referral_id)
    facts = {f: facts_row[f] for f in consent["fields"]}
    await audit(conn, row["org_id"], actor_id, "referral.shared", "referral", referral_id,
                {"consent_id": str(consent["id"]), "fields": list(consent["fields"])})
    return SharedOut(referral_id, consent["share_with"], consent["purpose"], consent["until"], facts)


# --- privacy ---------------------------------------------------------------------------


async def export(conn: asyncpg.Connection, user_id: UUID) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(queries.EXPORT, user_id)]


async def erase(conn: asyncpg.Connection, user_id: UUID) -> None:
    """Their referrals go with their history and consents; those they made keep only their counts."""
    await conn.execute(queries.ERASE, user_id)
    await conn.execute(queries.ERASE_AS_REFERRER, user_id)
    await conn.execute(queries.ERASE_AS_ACTOR, user_id)


async def expire(conn: asyncpg.Connection, now: datetime) -> list[asyncpg.Record]:
    """Referrals untouched for longer than their organization's retention period: (org_id, removed)."""
    return await conn.fetch(queries.EXPIRED, now)
