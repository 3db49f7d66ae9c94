from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
TimezoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
# A BCP 47 language tag: "es", "ar", "pt-BR".
Locale = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$", max_length=35,
                                     examples=["es"])]
# What a link in an email carries (shorter or longer ones are answered like unknown ones).
LinkToken = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class RegisterIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    display_name: DisplayName
    timezone: TimezoneName | None = None


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=1, max_length=254)]
    password: Password


class UserOut(msgspec.Struct):
    id: UUID
    email: str
    display_name: str
    email_confirmed: bool = False  # until the link mailed to the address is used


class TokenOut(msgspec.Struct):
    access_token: str
    expires_in: int
    token_type: Literal["bearer"] = "bearer"


class MembershipOut(msgspec.Struct):
    org_id: UUID
    org_slug: str
    roles: list[str]


class MeOut(msgspec.Struct):
    id: UUID
    email: str
    display_name: str
    timezone: str
    memberships: list[MembershipOut]
    locale: str | None = None  # the preferred language; null: not chosen
    email_confirmed: bool = True
    pending_email: str | None = None  # asked to move to this address; not confirmed by it yet


class ConfirmEmailIn(msgspec.Struct, forbid_unknown_fields=True):
    token: LinkToken


class EmailOnlyIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email


class PasswordResetIn(msgspec.Struct, forbid_unknown_fields=True):
    token: LinkToken
    password: Password


class ProfileIn(msgspec.Struct, forbid_unknown_fields=True):
    """Only what is given changes; `locale: null` clears the choice (pages then follow the browser)."""

    display_name: DisplayName | None = None
    timezone: TimezoneName | None = None
    locale: Locale | None | msgspec.UnsetType = msgspec.UNSET


class EmailChangeIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email  # the new address
    password: Password  # the current password


class EmailChangeOut(msgspec.Struct):
    pending_email: str
    expires_at: datetime


class PasswordChangeIn(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Password
    new_password: Password
