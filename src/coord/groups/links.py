"""A group's invitation link (issue 15): the coordinators of a private or unlisted group make
a link, copy it from the group's page and revoke it. Whoever opens /groups/join/T sees the
group's name and may ask to join (coord.orgs.group_links also makes them a member of the
organization), where the group itself would be "not found" to them.

The token is the account links' (coord.auth.tokens): HMAC(COORD_SECRET_KEY, nonce). The row
keeps the nonce, so staff can be shown the link again, and the token's SHA-256, which an
opened link is looked up by; a copy of the database alone makes no working link. Revoking
ends a link for good (a new one has a new nonce), and an archived group's link opens nothing.
Runs inside the caller's transaction.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from uuid import UUID

import asyncpg

from coord.auth.tokens import LinkInvalid, derive, hash_token
from coord.groups import queries
from coord.groups.schemas import GroupLinkView, InviteLinkOut, JoinOut
from coord.groups.service import GroupAccess, group_out, load_group, request_membership, require_running
from coord.kernel import clock
from coord.kernel.audit import audit
from coord.kernel.config import Settings
from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel.errors import Conflict, Forbidden, NotFound

PAGE = "/groups/join"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
INVALID = N_("this link does not open a group (it may have been withdrawn, or the group has closed): "
              "ask whoever gave it to you for a new one")


def link_url(settings: Settings, nonce: bytes) -> str:
    return f"{settings.base_url}{PAGE}/{derive(settings.secret_key, bytes(nonce))}"


def _out(settings: Settings, nonce: bytes, created_at: datetime) -> InviteLinkOut:
    return InviteLinkOut(url=link_url(settings, nonce), created_at=created_at)


async def _staff_access(conn: asyncpg.Connection, actor_id: UUID, group_id: UUID) -> GroupAccess:
    access = await load_group(conn, group_id, actor_id)
    if not access.is_staff:
        raise Forbidden(_("only coordinators and admins manage a group's invitation link"))
    return access


async def get_link(conn: asyncpg.Connection, settings: Settings, actor_id: UUID, group_id: UUID) -> InviteLinkOut | None:
    """The group's live link, or None (staff)."""
    await _staff_access(conn, actor_id, group_id)
    row = await conn.fetchrow(queries.LIVE_LINK, group_id)
    return _out(settings, row["nonce"], row["created_at"]) if row else None


async def create_link(
    conn: asyncpg.Connection, settings: Settings, actor_id: UUID, group_id: UUID
) -> tuple[InviteLinkOut, bool]:
    """The group's link: its live one, or a new one. Returns (the link, whether it is new)."""
    access = await _staff_access(conn, actor_id, group_id)
    if access.group.visibility == "public":
        raise Conflict(_("a public group needs no invitation link: anyone can find it and ask to join from its "
                         "page, so share the page's address"))
    require_running(access.group, "new members")
    row = await conn.fetchrow(queries.LIVE_LINK, group_id)
    if row is not None:
        return _out(settings, row["nonce"], row["created_at"]), False
    nonce = secrets.token_bytes(32)
    row = await conn.fetchrow(queries.INSERT_LINK, group_id, nonce, hash_token(derive(settings.secret_key, nonce)),
                              actor_id, clock.now())
    if row is None:  # a concurrent request made it first
        row = await conn.fetchrow(queries.LIVE_LINK, group_id)
        return _out(settings, row["nonce"], row["created_at"]), False
    await audit(conn, access.group.org_id, actor_id, "group.link_created", "group", group_id)
    return _out(settings, row["nonce"], row["created_at"]), True


async def revoke_link(conn: asyncpg.Connection, actor_id: UUID, group_id: UUID) -> None:
    """The link stops working at once; people who joined through it stay."""
    access = await _staff_access(conn, actor_id, group_id)
    if await conn.fetchrow(queries.REVOKE_LINK, group_id, clock.now()) is None:
        raise NotFound(_("this group has no invitation link"))
    await audit(conn, access.group.org_id, actor_id, "group.link_revoked", "group", group_id)


async def _by_token(conn: asyncpg.Connection, token: str) -> asyncpg.Record:
    row = await conn.fetchrow(queries.GROUP_BY_LINK, hash_token(token)) if _TOKEN_RE.match(token) else None
    if row is None:
        raise LinkInvalid(_(INVALID))
    return row


async def view(conn: asyncpg.Connection, token: str) -> GroupLinkView:
    """What the link opens, for anyone (changes nothing); 400 when it opens nothing."""
    return GroupLinkView(**dict(await _by_token(conn, token)))


async def join_by_link(conn: asyncpg.Connection, token: str, user_id: UUID) -> tuple[JoinOut, bool]:
    """The person asks to join the link's group (or joins it, when anyone may): the link stands
    in for the group's visibility. They must be a member of its organization already
    (coord.orgs.group_links makes them one). Returns (membership, created)."""
    link = await _by_token(conn, token)
    row = await conn.fetchrow(queries.GET_GROUP, link["group_id"], user_id)
    if not await conn.fetchval(queries.ORG_ROLES, link["org_id"], user_id):
        raise Forbidden(_("join %(org)s first, then ask to join the group") % {"org": link["org_name"]})
    return await request_membership(conn, group_out(row), user_id, row["my_role"], row["my_status"])
