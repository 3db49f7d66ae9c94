"""From HSDS records to rows: every entity of a file once, keyed by its table and the id the
source gave it, with its references to others by those ids, and what is wrong with it.

Both readers (JSON and the CSV package) feed the same `Bundle`: the JSON shapes nest their
children (the owner is the context), the CSV rows name their owners in foreign-key columns.
An entity met twice (HSDS examples repeat a phone under a service, its location and a
contact) is one row linked to each owner it was met under.
"""

from __future__ import annotations

from typing import Any

import msgspec

from coord.directory import hsds

# The typed columns of each table (besides provenance), in the order of insertion: a
# table's references point to tables before it. Reference columns end with _id.
TABLES: dict[str, tuple[str, ...]] = {
    "organizations": ("name", "description", "website", "email"),
    "taxonomies": ("name", "description", "uri", "version", "attribution"),
    "taxonomy_terms": ("taxonomy_id", "taxonomy", "parent_id", "code", "name", "description", "language"),
    "services": ("organization_id", "name", "description", "status", "url", "email", "minimum_age", "maximum_age"),
    "locations": ("organization_id", "name", "description", "location_type", "latitude", "longitude",
                  "confidential"),
    "service_at_locations": ("service_id", "location_id", "description"),
    "addresses": ("location_id", "address_type", "address_1", "address_2", "city", "region", "state_province",
                  "postal_code", "country"),
    "phones": ("organization_id", "service_id", "location_id", "service_at_location_id", "number", "extension",
               "type", "description"),
    "schedules": ("service_id", "location_id", "service_at_location_id", "freq", "byday", "opens_at", "closes_at",
                  "description"),
    "languages": ("service_id", "location_id", "phone_id", "name", "code", "note"),
    "accessibility": ("location_id", "description", "details", "url"),
    "cost_options": ("service_id", "option", "currency", "amount"),
    "service_areas": ("service_id", "name", "description"),
    "attributes": ("taxonomy_term_id", "link_entity", "link_id", "link_type", "value"),
}
# What each reference column points to; `link_id` depends on the attribute's link_entity.
REFERENCES = {
    "organization_id": "organizations", "service_id": "services", "location_id": "locations",
    "service_at_location_id": "service_at_locations", "phone_id": "phones", "taxonomy_id": "taxonomies",
    "taxonomy_term_id": "taxonomy_terms",
}
LINK_ENTITIES = {"organization": "organizations", "service": "services", "location": "locations",
                 "service_at_location": "service_at_locations"}
# Required owners: a row without one is refused.
REQUIRED = {
    "services": ("organization_id",), "service_at_locations": ("service_id", "location_id"),
    "addresses": ("location_id",), "accessibility": ("location_id",), "cost_options": ("service_id",),
    "service_areas": ("service_id",), "attributes": ("taxonomy_term_id", "link_id"),
}
_NOT_DATA = {"id", "parent_id", "link_id", "contact_id", "parent_organization_id", *REFERENCES}
CONFIDENTIAL_CODE = "confidential"


class Problem(msgspec.Struct):
    """What is wrong with one record, in plain words."""

    record: str
    message: str
    field: str | None = None
    id: str | None = None


class Row(msgspec.Struct):
    external_id: str
    cols: dict[str, Any]
    refs: dict[str, str]  # reference column -> the external id it points to
    data: dict[str, Any]
    where: str
    parent_ext: str | None = None  # a term's parent term


class Bundle:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Row]] = {t: {} for t in TABLES}
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.records = 0

    def problem(self, where: str, message: str, field: str | None = None, id: str | None = None) -> None:
        self.problems.append(Problem(where, message, field, id))

    def add(self, table: str, item: msgspec.Struct, where: str, owners: dict[str, str] | None = None,
            **cols: Any) -> Row:
        raw = {k: v for k, v in msgspec.to_builtins(item).items() if v is not None}
        typed = TABLES[table]
        refs = {c: raw[c] for c in typed if c in REFERENCES and c in raw}
        for column, ext in (owners or {}).items():
            refs.setdefault(column, ext)
        values = {c: raw.get(c) for c in typed if c not in REFERENCES and c != "link_id"}
        values.update(cols)
        if "extension" in values and values["extension"] is not None:
            values["extension"] = str(values["extension"])
        data = {k: v for k, v in raw.items() if k not in _NOT_DATA and k not in typed and not isinstance(v, (list, dict))}
        found = self.rows[table].get(item.id)  # type: ignore[attr-defined]
        if found is not None:
            for column, ext in refs.items():
                found.refs.setdefault(column, ext)
            return found
        row = Row(item.id, values, refs, data, where, raw.get("parent_id"))  # type: ignore[attr-defined]
        self.rows[table][row.external_id] = row
        return row

    def check(self, existing: dict[str, set[str]]) -> None:
        """Every reference resolves (in the file, or already in the directory from this source),
        every required owner is there, and attributes whose term is `confidential` make their
        location confidential."""
        for table, rows in self.rows.items():
            for row in rows.values():
                for column in REQUIRED.get(table, ()):
                    if column not in row.refs:
                        self.problem(row.where, f"a {_one(table)} must name its {_one(REFERENCES.get(column, 'link'))}",
                                     column, row.external_id)
                for column, ext in row.refs.items():
                    target = target_of(row, column)
                    if target is None:
                        self.problem(row.where, f"link_entity must be one of: {', '.join(LINK_ENTITIES)}",
                                     "link_entity", row.external_id)
                    elif ext not in self.rows[target] and ext not in existing.get(target, ()):
                        self.problem(row.where, f"it names the {_one(target)} {ext!r}, which is neither in the file "
                                     "nor in the directory", column, row.external_id)
        for attribute in self.rows["attributes"].values():
            term = self.rows["taxonomy_terms"].get(attribute.refs.get("taxonomy_term_id", ""))
            if (term is not None and (term.cols.get("code") or "").strip().lower() == CONFIDENTIAL_CODE
                    and attribute.cols.get("link_entity") == "location"):
                location = self.rows["locations"].get(attribute.refs.get("link_id", ""))
                if location is not None:
                    location.cols["confidential"] = True

    def counts(self) -> dict[str, int]:
        return {t: len(rows) for t, rows in self.rows.items() if rows}


