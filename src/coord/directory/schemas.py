from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec

from coord.directory.bundle import Problem

ImportStatus = Literal["queued", "running", "applied", "rejected", "dry_run", "failed"]


class Written(msgspec.Struct):
    """Rows new, rewritten because they changed (or came back), left alone because unchanged,
    and marked inactive because a full import's file no longer holds them."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0


class Progress(msgspec.Struct):
    """A running import's entries written so far, of the entries its file holds."""

    done: int = 0
    total: int = 0


class ImportOut(msgspec.Struct):
    """One import. `queued`, then `running`: a worker applies it (large files, or
    `background`), `progress` says how far; `failed`: the worker could not finish (`error`),
    nothing was written. `rejected`: a record is wrong, so nothing was written (the problems say
    which record, which field and what is wrong); `dry_run`: checked, nothing written.
    `counts`: the entries the file holds, by HSDS table."""

    id: UUID | None
    source: str
    format: Literal["json", "csv"]
    status: ImportStatus
    full: bool
    records: int
    counts: dict[str, int]
    written: Written
    problems: list[Problem]
    warnings: list[Problem]
    created_at: datetime
    progress: Progress = msgspec.field(default_factory=Progress)
    error: str | None = None
    finished_at: datetime | None = None


class ImportSummary(msgspec.Struct):
    """One past import, for the list of an organization's imports."""

    id: UUID
    source: str
    format: str
    status: ImportStatus
    records: int
    progress: Progress
    created_at: datetime
    finished_at: datetime | None


class LocationPatch(msgspec.Struct, forbid_unknown_fields=True):
    confidential: bool


class ServicePatch(msgspec.Struct, forbid_unknown_fields=True):
    """`group_id`: the coord group this service is (one of the organization's), or null to unlink."""

    group_id: UUID | None


class PhoneView(msgspec.Struct):
    number: str
    extension: str | None = None
    type: str | None = None


class LanguageView(msgspec.Struct):
    code: str | None
    name: str | None


class LocationView(msgspec.Struct):
    id: UUID
    name: str | None
    description: str | None
    latitude: float | None
    longitude: float | None
    address_1: str | None
    address_2: str | None
    city: str | None
    state_province: str | None
    postal_code: str | None
    country: str | None
    last_verified: date | None
    active: bool
    confidential: bool  # only staff of the curating organization ever read one that is


class ServiceView(msgspec.Struct):
    id: UUID
    name: str
    description: str | None
    status: str
    url: str | None
    email: str | None
    minimum_age: float | None
    maximum_age: float | None
    organization_name: str
    last_verified: date | None
    active: bool
    group_id: UUID | None
    phones: list[PhoneView]
    languages: list[LanguageView]
    locations: list[LocationView]


class Place(msgspec.Struct):
    """Where a search is near: the point the distances are from."""

    latitude: float
    longitude: float
    label: str


class ResourceAddress(msgspec.Struct):
    address_1: str
    address_2: str | None
    city: str | None
    state_province: str | None
    postal_code: str | None
    country: str | None


class ResourcePhone(msgspec.Struct):
    number: str
    extension: str | None
    tel: str  # a tel: link


class ResourceResult(msgspec.Struct):
    """One service found. `distance_km`: to its nearest public location (null without `near`);
    `open_now`: null when its hours are not known; `address`: its nearest public location's
    (never a confidential one's)."""

    id: UUID
    name: str
    description: str | None
    organization_name: str
    url: str | None
    email: str | None
    distance_km: float | None
    open_now: bool | None
    address: ResourceAddress | None
    phones: list[ResourcePhone]
    languages: list[str]
    accessibility: list[str]
    cost: list[str]
    free: bool
    last_verified: date | None
    group_id: UUID | None


class ResourceSearch(msgspec.Struct):
    total: int
    page: int
    per_page: int
    near: Place | None
    results: list[ResourceResult]


ReportProblem = Literal["phone", "address", "hours", "closed", "other"]


class ReportIn(msgspec.Struct, forbid_unknown_fields=True):
    """What is wrong: the phone number, the address, the hours, it has closed, or something
    else (then say what in `message`)."""

    problem: ReportProblem
    message: str | None = None


class ReportOut(msgspec.Struct):
    id: UUID
    service_id: UUID
    service_name: str
    problem: ReportProblem
    message: str | None
    created_at: datetime
    resolved_at: datetime | None


class StaleEntry(msgspec.Struct):
    service_id: UUID
    name: str
    last_verified: date | None


class ReportQueue(msgspec.Struct):
    """Open reports, oldest first; services not verified for six months."""

    reports: list[ReportOut]
    stale: list[StaleEntry]
