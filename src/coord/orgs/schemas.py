from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from coord.auth.schemas import Email
from coord.orgs.crisis import CrisisLine

Role = Literal["admin", "coordinator", "facilitator", "volunteer", "participant"]
Slug = Annotated[str, msgspec.Meta(min_length=2, max_length=64, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=2000)]
Url = Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^https?://\S+$")]


class OrgIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    slug: Slug
    timezone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    contact_email: Email


class OrgOut(msgspec.Struct):
    id: UUID
    name: str
    slug: str
    timezone: str
    contact_email: str
    created_at: datetime
    cancellation_cutoff_hours: int
    reminder_lead_minutes: int
    retention_months: int
    crisis_resources: str
    roster_weekday: int  # ISO: 1 = Monday
    roster_hour: int
    digest_hour: int  # the staff's daily digest goes at this hour, in its timezone
    followup_delay_minutes: int  # attendance follow-ups go this long after a session ends
    default_locale: str | None = None  # the language for its people who chose none; null: English
    volunteer_hour_value: float = 34.79  # what an hour of volunteer time is worth in reports (USD)
    volunteer_hour_value_year: int = 2024  # the year of that figure
    referral_checkin_days: int = 7  # a referral's check-in goes this many days after it
    # Its crisis lines with the languages each serves (coord's defaults until it sets its own).
    crisis_lines: list[CrisisLine] = []


class OrgSettingsIn(msgspec.Struct, forbid_unknown_fields=True):
    """What an admin may change; every field optional."""

    name: Name | None = None
    contact_email: Email | None = None
    timezone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    cancellation_cutoff_hours: Annotated[int, msgspec.Meta(ge=0, le=24 * 30)] | None = None
    reminder_lead_minutes: Annotated[int, msgspec.Meta(ge=0, le=60 * 24 * 14)] | None = None
    retention_months: Annotated[int, msgspec.Meta(ge=1, le=120)] | None = None
    crisis_resources: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)] | None = None
    roster_weekday: Annotated[int, msgspec.Meta(ge=1, le=7, description="ISO weekday, 1 = Monday")] | None = None
    roster_hour: Annotated[int, msgspec.Meta(ge=0, le=23)] | None = None
    digest_hour: Annotated[int, msgspec.Meta(
        ge=0, le=23, description="The hour, in the organization's timezone, its coordinators' and admins' daily "
                                 "digest goes out (default 8)")] | None = None
    followup_delay_minutes: Annotated[int, msgspec.Meta(
        ge=0, le=60 * 24 * 7, description="How long after a session ends its attendance follow-ups go (0: at once)",
    )] | None = None
    default_locale: Annotated[str, msgspec.Meta(
        min_length=2, max_length=35, examples=["es"],
        description="The language of pages and messages for its people whose profile and browser name none coord "
                    "speaks (one of coord's languages: en, es, ar)",
    )] | None = None
    volunteer_hour_value: Annotated[float, msgspec.Meta(
        ge=0, le=10000, examples=[34.79],
        description="What an hour of volunteer time is worth in reports (default: Independent Sector's 2024 "
                    "figure for the United States, $34.79)",
    )] | None = None
    volunteer_hour_value_year: Annotated[int, msgspec.Meta(
        ge=1990, le=2100, description="The year of that figure, shown beside it")] | None = None
    referral_checkin_days: Annotated[int, msgspec.Meta(
        ge=1, le=90, description="How many days after a referral its check-in asks 'Did you get connected?'")] | None = None
    crisis_lines: Annotated[list[CrisisLine], msgspec.Meta(
        max_length=20, description="Its crisis lines, each with the languages it serves (ISO 639); every page and "
                                   "message shows the reader's language's first. [] restores coord's defaults "
                                   "(988 and Crisis Text Line, in English and Spanish).")] | None = None


class AuditEntryOut(msgspec.Struct):
    id: int
    actor_id: UUID | None
    action: str
    subject_type: str
    subject_id: UUID | None
    detail: dict
    at: datetime


class DeliveryOut(msgspec.Struct):
    id: UUID
    kind: str
    status: str
    attempts: int
    last_error: str | None
    user_id: UUID | None
    event_id: UUID | None
    updated_at: datetime


class MemberIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    roles: Annotated[list[Role], msgspec.Meta(min_length=1, max_length=5)]


class RolesIn(msgspec.Struct, forbid_unknown_fields=True):
    """A member's roles, replacing the ones they have (leaving is DELETE)."""

    roles: Annotated[list[Role], msgspec.Meta(min_length=1, max_length=5)]


class MemberOut(msgspec.Struct):
    org_id: UUID
    user_id: UUID
    roles: list[str]
    display_name: str | None = None


class VenueIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    kind: Literal["in_person", "virtual"]
    address: Text | None = None
    meeting_url: Url | None = None
    accessibility: Text | None = None


class VenuePatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only what is given changes; null clears address, meeting_url or accessibility."""

    name: Name | None = None
    kind: Literal["in_person", "virtual"] | None = None
    address: Text | None | msgspec.UnsetType = msgspec.UNSET
    meeting_url: Url | None | msgspec.UnsetType = msgspec.UNSET
    accessibility: Text | None | msgspec.UnsetType = msgspec.UNSET


class VenueOut(msgspec.Struct):
    id: UUID
    org_id: UUID
    name: str
    kind: str
    address: str | None
    meeting_url: str | None
    accessibility: str | None


class PublicOrg(msgspec.Struct):
    """What anyone may see of an organization (its pages name it, its crisis line)."""

    id: UUID
    name: str
    slug: str
    timezone: str
    contact_email: str
    crisis_resources: str
    crisis_lines: list[CrisisLine] | None = None  # as stored (None: coord's defaults); see orgs.crisis


class MyOrg(msgspec.Struct):
    """An organization one person belongs to, with their roles there."""

    id: UUID
    slug: str
    name: str
    roles: list[str]
