"""Request and response shapes of support groups and their membership."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from coord.kernel.types import LongText, ShortText, TimezoneName

GroupFormat = Literal["peer_led", "professional_led"]
Visibility = Literal["public", "unlisted", "private"]
JoinPolicy = Literal["open", "approval"]
GroupRole = Literal["facilitator", "participant"]
Language = Annotated[str, msgspec.Meta(min_length=2, max_length=35, description="BCP 47 tag, e.g. en or es-MX")]


class GroupIn(msgspec.Struct, forbid_unknown_fields=True):
    name: ShortText
    format: GroupFormat
    visibility: Visibility
    join_policy: JoinPolicy
    description: LongText | None = None
    topic: ShortText | None = None
    audience: ShortText | None = None
    languages: Annotated[list[Language], msgspec.Meta(max_length=20)] = []
    # Per-session limit on people going; None means no limit.
    capacity: Annotated[int, msgspec.Meta(ge=1, le=10_000)] | None = None
    facilitators_required: Annotated[int, msgspec.Meta(ge=0, le=50)] = 1
    venue_id: UUID | None = None
    timezone: TimezoneName | None = None  # defaults to the organization's
    # Shown instead of the name in invites and feeds in discreet mode ("Tuesday group").
    discreet_title: ShortText | None = None


class GroupOut(msgspec.Struct):
    id: UUID
    org_id: UUID
    name: str
    description: str | None
    topic: str | None
    audience: str | None
    languages: list[str]
    format: str
    visibility: str
    join_policy: str
    capacity: int | None
    facilitators_required: int
    venue_id: UUID | None
    timezone: str
    discreet_title: str | None
    created_at: datetime
    # The caller's own membership in this group, if any.
    my_role: str | None = None
    my_status: str | None = None


class GroupMemberIn(msgspec.Struct, forbid_unknown_fields=True):
    user_id: UUID
    role: GroupRole


class JoinOut(msgspec.Struct):
    group_id: UUID
    user_id: UUID
    role: str
    status: str


class GroupMemberOut(JoinOut):  # a membership as the roster shows it
    display_name: str | None = None
    joined_at: datetime | None = None