def target_of(row: Row, column: str) -> str | None:
    if column == "link_id":
        return LINK_ENTITIES.get(row.cols.get("link_entity") or "")
    return REFERENCES[column]


def _one(table: str) -> str:
    return {"accessibility": "accessibility entry", "taxonomies": "taxonomy", "addresses": "address",
            "service_at_locations": "service at a location", "link": "linked entry",
            "taxonomy_terms": "taxonomy term"}.get(table, table.rstrip("s").replace("_", " "))


# The nested JSON shapes, walked with their owners as context.

def add_organization(b: Bundle, org: hsds.Organization, where: str) -> None:
    b.add("organizations", org, where)
    for phone in org.phones:
        add_phone(b, phone, where, {"organization_id": org.id})
    for location in org.locations:
        add_location(b, location, where, {"organization_id": org.id})
    for service in org.services:
        add_service(b, service, where, org.id)
    for attribute in org.attributes:
        add_attribute(b, attribute, where, "organization", org.id)


def add_service(b: Bundle, service: hsds.Service, where: str, org_ext: str | None = None) -> None:
    if service.status not in hsds.STATUSES:
        b.problem(where, f"status must be one of: {', '.join(hsds.STATUSES)}", "status", service.id)
    if service.organization is not None:
        add_organization(b, service.organization, where)
        org_ext = service.organization.id
    owners = {"organization_id": org_ext} if org_ext else {}
    b.add("services", service, where, owners, last_verified=service.assured_date)
    mine = {"service_id": service.id}
    _children(b, where, mine, phones=service.phones, schedules=service.schedules, languages=service.languages,
              service_areas=service.service_areas, cost_options=service.cost_options)
    for at in service.service_at_locations:
        owners = dict(mine)
        if at.location is not None:
            add_location(b, at.location, where, {"organization_id": org_ext} if org_ext else {})
            owners["location_id"] = at.location.id
        b.add("service_at_locations", at, where, owners)
        _children(b, where, {"service_at_location_id": at.id}, phones=at.phones, schedules=at.schedules)
        for attribute in at.attributes:
            add_attribute(b, attribute, where, "service_at_location", at.id)
    for attribute in service.attributes:
        add_attribute(b, attribute, where, "service", service.id)


def add_location(b: Bundle, location: hsds.Location, where: str, owners: dict[str, str]) -> None:
    lat, lon = location.latitude, location.longitude
    off_earth = (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180)
    if off_earth and location.id not in b.rows["locations"]:
        b.warnings.append(Problem(where, "the coordinates are not on Earth (latitude -90 to 90, longitude "
                                  "-180 to 180): the location is kept without them", "latitude", location.id))
    if off_earth:
        lat = lon = None
    b.add("locations", location, where, owners, latitude=lat, longitude=lon, confidential=False)
    _children(b, where, {"location_id": location.id}, phones=location.phones, schedules=location.schedules,
              languages=location.languages, addresses=location.addresses, accessibility=location.accessibility)
    for attribute in location.attributes:
        add_attribute(b, attribute, where, "location", location.id)


def _children(b: Bundle, where: str, owners: dict[str, str], phones: list[hsds.Phone] = (),  # type: ignore[assignment]
              **tables: list[Any]) -> None:
    """What an entity nests, linked to it (`owners`): phones with their languages, then the
    other tables by name (schedules, languages, addresses...)."""
    for phone in phones:
        add_phone(b, phone, where, owners)
    for table, items in tables.items():
        for item in items:
            b.add(table, item, where, owners)


def add_phone(b: Bundle, phone: hsds.Phone, where: str, owners: dict[str, str]) -> None:
    b.add("phones", phone, where, owners)
    for language in phone.languages:
        b.add("languages", language, where, {"phone_id": phone.id})


def add_term(b: Bundle, term: hsds.TaxonomyTerm, where: str) -> None:
    owners = {}
    if term.taxonomy_detail is not None:
        b.add("taxonomies", term.taxonomy_detail, where)
        owners["taxonomy_id"] = term.taxonomy_detail.id
    b.add("taxonomy_terms", term, where, owners)


def add_attribute(b: Bundle, attribute: hsds.Attribute, where: str, entity: str | None, link_ext: str | None) -> None:
    owners: dict[str, str] = {}
    if attribute.taxonomy_term is not None:
        add_term(b, attribute.taxonomy_term, where)
        owners["taxonomy_term_id"] = attribute.taxonomy_term.id
    if link_ext is not None:
        owners["link_id"] = link_ext
    elif attribute.link_id is not None:
        owners["link_id"] = attribute.link_id
    b.add("attributes", attribute, where, owners, link_entity=entity or attribute.link_entity)
