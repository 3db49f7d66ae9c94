"""Per-object access: another organization's object is 404, a missing role 403.

Every service that loads an object by id checks the caller's roles in the
object's organization through these helpers, so the rule lives in one place.
"""

from __future__ import annotations

from typing import Iterable
from uuid import UUID

import asyncpg
import msgspec

from coord.i18n import N_, gettext as _
from coord.kernel.errors import Forbidden, NotFound


class CurrentUser(msgspec.Struct, frozen=True):
    """Who is calling: resolved from the bearer token on every request."""

    id: UUID
    email: str
    display_name: str
    timezone: str
    email_confirmed: bool = True  # False until the address's link is used (pages remind them)


ROLES = ("admin", "coordinator", "facilitator", "volunteer", "participant")
STAFF = ("admin", "coordinator")
# The roles named in the reader's words (the same msgids as web/words.py's, so translated once).
_ROLE_WORDS = {"participant": N_("participant"), "volunteer": N_("volunteer"), "facilitator": N_("facilitator"),
               "coordinator": N_("coordinator"), "admin": N_("admin")}

ORG_ROLES = "SELECT roles FROM org_members WHERE org_id = $1 AND user_id = $2"


async def org_roles(conn: asyncpg.Connection, org_id: UUID, user_id: UUID) -> set[str]:
    roles = await conn.fetchval(ORG_ROLES, org_id, user_id)
    return set(roles or ())


async def require_member(conn: asyncpg.Connection, org_id: UUID, user_id: UUID, what: str = "organization") -> set[str]:
    """Roles of a member; a non-member learns nothing (404)."""
    roles = await org_roles(conn, org_id, user_id)
    if not roles:
        raise NotFound(_("no such event") if what == "event" else _("no such organization"))
    return roles


async def require_role(
    conn: asyncpg.Connection, org_id: UUID, user_id: UUID, allowed: Iterable[str], what: str = "organization"
) -> set[str]:
    roles = await require_member(conn, org_id, user_id, what)
    check_roles(roles, allowed)
    return roles


def check_roles(roles: Iterable[str] | None, allowed: Iterable[str]) -> None:
    """403 unless `roles` (already loaded, e.g. with a locked row) hold one of `allowed`."""
    allowed = tuple(allowed)
    if not set(roles or ()).intersection(allowed):
        raise Forbidden(_("this needs one of the roles: %(roles)s") % {"roles": _(", ").join(_(_ROLE_WORDS.get(r, r)) for r in allowed)})
