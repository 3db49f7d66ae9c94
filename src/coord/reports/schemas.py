"""What a report answers: aggregates only, never a row per person. A count of people is an int,
"1-10" when small, or null when hidden to protect another (see suppression.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Union
from uuid import UUID

import msgspec

Count = Union[int, str, None]
Unit = Literal["month", "quarter"]


class ReportAttendanceOut(msgspec.Struct):
    present: Count
    absent: Count
    excused: Count


class ReportPeriodOut(msgspec.Struct):
    period: str  # "2026-03", or "2026-Q1"
    starts_on: date
    ends_on: date  # the last day of the period
    sessions_held: int
    sessions_cancelled: int
    attendance: ReportAttendanceOut
    unique_participants: Count
    new_participants: Count
    returning_participants: Count
    returned_from_last_rate: float | None  # of last period's participants, the share who came this period
    participants_by_language: dict[str, Count]
    facilitator_places_needed: int
    facilitator_places_filled: int
    coverage_rate: float | None
    # Volunteering and events are the organization's: null in a facilitator's report.
    volunteer_hours_approved: float | None
    volunteer_hours_pending: float | None
    volunteer_value: float | None
    volunteers_active: Count
    shift_places: int | None
    shift_places_filled: int | None
    shift_fill_rate: float | None
    no_show_rate: float | None
    events_held: int | None
    events_cancelled: int | None
    event_registrations: Count


class ReportReferralRowOut(msgspec.Struct):
    category: str
    by_outcome: dict[str, Count]
    total: Count


class ReportReferralsOut(msgspec.Struct):
    outcomes: list[str]
    rows: list[ReportReferralRowOut]
    by_outcome: dict[str, Count]
    total: Count


class ReportSuppressionOut(msgspec.Struct):
    rule: str
    threshold: int  # counts from 1 to this are shown as shown_as
    shown_as: str


class OrgReportOut(msgspec.Struct):
    org_id: UUID
    org_name: str
    period: Unit
    from_: str = msgspec.field(name="from")
    to: str = ""
    timezone: str = "UTC"
    scope: Literal["organization", "own_groups"] = "organization"
    group_id: UUID | None = None
    group_name: str | None = None
    language: str | None = None
    event_kind: str | None = None
    volunteer_hour_value: float = 34.79
    volunteer_hour_value_year: int = 2024
    periods: list[ReportPeriodOut] = []
    referrals: ReportReferralsOut | None = None  # referrals made in the whole range
    suppression: ReportSuppressionOut | None = None
    generated_at: datetime | None = None
