"""Request and response shapes of referrals, their history and the person's consents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from coord.kernel.types import ShortText

# FHIR SDOH's vocabulary (ServiceRequest/Task status), plus Task's `failed`: tried, and it
# did not work out (the check-in's "it did not work out").
Status = Literal["requested", "accepted", "declined", "cancelled", "completed", "failed", "entered-in-error"]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
# What a person may share with the receiving organization, fact by fact.
Fact = Literal["name", "email", "language", "timezone", "note"]
CheckinAnswer = Literal["connected", "not_yet", "did_not_work"]
CHECKIN_ANSWERS: tuple[str, ...] = CheckinAnswer.__args__  # type: ignore[attr-defined]
Note = Annotated[str, msgspec.Meta(max_length=1000)]


class ReferralIn(msgspec.Struct, forbid_unknown_fields=True):
    """A referral to a directory service (`service_id`) or to a coord group (`group_id`): one of them."""

    person_id: UUID
    service_id: UUID | None = None
    group_id: UUID | None = None
    note: Note | None = None


class StatusIn(msgspec.Struct, forbid_unknown_fields=True):
    status: Status
    note: Note | None = None


class ConsentIn(msgspec.Struct, forbid_unknown_fields=True):
    """The person's consent: to whom, which facts, for what, until when (a day ahead, at most a year)."""

    share_with: ShortText
    fields: Annotated[list[Fact], msgspec.Meta(min_length=1, max_length=5)]
    purpose: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    until: date


class CheckinIn(msgspec.Struct, forbid_unknown_fields=True):
    answer: CheckinAnswer


class CreatedOut(msgspec.Struct):
    id: UUID
    status: Status


class HistoryOut(msgspec.Struct):
    from_status: Status | None
    to_status: Status
    at: datetime
    by: Literal["person", "referrer", "staff", "coord"]  # who, as the reader may know them
    actor_id: UUID | None
    note: str | None = None


class ConsentOut(msgspec.Struct):
    id: UUID
    share_with: str
    fields: list[Fact]
    purpose: str
    until: date
    created_at: datetime
    revoked_at: datetime | None = None


class ReferralOut(msgspec.Struct):
    """A referral as the person or the referrer sees it (no one else sees a name)."""

    id: UUID
    org_id: UUID
    org_name: str
    status: Status
    person_id: UUID
    person_name: str | None
    referrer_id: UUID | None
    referrer_name: str | None
    service_id: UUID | None
    service_name: str | None
    group_id: UUID | None
    group_name: str | None
    category: str | None
    note: str | None
    created_at: datetime
    updated_at: datetime
    checkin_due_at: datetime
    checkin_answer: CheckinAnswer | None = None
    history: list[HistoryOut] = []
    consents: list[ConsentOut] = []


# A count of people as coord.reports.suppression shows it: the number, "1-10" when it is
# from 1 to 10, or null when hidden so that a total or another cell cannot give a small one away.
Count = int | str | None


class ReferralCountRowOut(msgspec.Struct):
    category: str | None
    by_outcome: dict[str, Count]
    total: Count


class ReferralSuppressionOut(msgspec.Struct):
    rule: str
    threshold: int  # counts from 1 to this are shown as shown_as
    shown_as: str


class OrgReferralsOut(msgspec.Struct):
    """An organization's referrals: counts by category and outcome (no names), suppressed like
    the reports' (CMS cell-size rule), and the reader's own referrals in full."""

    outcomes: list[Status]
    rows: list[ReferralCountRowOut]
    by_outcome: dict[str, Count]
    total: Count
    suppression: ReferralSuppressionOut
    mine: list[ReferralOut]


class SharedOut(msgspec.Struct):
    """What the receiving organization may be told now, under a live consent: only its facts."""

    referral_id: UUID
    share_with: str
    purpose: str
    until: date
    facts: dict[str, str | None]
