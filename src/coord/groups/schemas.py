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


class GroupPatch(msgspec.Struct, forbid_unknown_fields=True):
    """PATCH /groups/{id}: only what is given changes; null clears an optional field.
    `archived: true` archives the group (its sessions ahead are cancelled, its members told,
    no new sessions); `false` reopens it."""

    name: ShortText | msgspec.UnsetType = msgspec.UNSET
    format: GroupFormat | msgspec.UnsetType = msgspec.UNSET
    visibility: Visibility | msgspec.UnsetType = msgspec.UNSET
    join_policy: JoinPolicy | msgspec.UnsetType = msgspec.UNSET
    description: LongText | None | msgspec.UnsetType = msgspec.UNSET
    topic: ShortText | None | msgspec.UnsetType = msgspec.UNSET
    audience: ShortText | None | msgspec.UnsetType = msgspec.UNSET
    languages: Annotated[list[Language], msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    capacity: Annotated[int, msgspec.Meta(ge=1, le=10_000)] | None | msgspec.UnsetType = msgspec.UNSET
    facilitators_required: Annotated[int, msgspec.Meta(ge=0, le=50)] | msgspec.UnsetType = msgspec.UNSET
    venue_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    timezone: TimezoneName | msgspec.UnsetType = msgspec.UNSET
    discreet_title: ShortText | None | msgspec.UnsetType = msgspec.UNSET
    archived: bool | msgspec.UnsetType = msgspec.UNSET


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
    # When staff archived it (no new sessions, hidden from listings); None while it runs.
    archived_at: datetime | None = None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


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


class InviteLinkOut(msgspec.Struct):
    """A group's invitation link: whoever opens it may ask to join (and join the organization)."""

    url: str
    created_at: datetime


class GroupLinkView(msgspec.Struct):
    """What a group's invitation link shows anyone who opens it."""

    group_id: UUID
    group_name: str
    description: str | None
    join_policy: str
    org_id: UUID
    org_name: str
    org_slug: str


class LinkJoinOut(JoinOut):
    """Asking to join through a group's invitation link."""

    org_joined: bool = False  # they became a member of the group's organization too
