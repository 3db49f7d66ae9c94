"""The HSDS 3.0 shapes coord accepts (Open Referral, https://docs.openreferral.org), as
msgspec Structs: the official service and organization shapes with what they nest, and the
flat rows of the CSV data package (the same Structs: their foreign keys are optional fields).

Fields coord does not keep (contacts, funding, programs, required documents, metadata...)
are ignored. Dates are ISO 8601; numbers may come as text (CSV) when read with strict=False.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

import msgspec

Id = Annotated[str, msgspec.Meta(min_length=1, max_length=250)]
Text = Annotated[str, msgspec.Meta(max_length=20_000)]
Number = int | float


class Language(msgspec.Struct, kw_only=True):
    id: Id
    name: Text | None = None
    code: Text | None = None
    note: Text | None = None
    service_id: Id | None = None
    location_id: Id | None = None
    phone_id: Id | None = None


class Phone(msgspec.Struct, kw_only=True):
    id: Id
    number: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    extension: Number | str | None = None
    type: Text | None = None
    description: Text | None = None
    languages: list[Language] = []
    organization_id: Id | None = None
    service_id: Id | None = None
    location_id: Id | None = None
    service_at_location_id: Id | None = None
    contact_id: Id | None = None


class Schedule(msgspec.Struct, kw_only=True):
    id: Id
    valid_from: date | None = None
    valid_to: date | None = None
    dtstart: date | None = None
    timezone: Number | None = None
    until: date | None = None
    count: int | None = None
    wkst: Text | None = None
    freq: Text | None = None
    interval: int | None = None
    byday: Text | None = None
    byweekno: Text | None = None
    bymonthday: Text | None = None
    byyearday: Text | None = None
    description: Text | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    schedule_link: Text | None = None
    attending_type: Text | None = None
    notes: Text | None = None
    service_id: Id | None = None
    location_id: Id | None = None
    service_at_location_id: Id | None = None


class Address(msgspec.Struct, kw_only=True):
    id: Id
    address_1: Text
    city: Text
    state_province: Text
    postal_code: Text
    country: Text
    address_type: Text = "physical"
    attention: Text | None = None
    address_2: Text | None = None
    region: Text | None = None
    location_id: Id | None = None


class Accessibility(msgspec.Struct, kw_only=True):
    id: Id
    description: Text | None = None
    details: Text | None = None
    url: Text | None = None
    location_id: Id | None = None


class Taxonomy(msgspec.Struct, kw_only=True):
    id: Id
    name: Text
    description: Text | None = None
    uri: Text | None = None
    version: Text | None = None


class TaxonomyTerm(msgspec.Struct, kw_only=True):
    id: Id
    name: Text
    code: Text | None = None
    description: Text | None = None
    parent_id: Id | None = None
    taxonomy: Text | None = None
    taxonomy_detail: Taxonomy | None = None
    taxonomy_id: Id | None = None
    language: Text | None = None
    term_uri: Text | None = None


class Attribute(msgspec.Struct, kw_only=True):
    id: Id
    taxonomy_term_id: Id | None = None
    taxonomy_term: TaxonomyTerm | None = None
    link_id: Id | None = None
    link_type: Text | None = None
    link_entity: Text | None = None
    value: Text | None = None


class Location(msgspec.Struct, kw_only=True):
    id: Id
    location_type: Text = "physical"
    url: Text | None = None
    organization_id: Id | None = None
    name: Text | None = None
    alternate_name: Text | None = None
    description: Text | None = None
    transportation: Text | None = None
    latitude: Number | None = None
    longitude: Number | None = None
    external_identifier: Text | None = None
    external_identifier_type: Text | None = None
    languages: list[Language] = []
    addresses: list[Address] = []
    phones: list[Phone] = []
    schedules: list[Schedule] = []
    accessibility: list[Accessibility] = []
    attributes: list[Attribute] = []


class ServiceAtLocation(msgspec.Struct, kw_only=True):
    id: Id
    service_id: Id | None = None
    location_id: Id | None = None
    description: Text | None = None
    phones: list[Phone] = []
    schedules: list[Schedule] = []
    location: Location | None = None
    attributes: list[Attribute] = []


class CostOption(msgspec.Struct, kw_only=True):
    id: Id
    valid_from: date | None = None
    valid_to: date | None = None
    option: Text | None = None
    currency: Text | None = None
    amount: Number | None = None
    amount_description: Text | None = None
    service_id: Id | None = None


class ServiceArea(msgspec.Struct, kw_only=True):
    id: Id
    name: Text | None = None
    description: Text | None = None
    extent: Text | None = None
    extent_type: Text | None = None
    uri: Text | None = None
    service_id: Id | None = None


class Service(msgspec.Struct, kw_only=True):
    id: Id
    name: Text
    organization_id: Id | None = None
    alternate_name: Text | None = None
    description: Text | None = None
    url: Text | None = None
    email: Text | None = None
    status: Text = "active"
    interpretation_services: Text | None = None
    application_process: Text | None = None
    fees_description: Text | None = None
    wait_time: Text | None = None
    fees: Text | None = None
    accreditations: Text | None = None
    eligibility_description: Text | None = None
    minimum_age: Number | None = None
    maximum_age: Number | None = None
    assured_date: date | None = None
    assurer_email: Text | None = None
    licenses: Text | None = None
    alert: Text | None = None
    last_modified: datetime | None = None
    phones: list[Phone] = []
    schedules: list[Schedule] = []
    service_areas: list[ServiceArea] = []
    service_at_locations: list[ServiceAtLocation] = []
    languages: list[Language] = []
    organization: Organization | None = None
    cost_options: list[CostOption] = []
    attributes: list[Attribute] = []


class Organization(msgspec.Struct, kw_only=True):
    id: Id
    name: Text
    alternate_name: Text | None = None
    description: Text | None = None
    email: Text | None = None
    website: Text | None = None
    tax_status: Text | None = None
    tax_id: Text | None = None
    year_incorporated: Number | None = None
    legal_status: Text | None = None
    logo: Text | None = None
    uri: Text | None = None
    parent_organization_id: Id | None = None
    phones: list[Phone] = []
    locations: list[Location] = []
    services: list[Service] = []
    attributes: list[Attribute] = []


STATUSES = ("active", "inactive", "defunct", "temporarily closed")
