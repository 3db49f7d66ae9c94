"""Reading a file into a Bundle: HSDS 3.0 JSON (a service or an organization, a list of them,
or an HSDS page with `contents`) or the HSDS CSV data package (a folder or a zip of
organizations.csv, services.csv, locations.csv...). Every record is validated against the
HSDS shapes (coord.directory.hsds); what is wrong is said per record, in plain words."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Any, Callable

import msgspec

from coord.i18n import gettext as _
from coord.directory import bundle as bd
from coord.directory import hsds
from coord.kernel.errors import Unprocessable

MAX_BYTES = 64 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
_ORG_KEYS = {"services", "website", "tax_status", "tax_id", "legal_status", "year_incorporated", "locations", "logo",
             "parent_organization_id", "organization_identifiers"}
_SERVICE_KEYS = {"organization", "organization_id", "service_at_locations", "status", "service_areas",
                 "eligibility_description", "cost_options", "fees_description"}
_TYPE_WORDS = {"str": "text", "int": "a whole number", "float": "a number", "int | float": "a number",
               "array": "a list", "object": "an object", "bool": "true or false", "date": "a date (YYYY-MM-DD)",
               "datetime": "a date and time (ISO 8601)", "time": "a time (HH:MM:SS)"}


def plain(error: msgspec.ValidationError) -> tuple[str | None, str]:
    """msgspec's message in plain words, and the field it is about ("phones[0].number")."""
    text = str(error)
    message, _, at = text.partition(" - at `$")
    field = at.rstrip("`").lstrip(".") or None
    if missing := re.match(r"Object missing required field `(\w+)`", message):
        name = missing.group(1)
        return (f"{field}.{name}" if field else name), "is required but missing"
    if expected := re.match(r"Expected `([^`]+)`, got `([^`]+)`", message):
        return field, f"should be {_words(expected.group(1))}, not {_words(expected.group(2))}"
    if message.startswith("Expected `str` of length <="):
        return field, "is too long"
    if message.startswith("Expected `str` of length >="):
        return field, "must not be empty"
    return field, message.replace("`", "'")


def _words(types: str) -> str:
    """`int | float | null` -> 'a number'; `str | null` -> 'text'."""
    kinds = [t for t in types.split(" | ") if t != "null"]
    if set(kinds) == {"int", "float"}:
        return "a number"
    return " or ".join(dict.fromkeys(_TYPE_WORDS.get(k, k) for k in kinds)) or "empty"


def read_json(content: bytes, b: bd.Bundle) -> None:
    try:
        document = msgspec.json.decode(content)
    except msgspec.DecodeError as exc:
        raise Unprocessable(_("the file is not valid JSON (%(error)s)") % {"error": exc}, field="file") from None
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        document = document["contents"]  # an HSDS page (service_list, organization_list)
    records = document if isinstance(document, list) else [document]
    if not records:
        raise Unprocessable(_("the file holds no records"), field="file")
    for number, record in enumerate(records, start=1):
        where = f"record {number}"
        b.records += 1
        if not isinstance(record, dict):
            b.problem(where, "is not an object (a service or an organization)")
            continue
        keys = set(record)
        ident = record.get("id") if isinstance(record.get("id"), str) else None
        if keys & _ORG_KEYS and not keys & {"organization", "organization_id", "service_at_locations"}:
            shape: Any = hsds.Organization
        elif keys & _SERVICE_KEYS:
            shape = hsds.Service
        else:
            b.problem(where, "cannot tell whether this is a service or an organization: give a service its "
                      "organization, or an organization its services or website", id=ident)
            continue
        try:
            item = msgspec.convert(record, shape)
        except msgspec.ValidationError as exc:
            field, message = plain(exc)
            b.problem(where, message, field, ident)
            continue
        where = f"{where} ({shape.__name__.lower()} {item.name!r})"
        if shape is hsds.Organization:
            bd.add_organization(b, item, where)
        else:
            bd.add_service(b, item, where)


