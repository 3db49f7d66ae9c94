"""The public HSDS 3.0 API's documents (issue 17.3): pages of services, organizations and
taxonomy terms in the HSDS page envelope, and a fully nested service or organization, shaped
as the official compiled schemas say (optional fields are left out rather than null).

Public entries only: active directory entries, never a confidential location (neither its
address nor its coordinates), and coord's own public support groups as services whose
schedules are their series' RRULEs, so that other 2-1-1 systems can pull live peer-support
schedules."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from coord.i18n import gettext as _
from coord.directory import hsds_queries as hq
from coord.kernel import clock
from coord.kernel.errors import NotFound, Unprocessable

HSDS_VERSION = "3.0"
PROFILE = "https://docs.openreferral.org/en/3.0/"
MAX_PER_PAGE = 200
MAX_PAGE = 100_000  # beyond any directory; keeps OFFSET a small number
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _clean(document: dict[str, Any]) -> dict[str, Any]:
    """HSDS fields are typed without null: an unknown one is left out."""
    return {k: v for k, v in document.items() if v is not None}


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def _time(value: Any) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


class Paging:
    def __init__(self, page: int, per_page: int) -> None:
        if not (1 <= page <= MAX_PAGE) or not (1 <= per_page <= MAX_PER_PAGE):
            raise Unprocessable(_("pages go from 1 to %(max_page)s and hold 1 to %(max_per_page)s entries") % {"max_page": MAX_PAGE, "max_per_page": MAX_PER_PAGE}, field="page")
        self.page, self.per_page = page, per_page
        self.args: list[Any] = []

    def p(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def window(self) -> dict[str, str]:
        return {"limit": self.p(self.per_page), "offset": self.p((self.page - 1) * self.per_page)}

    def envelope(self, rows: list[asyncpg.Record], contents: list[dict[str, Any]]) -> dict[str, Any]:
        total = rows[0]["total"] if rows else 0
        pages = max(1, math.ceil(total / self.per_page))
        return {"total_items": total, "total_pages": pages, "page_number": self.page, "size": len(contents),
                "first_page": self.page == 1, "last_page": self.page >= pages, "empty": total == 0,
                "contents": contents}


def _service_fields(row: asyncpg.Record) -> dict[str, Any]:
    """The one-to-one fields of a service (what a list item holds)."""
    data = dict(row["data"] or {})
    return _clean({**{k: v for k, v in data.items() if isinstance(v, (str, int, float))},
                   "id": str(row["id"]), "organization_id": str(row["organization_id"]), "name": row["name"],
                   "description": row["description"], "url": row["url"], "email": row["email"],
                   "status": row["status"], "minimum_age": _number(row["minimum_age"]),
                   "maximum_age": _number(row["maximum_age"]),
                   "last_modified": row["updated_at"].isoformat(timespec="milliseconds")})


async def services_page(conn: asyncpg.Connection, *, search: str | None, taxonomy_term_id: str | None,
                        modified_after: datetime | None, page: int, per_page: int) -> dict[str, Any]:
    paging = Paging(page, per_page)
    dir_where, group_where = ["true"], ["true"]
    if search and search.strip():
        text = paging.p(search.strip())
        dir_where.append(hq.DIR_TEXT.format(p=text))
        group_where.append(hq.GROUP_TEXT.format(p=text))
    if taxonomy_term_id:
        dir_where.append(hq.DIR_TERM.format(p=paging.p(taxonomy_term_id)))
        group_where.append("false")  # a group carries no taxonomy term
    if modified_after is not None:
        moment = paging.p(modified_after)
        dir_where.append(hq.DIR_MODIFIED.format(p=moment))
        group_where.append(hq.GROUP_MODIFIED.format(p=moment))
    sql = hq.SERVICE_ENTRIES.format(dir_where=" AND ".join(dir_where), group_where=" AND ".join(group_where),
                                    **paging.window())
    rows = await conn.fetch(sql, *paging.args)
    return paging.envelope(rows, [_service_fields(r) for r in rows])


async def service(conn: asyncpg.Connection, service_id: UUID) -> dict[str, Any]:
    """A fully nested service: a directory entry, or a public group."""
    row = await conn.fetchrow(hq.SERVICE, service_id)
    if row is None:
        return await _group_service(conn, service_id)
    document = _service_fields(row)
    sid = row["id"]
    document["phones"] = [_clean({"id": str(p["id"]), "number": p["number"], "extension": p["extension"],
                                  "type": p["type"], "description": p["description"]})
                          for p in await conn.fetch(hq.PHONES, sid)]
    document["schedules"] = [_schedule(s) for s in await conn.fetch(hq.SCHEDULES, sid)]
    document["languages"] = [_clean({"id": str(x["id"]), "name": x["name"], "code": x["code"], "note": x["note"]})
                             for x in await conn.fetch(hq.LANGUAGES, sid)]
    document["service_areas"] = [_clean({"id": str(a["id"]), "name": a["name"], "description": a["description"]})
                                 for a in await conn.fetch(hq.SERVICE_AREAS, sid)]
    document["cost_options"] = [_clean({"id": str(c["id"]), "option": c["option"], "currency": c["currency"],
                                        "amount": _number(c["amount"])})
                                for c in await conn.fetch(hq.COST_OPTIONS, sid)]
    document["attributes"] = await _attributes(conn, sid)
    document["service_at_locations"] = [await _service_at_location(conn, r)
                                        for r in await conn.fetch(hq.SERVICE_AT_LOCATIONS, sid)]
    document["organization"] = await _organization_fields(conn, row["organization_id"])
    return document


def _schedule(row: asyncpg.Record) -> dict[str, Any]:
    data = {k: v for k, v in (row["data"] or {}).items() if isinstance(v, (str, int, float))}
    return _clean({**data, "id": str(row["id"]), "freq": row["freq"], "byday": row["byday"],
                   "opens_at": _time(row["opens_at"]), "closes_at": _time(row["closes_at"]),
                   "description": row["description"]})


async def _attributes(conn: asyncpg.Connection, link_id: UUID) -> list[dict[str, Any]]:
    return [_clean({"id": str(a["id"]), "link_id": str(a["link_id"]), "link_type": a["link_type"],
                    "link_entity": a["link_entity"], "value": a["value"], "taxonomy_term_id": str(a["term_id"]),
                    "taxonomy_term": _clean({"id": str(a["term_id"]), "name": a["term_name"],
                                             "description": a["term_description"] or a["term_name"],
                                             "code": a["term_code"], "taxonomy": a["term_taxonomy"]})})
            for a in await conn.fetch(hq.ATTRIBUTES, link_id)]


async def _service_at_location(conn: asyncpg.Connection, row: asyncpg.Record) -> dict[str, Any]:
    addresses = [_clean({"id": str(a["id"]), "address_type": a["address_type"], "address_1": a["address_1"],
                         "address_2": a["address_2"], "city": a["city"], "region": a["region"],
                         "state_province": a["state_province"], "postal_code": a["postal_code"],
                         "country": a["country"]})
                 for a in await conn.fetch(hq.ADDRESSES, row["id"])]
    access = [_clean({"id": str(a["id"]), "description": a["description"], "details": a["details"], "url": a["url"]})
              for a in await conn.fetch(hq.ACCESSIBILITY, row["id"])]
    location = _clean({"id": str(row["id"]), "location_type": row["location_type"], "name": row["name"],
                       "description": row["description"], "latitude": row["latitude"], "longitude": row["longitude"],
                       "addresses": addresses, "accessibility": access})
    return _clean({"id": str(row["sal_id"]), "description": row["sal_description"], "location": location})


async def _organization_fields(conn: asyncpg.Connection, organization_id: UUID) -> dict[str, Any]:
    row = await conn.fetchrow(hq.ORGANIZATION, organization_id) or await conn.fetchrow(hq.PUBLIC_COORD_ORG,
                                                                                      organization_id)
    if row is None:
        raise NotFound(_("no such organization"))
    data = {k: v for k, v in (row["data"] or {}).items() if isinstance(v, (str, int, float))}
    return _clean({**data, "id": str(row["id"]), "name": row["name"], "description": row["description"] or "",
                   "website": row["website"], "email": row["email"]})


async def _group_service(conn: asyncpg.Connection, group_id: UUID) -> dict[str, Any]:
    group = await conn.fetchrow(hq.PUBLIC_GROUP, group_id)
    if group is None:
        raise NotFound(_("no such service"))
    series = await conn.fetch(hq.GROUP_SERIES, group_id)
    return _clean({
        "id": str(group["id"]), "organization_id": str(group["organization_id"]), "name": group["name"],
        "description": group["description"], "status": "active",
        "last_modified": group["updated_at"].isoformat(timespec="milliseconds"),
        "languages": [{"id": f"{group['id']}-{code}", "code": code} for code in group["languages"]],
        "schedules": [_series_schedule(s) for s in series],
        "organization": await _organization_fields(conn, group["organization_id"]),
    })


def _series_schedule(row: asyncpg.Record) -> dict[str, Any]:
    """A group's series as an HSDS schedule: the RRULE's parts in HSDS's fields, the rule
    itself in `notes`, its first start, and its time zone's current UTC offset in hours."""
    parts = dict(part.split("=", 1) for part in row["rrule"].upper().split(";") if "=" in part)
    start: datetime = row["start_local"]
    zone = ZoneInfo(row["timezone"])
    offset = clock.now().astimezone(zone).utcoffset() or timedelta(0)
    freq, byday = parts.get("FREQ"), parts.get("BYDAY")
    if freq == "DAILY":  # HSDS knows weekly and monthly: every day is weekly on all seven
        freq, byday = "WEEKLY", ",".join(_WEEKDAYS)
    end = start + timedelta(minutes=row["duration_minutes"])
    return _clean({
        "id": str(row["id"]), "freq": freq if freq in ("WEEKLY", "MONTHLY") else None,
        "interval": int(parts["INTERVAL"]) if parts.get("INTERVAL", "").isdigit() else None,
        "byday": byday or (_WEEKDAYS[start.weekday()] if freq == "WEEKLY" else None),
        "bymonthday": parts.get("BYMONTHDAY"), "wkst": parts.get("WKST") if parts.get("WKST") in _WEEKDAYS else None,
        "count": int(parts["COUNT"]) if parts.get("COUNT", "").isdigit() else None,
        "until": parts.get("UNTIL"), "dtstart": start.date().isoformat(),
        "timezone": _number(offset.total_seconds() / 3600), "opens_at": start.strftime("%H:%M"),
        "closes_at": end.strftime("%H:%M"), "notes": f"RRULE:{row['rrule']}",
        "description": f"Peer support group meeting ({row['timezone']}); RRULE:{row['rrule']}",
    })


