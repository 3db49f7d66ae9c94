"""Joining through a group's invitation link (issue 15): a person who is not yet a member of
the group's organization becomes one (as a participant) and asks to join the group in the
same step; a member only asks to join. Both need a confirmed address, as joining a group
always does. The link itself is coord.groups.links. Runs inside the caller's transaction.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from coord.auth.gate import require_confirmed_email
from coord.groups import links
from coord.groups.schemas import LinkJoinOut
from coord.kernel.access import org_roles
from coord.kernel.audit import audit
from coord.orgs import queries
from coord.outbox.domain_events import MemberAdded
from coord.outbox.record import record

LINK_ROLES = ["participant"]  # what joining an organization through a group's link makes you


async def join_through_link(conn: asyncpg.Connection, token: str, user_id: UUID) -> tuple[LinkJoinOut, bool]:
    """Ask to join the link's group (joining its organization first when needed). Returns
    (the membership, whether anything was created)."""
    link = await links.view(conn, token)
    await require_confirmed_email(conn, user_id)
    org_joined = False
    if not await org_roles(conn, link.org_id, user_id):
        row = await conn.fetchrow(queries.ADD_MEMBER, link.org_id, user_id, LINK_ROLES)
        org_joined = bool(row["inserted"])
        if org_joined:
            await record(conn, MemberAdded(org_id=link.org_id, user_id=user_id))
            await audit(conn, link.org_id, user_id, "org.joined_by_group_link", "group", link.group_id,
                        {"roles": LINK_ROLES})
    membership, created = await links.join_by_link(conn, token, user_id)
    out = LinkJoinOut(membership.group_id, membership.user_id, membership.role, membership.status, org_joined)
    return out, created or org_joined