# The CSV data package: one file per table, rows naming their owners.
def _row_adders() -> dict[str, tuple[type, Callable[[bd.Bundle, Any, str], None]]]:
    return {
        "organizations.csv": (hsds.Organization, lambda b, x, w: b.add("organizations", x, w)),
        "taxonomies.csv": (hsds.Taxonomy, lambda b, x, w: b.add("taxonomies", x, w)),
        "taxonomy_terms.csv": (hsds.TaxonomyTerm, lambda b, x, w: b.add("taxonomy_terms", x, w)),
        "services.csv": (hsds.Service, lambda b, x, w: bd.add_service(b, x, w, x.organization_id)),
        "locations.csv": (hsds.Location, lambda b, x, w: bd.add_location(b, x, w, {})),
        "service_at_location.csv": (hsds.ServiceAtLocation, lambda b, x, w: b.add("service_at_locations", x, w)),
        "addresses.csv": (hsds.Address, lambda b, x, w: b.add("addresses", x, w)),
        "phones.csv": (hsds.Phone, lambda b, x, w: b.add("phones", x, w)),
        "schedules.csv": (hsds.Schedule, lambda b, x, w: b.add("schedules", x, w)),
        "languages.csv": (hsds.Language, lambda b, x, w: b.add("languages", x, w)),
        "accessibility.csv": (hsds.Accessibility, lambda b, x, w: b.add("accessibility", x, w)),
        "cost_options.csv": (hsds.CostOption, lambda b, x, w: b.add("cost_options", x, w)),
        "service_areas.csv": (hsds.ServiceArea, lambda b, x, w: b.add("service_areas", x, w)),
        "attributes.csv": (hsds.Attribute, lambda b, x, w: bd.add_attribute(b, x, w, None, None)),
    }


def read_csv_package(files: dict[str, bytes], b: bd.Bundle) -> None:
    """`files`: the package's files by name (folders ignored)."""
    adders = _row_adders()
    if not {"organizations.csv", "services.csv"} & set(files):
        raise Unprocessable(_("a CSV data package needs organizations.csv or services.csv"), field="file")
    for name, (shape, add) in adders.items():  # in the order of the tables
        if name not in files:
            continue
        try:
            text = files[name].decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Unprocessable(_("%(name)s is not UTF-8 text") % {"name": name}, field="file") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        for values in reader:
            where = f"{name} line {reader.line_num}"
            b.records += 1
            record = {k.strip(): v for k, v in values.items() if k and v not in (None, "")}
            try:
                item = msgspec.convert(record, shape, strict=False)
            except msgspec.ValidationError as exc:
                field, message = plain(exc)
                b.problem(where, message, field, record.get("id"))
                continue
            add(b, item, where)


def zip_files(content: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir() and m.filename.endswith(".csv")]
            if sum(m.file_size for m in members) > MAX_BYTES:
                raise Unprocessable(_("the package is too large once unpacked (at most 64 MiB)"), field="file")
            return {Path(m.filename).name: archive.read(m) for m in members}
    except zipfile.BadZipFile:
        raise Unprocessable(_("the file is not a readable zip archive"), field="file") from None


def read_bytes(content: bytes, b: bd.Bundle) -> str:
    """A JSON file or a zipped CSV package; returns the format read."""
    if len(content) > MAX_BYTES:
        raise Unprocessable(_("the file is too large (at most 64 MiB)"), field="file")
    if content.startswith(ZIP_MAGIC):
        read_csv_package(zip_files(content), b)
        return "csv"
    read_json(content, b)
    return "json"


def read_path(path: Path, b: bd.Bundle) -> str:
    """A JSON file, a zipped CSV package, or a folder holding one."""
    if path.is_dir():
        read_csv_package({p.name: p.read_bytes() for p in sorted(path.glob("*.csv"))}, b)
        return "csv"
    return read_bytes(path.read_bytes(), b)
