"""Invitations by email (issue 14): an admin or coordinator invites an address with roles,
whether or not it has an account; the link /invitations/T (14 days, once) lets the person
accept: a new person sets a name and a password (their address is confirmed by the act), a
person with an account signs in and accepts.

The token is the account links' (coord.auth.tokens): HMAC(COORD_SECRET_KEY, nonce); the row
keeps the nonce and the token's SHA-256 only, the event `InvitationSent` names the row, and
the job that mails it derives the link from the row. A resend draws a new nonce: the link
mailed before stops working. Runs inside the caller's transaction.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from coord.i18n import gettext as _
from coord.auth import recovery
from coord.auth import service as auth_service
from coord.auth.schemas import RegisterIn
from coord.auth.tokens import LinkInvalid, derive, hash_token
from coord.kernel import clock
from coord.kernel.access import STAFF, CurrentUser, require_role
from coord.kernel.audit import audit
from coord.kernel.config import Settings
from coord.kernel.errors import Conflict, FieldError, Forbidden, NotFound, Unprocessable
from coord.orgs import invitation_queries as q
from coord.orgs import queries
from coord.orgs.invitation_schemas import AcceptIn, InvitationIn, InvitationOut, InvitationView
from coord.outbox.domain_events import InvitationSent, MemberAdded
from coord.outbox.record import record

VALID_FOR = timedelta(days=14)
# How long an invitation stays on the organization's list once accepted, withdrawn or expired;
# after that the daily purge deletes it: the address of someone who never joined is personal
# data coord has no use for, and who joined is kept in the audit log and the membership.
SETTLED_KEPT_FOR = timedelta(days=90)
PAGE = "/invitations"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_link(secret: str) -> tuple[bytes, bytes]:
    """(nonce, the hash of the token derived from it)."""
    nonce = secrets.token_bytes(32)
    return nonce, hash_token(derive(secret, nonce))


def out(row: asyncpg.Record) -> InvitationOut:
    return InvitationOut(id=row["id"], email=row["email"], roles=list(row["roles"]), status=row["status"],
                         expires_at=row["expires_at"], display_name=row["display_name"], sent_at=row["sent_at"])


async def require_inviter(conn: asyncpg.Connection, org_id: UUID, actor_id: UUID, roles: list[str]) -> None:
    actor_roles = await require_role(conn, org_id, actor_id, STAFF)
    if "admin" in roles and "admin" not in actor_roles:
        raise Forbidden(_("only an admin can make someone an admin"))


async def invite(conn: asyncpg.Connection, settings: Settings, actor_id: UUID, org_id: UUID,
                 data: InvitationIn) -> tuple[InvitationOut, bool]:
    """Invite an address (or renew its open invitation, roles merged). Returns (the
    invitation, whether anything was sent): a member who has these roles already is a no-op."""
    roles = sorted(set(data.roles))
    await require_inviter(conn, org_id, actor_id, roles)
    email = data.email.strip()
    member = await conn.fetchrow(q.MEMBERS_BY_EMAIL, org_id, [email.lower()])
    if member is not None and member["roles"] is not None and set(roles) <= set(member["roles"]):
        return InvitationOut(id=None, email=email, roles=list(member["roles"]), status="already_member",
                             expires_at=None), False
    return await _invite(conn, settings, actor_id, org_id, email, roles, data.display_name), True


async def _invite(conn: asyncpg.Connection, settings: Settings, actor_id: UUID, org_id: UUID, email: str,
                  roles: list[str], display_name: str | None) -> InvitationOut:
    now = clock.now()
    nonce, token_hash = new_link(settings.secret_key)
    row = await conn.fetchrow(q.UPSERT_INVITATION, org_id, now, email, roles, display_name, actor_id, nonce,
                              token_hash, now + VALID_FOR)
    await record(conn, InvitationSent(invitation_id=row["id"], org_id=org_id))
    await audit(conn, org_id, actor_id, "org.invited", "invitation", row["id"], {"roles": list(row["roles"])})
    return out(row)


async def add_or_invite(conn: asyncpg.Connection, settings: Settings, actor_id: UUID, org_id: UUID, email: str,
                        roles: list[str]) -> InvitationOut | None:
    """POST /orgs/{id}/members for an address without a confirmed account: the invitation it
    sends instead (None: the address has a confirmed account, add it as before)."""
    await require_inviter(conn, org_id, actor_id, roles)
    account = await conn.fetchrow(q.MEMBERS_BY_EMAIL, org_id, [email.strip().lower()])
    if account is not None and account["confirmed"]:
        return None
    return await _invite(conn, settings, actor_id, org_id, email.strip(), sorted(set(roles)), None)


async def list_invitations(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID) -> list[InvitationOut]:
    """Pending (and expired, not yet renewed) first, then those accepted or revoked lately."""
    await require_role(conn, org_id, actor_id, STAFF)
    now = clock.now()
    return [out(r) for r in await conn.fetch(q.LIST_INVITATIONS, org_id, now, now - SETTLED_KEPT_FOR)]


async def purge_settled(conn: asyncpg.Connection) -> int:
    """Delete invitations accepted, withdrawn or expired more than SETTLED_KEPT_FOR ago; how many."""
    status = await conn.execute(q.PURGE_SETTLED, clock.now() - SETTLED_KEPT_FOR)
    return int(status.split()[-1])


async def _open_invitation(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, invitation_id: UUID) -> asyncpg.Record:
    await require_role(conn, org_id, actor_id, STAFF)
    row = await conn.fetchrow(q.LOCK_INVITATION, invitation_id, clock.now(), org_id)
    if row is None:
        raise NotFound(_("no such invitation"))
    if row["status"] in ("accepted", "revoked"):
        raise Conflict(_("this invitation is accepted already") if row["status"] == "accepted"
                       else _("this invitation is revoked already"))
    return row


async def revoke(conn: asyncpg.Connection, actor_id: UUID, org_id: UUID, invitation_id: UUID) -> None:
    """The link stops working; a later invitation of the address is a new one."""
    row = await _open_invitation(conn, actor_id, org_id, invitation_id)
    await conn.execute(q.REVOKE, row["id"], clock.now())
    await audit(conn, org_id, actor_id, "org.invitation_revoked", "invitation", row["id"], {})


async def resend(conn: asyncpg.Connection, settings: Settings, actor_id: UUID, org_id: UUID,
                 invitation_id: UUID) -> InvitationOut:
    """A new link (the one mailed before stops working), valid 14 days from now."""
    row = await _open_invitation(conn, actor_id, org_id, invitation_id)
    now = clock.now()
    nonce, token_hash = new_link(settings.secret_key)
    await conn.execute(q.RENEW, row["id"], nonce, token_hash, now, now + VALID_FOR)
    await record(conn, InvitationSent(invitation_id=row["id"], org_id=org_id))
    return out(await conn.fetchrow(q.INVITATION, row["id"], now, org_id))


async def _by_token(conn: asyncpg.Connection, token: str, *, lock: bool) -> asyncpg.Record:
    row = None
    if _TOKEN_RE.match(token):
        row = await conn.fetchrow(q.LOCK_BY_TOKEN_HASH if lock else q.BY_TOKEN_HASH, hash_token(token), clock.now())
    if row is None:
        raise LinkInvalid(_("this invitation link is not valid: check that you copied all of it, or ask the "
                          "person who invited you to send it again"))
    if row["status"] == "accepted":
        raise LinkInvalid(_("this invitation has already been accepted (each link works once): sign in at /login"))
    if row["status"] == "revoked":
        raise LinkInvalid(_("this invitation was withdrawn: ask the organization if you should still join"))
    if row["status"] == "expired":
        raise LinkInvalid(_("this invitation has expired (it worked for 14 days): ask the person who invited "
                          "you to send it again"))
    return row


async def view(conn: asyncpg.Connection, token: str) -> InvitationView:
    """What the link is for; changes nothing."""
    row = await _by_token(conn, token, lock=False)
    return InvitationView(org_name=row["org_name"], org_slug=row["org_slug"], roles=list(row["roles"]),
                          email=row["email"], account_exists=row["account_id"] is not None,
                          expires_at=row["expires_at"], org_timezone=row["org_timezone"])


@dataclass(frozen=True)
class Accepted:
    org_id: UUID
    org_slug: str
    user_id: UUID
    roles: list[str]
    created_account: bool


async def _join(conn: asyncpg.Connection, row: asyncpg.Record, user_id: UUID) -> Accepted:
    member = await conn.fetchrow(queries.ADD_MEMBER, row["org_id"], user_id, list(row["roles"]))
    if member["inserted"]:
        await record(conn, MemberAdded(org_id=row["org_id"], user_id=user_id))
    await conn.execute(q.ACCEPT, row["id"], clock.now(), user_id)
    await audit(conn, row["org_id"], user_id, "org.invitation_accepted", "invitation", row["id"],
                {"roles": list(row["roles"])})
    return Accepted(row["org_id"], row["org_slug"], user_id, list(member["roles"]), False)


async def accept_new(conn: asyncpg.Connection, token: str, data: AcceptIn) -> Accepted:
    """A new person: an account, confirmed (the link reached the address), and the membership."""
    row = await _by_token(conn, token, lock=True)
    if row["account_id"] is not None:
        raise Conflict(_("an account uses this address already: sign in with it to accept"),
                       errors=[FieldError("email", _("already registered"))])
    errors = [FieldError(f, _("required")) for f in ("display_name", "password") if not getattr(data, f)]
    if errors:
        raise Unprocessable(_("choose your name and a password"), errors=errors)
    assert data.display_name is not None and data.password is not None
    # Times in their mail and pages are in the organization's zone unless they chose their own.
    data_in = RegisterIn(email=row["email"], password=data.password, display_name=data.display_name,
                         timezone=data.timezone or row["org_timezone"])
    user = await auth_service.register(conn, data_in, confirmed=True)
    joined = await _join(conn, row, user.id)
    return Accepted(joined.org_id, joined.org_slug, user.id, joined.roles, True)


async def accept_existing(conn: asyncpg.Connection, token: str, user: CurrentUser) -> Accepted:
    """A person with an account, signed in as the invited address."""
    row = await _by_token(conn, token, lock=True)
    if row["account_id"] != user.id:
        raise Forbidden(_("this invitation is for another address: sign in as %(email)s to accept it") % {"email": row['email']})
    if not row["account_confirmed"]:
        await recovery.confirm_address(conn, user.id)
    return await _join(conn, row, user.id)


@dataclass(frozen=True)
class InvitationMail:
    """An invitation still to mail, with its link."""

    id: UUID
    org_id: UUID
    to: str
    org_name: str
    org_contact: str
    inviter_name: str | None
    roles: list[str]
    display_name: str | None
    url: str
    expires_at: datetime


async def pending_mail(conn: asyncpg.Connection, settings: Settings, invitation_id: UUID) -> InvitationMail | None:
    """The invitation as it is to be mailed now, or None when it is accepted, revoked or expired."""
    row = await conn.fetchrow(q.TO_MAIL, invitation_id, clock.now())
    if row is None or row["status"] != "pending":
        return None
    url = f"{settings.base_url}{PAGE}/{derive(settings.secret_key, bytes(row['nonce']))}"
    return InvitationMail(row["id"], row["org_id"], row["email"], row["org_name"], row["org_contact"],
                          row["inviter_name"], list(row["roles"]), row["display_name"], url, row["expires_at"])
