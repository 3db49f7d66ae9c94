from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from coord.auth.schemas import DisplayName, Email, Password
from coord.kernel.types import TimezoneName
from coord.orgs.schemas import Role

Roles = Annotated[list[Role], msgspec.Meta(min_length=1, max_length=5)]
InvitationStatus = Literal["pending", "accepted", "revoked", "expired", "already_member"]


class InvitationIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    roles: Roles
    display_name: DisplayName | None = None


class InvitationOut(msgspec.Struct):
    """`already_member`: the address is a member with these roles already (nothing was sent;
    no id, no expiry)."""

    id: UUID | None
    email: str
    roles: list[str]
    status: InvitationStatus
    expires_at: datetime | None
    display_name: str | None = None
    sent_at: datetime | None = None


class InvitationList(msgspec.Struct):
    items: list[InvitationOut]


class ImportRow(msgspec.Struct, omit_defaults=True):
    line: int
    email: str
    outcome: Literal["invited", "already_member", "invalid", "not_invited"]
    reason: str | None = None


class ImportReport(msgspec.Struct):
    """`applied`: whether anything was invited (false: a file with invalid rows, not confirmed)."""

    rows: list[ImportRow]
    invited: int
    skipped: int
    invalid: int
    applied: bool


class InvitationView(msgspec.Struct):
    """What the link shows (GET /invitations/{token})."""

    org_name: str
    org_slug: str
    roles: list[str]
    email: str
    account_exists: bool
    expires_at: datetime
    org_timezone: str  # a new account's timezone unless the person chooses another


class AcceptIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new person: their name and a password. A person with an account sends neither and
    signs in (Bearer) as the invited address."""

    display_name: DisplayName | None = None
    password: Password | None = None
    timezone: TimezoneName | None = None  # a new person's; the organization's when not given


class AcceptedOut(msgspec.Struct):
    org_id: UUID
    org_slug: str
    user_id: UUID
    roles: list[str]
    access_token: str | None = None
    token_type: Literal["bearer"] = "bearer"
    expires_in: int | None = None
