from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
TimezoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


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
