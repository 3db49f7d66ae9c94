"""Export everything held about a person; erase them; expire old attendance."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from coord.i18n import gettext as _
from coord.kernel import clock
from coord.auth.account_cache import account_changed
from coord.kernel.errors import NotFound
from coord.orgs.offboarding import EVERYTHING, release
from coord.privacy import queries
from coord.referrals import service as referrals

SECTIONS = {
    "organizations": queries.ORG_MEMBERSHIPS,
    "groups": queries.GROUP_MEMBERSHIPS,
    "attendance": queries.MY_ATTENDANCE,
    "facilitated_sessions": queries.MY_FACILITATIONS,
    "rsvps": queries.MY_RSVPS,
    "shift_signups": queries.MY_SIGNUPS,
    "event_registrations": queries.MY_REGISTRATIONS,
    "trainings": queries.MY_TRAININGS,
    "calendar_feeds": queries.MY_FEEDS,
    "messages": queries.MY_DELIVERIES,
    "email_links": queries.MY_EMAIL_LINKS,
    "audited_actions": queries.MY_AUDITED_ACTIONS,
}


def _plain(row: asyncpg.Record) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in dict(row).items()}


async def _audit(conn: asyncpg.Connection, user_id: UUID, action: str, detail: str) -> None:
    org_ids = [r["org_id"] for r in await conn.fetch(queries.MY_ORG_IDS, user_id)] or [None]
    await conn.execute(queries.AUDIT, org_ids, user_id, action, detail)


async def export(conn: asyncpg.Connection, user_id: UUID) -> dict[str, Any]:
    profile = await conn.fetchrow(queries.PROFILE, user_id)
    if profile is None:
        raise NotFound(_("no such account"))
    data: dict[str, Any] = {"exported_at": clock.now(), "profile": _plain(profile)}
    for name, query in SECTIONS.items():
        data[name] = [_plain(r) for r in await conn.fetch(query, user_id)]
    prefs = await conn.fetchrow(queries.MY_PREFS, user_id)
    data["notification_settings"] = _plain(prefs) if prefs else None
    data["referrals"] = await referrals.export(conn, user_id)  # with their history and consents
    await _audit(conn, user_id, "user.export", '{"sections": %d}' % (len(SECTIONS) + 3))
    return data


async def erase(conn: asyncpg.Connection, user_id: UUID) -> list[bytes]:
    """Identity gone, places given up (waitlists move on), attendance anonymized,
    future messages stopped, login impossible: all in one transaction. Returns the
    hashes of the feeds it deleted, whose cached renders the caller drops after commit."""
    await _audit(conn, user_id, "user.erase", "{}")
    # What they hold ahead goes as when leaving an organization, in every one at once: the
    # same rule (waitlists move on, facilitations become coverage gaps, feeds stop).
    _unused, feed_hashes = await release(conn, user_id, user_id, None, EVERYTHING)
    for statement in queries.ERASE_RELATED:
        await conn.execute(statement, user_id)
    await referrals.erase(conn, user_id)
    await conn.execute(queries.ERASE_IDENTITY, user_id)
    await account_changed(conn, user_id)
    return feed_hashes


async def expire_attendance(conn: asyncpg.Connection, now: datetime | None = None) -> int:
    now = now or clock.now()
    removed = 0
    for row in await conn.fetch(queries.EXPIRED_ATTENDANCE, now):
        await conn.execute(queries.AUDIT_RETENTION, row["org_id"], row["removed"])
        removed += row["removed"]
    await conn.execute(queries.EXPIRED_FOLLOWUPS, now)
    # Referrals are kept as long as attendance is, counted from their last change.
    for row in await referrals.expire(conn, now):
        await conn.execute(queries.AUDIT_REFERRAL_RETENTION, row["org_id"], row["removed"])
    return removed