async def organizations_page(conn: asyncpg.Connection, *, search: str | None, modified_after: datetime | None,
                             page: int, per_page: int) -> dict[str, Any]:
    paging = Paging(page, per_page)
    dir_where, coord_where = ["true"], ["true"]
    if search and search.strip():
        text = paging.p(search.strip())
        dir_where.append(hq.ORG_DIR_TEXT.format(p=text))
        coord_where.append(hq.ORG_COORD_TEXT.format(p=text))
    if modified_after is not None:
        moment = paging.p(modified_after)
        dir_where.append(hq.ORG_DIR_MODIFIED.format(p=moment))
        coord_where.append(hq.ORG_COORD_MODIFIED.format(p=moment))
    sql = hq.ORGANIZATION_ENTRIES.format(dir_where=" AND ".join(dir_where), coord_where=" AND ".join(coord_where),
                                         **paging.window())
    rows = await conn.fetch(sql, *paging.args)
    contents = [_clean({"id": str(r["id"]), "name": r["name"], "description": r["description"] or "",
                        "website": r["website"], "email": r["email"]}) for r in rows]
    return paging.envelope(rows, contents)


async def organization(conn: asyncpg.Connection, organization_id: UUID) -> dict[str, Any]:
    """An organization with its services' one-to-one fields (GET /hsds/services/{id} nests each)."""
    document = await _organization_fields(conn, organization_id)
    document["services"] = [_service_fields(r) for r in await conn.fetch(hq.ORGANIZATION_SERVICES, organization_id)]
    return document


async def taxonomy_terms_page(conn: asyncpg.Connection, *, search: str | None, page: int,
                              per_page: int) -> dict[str, Any]:
    paging = Paging(page, per_page)
    where = ["true"]
    if search and search.strip():
        where.append(hq.TERM_TEXT.format(p=paging.p(search.strip())))
    rows = await conn.fetch(hq.TAXONOMY_TERMS.format(where=" AND ".join(where), **paging.window()), *paging.args)
    contents = [_clean({"id": str(r["id"]), "code": r["code"], "name": r["name"],
                        "description": r["description"] or r["name"],
                        "parent_id": str(r["parent_id"]) if r["parent_id"] else None, "taxonomy": r["taxonomy"],
                        "taxonomy_id": str(r["taxonomy_id"]) if r["taxonomy_id"] else None,
                        "language": r["language"]}) for r in rows]
    return paging.envelope(rows, contents)
