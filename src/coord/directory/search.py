"""Finding help (issue 17.4): public directory services by words (weighted names and
descriptions, English and Spanish stems, accents ignored), near a place (a postal code or
coordinates, no outside geocoder), open now, language, category, age, free of charge,
accessible. Public entries only; a confidential location is never a distance nor an address."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from coord.i18n import gettext as _
from coord.directory import search_queries as sq
from coord.directory.schemas import Place, ResourceAddress, ResourcePhone, ResourceResult, ResourceSearch
from coord.kernel import clock
from coord.kernel.errors import Unprocessable

DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 500.0
MAX_PER_PAGE = 100
MAX_PAGE = 100_000  # beyond any directory; keeps OFFSET a small number
_COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_POSTAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")


class Query(msgspec.Struct, kw_only=True):
    """What a person asks for; every field optional."""

    q: str | None = None
    near: str | None = None
    radius_km: float | None = None
    open_now: bool = False
    language: str | None = None
    category: str | None = None
    age: int | None = None
    free: bool = False
    accessible: bool = False
    page: int = 1
    per_page: int = 20


async def resolve_place(conn: asyncpg.Connection, near: str) -> Place:
    """'lat,lon', or a postal code: the centre of the directory's own public addresses with it,
    else the US ZIP code's centre (coord.directory.zip_centres)."""
    if match := _COORDINATES.match(near):
        latitude, longitude = float(match.group(1)), float(match.group(2))
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise Unprocessable(_("coordinates are a latitude (-90 to 90) and a longitude (-180 to 180)"), field="near")
        return Place(latitude=latitude, longitude=longitude, label=f"{latitude:.4f},{longitude:.4f}")
    code = near.strip()
    if not _POSTAL.match(code):
        raise Unprocessable(_("give a postal code (e.g. 10001) or coordinates (e.g. 40.75,-73.99)"), field="near")
    key = code.upper().replace(" ", "")
    row = await conn.fetchrow(sq.POSTAL_CENTROID, code, key)
    if row is not None and row["latitude"] is not None:
        return Place(latitude=row["latitude"], longitude=row["longitude"], label=code)
    if key[:5].isdigit() and (found := await conn.fetchrow(sq.US_ZIP_CENTRE, key[:5])):
        return Place(latitude=found["latitude"], longitude=found["longitude"], label=code)
    raise Unprocessable(_("we do not know where the postal code %(code)s is: try coordinates (e.g. 40.75,-73.99)") % {"code": repr(code)},
                        field="near")


@functools.cache
def _language_names() -> dict[str, str]:
    """A language's name in English, Spanish or Arabic (folded) -> its code: 'spanish',
    'espanol' and 'الإسبانية' are all 'es'."""
    from babel import Locale

    names: dict[str, str] = {}
    for reader in ("ar", "es", "en"):
        for code, name in Locale.parse(reader).languages.items():
            if "_" not in code:
                names.setdefault(_fold(name), code)
    return names


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.strip().lower()) if not unicodedata.combining(c))


def language_forms(language: str) -> tuple[list[str], list[str]]:
    """The codes and names a directory may have written a language as ('es', 'ES', 'Spanish',
    'spanish', 'Español'...) for a code or a name in English, Spanish or Arabic."""
    typed = language.strip()
    code = typed.lower() if len(typed) <= 3 or "-" in typed else _language_names().get(_fold(typed), "")
    codes = {typed, typed.lower(), typed.upper()} | ({code, code.upper()} if code else set())
    names = {typed, typed.lower(), typed.title()}
    if code:
        from babel import Locale

        for reader in ("en", "es"):
            name = Locale.parse(reader).languages.get(code)
            if name:
                names |= {name, name.lower(), name.title()}
    return sorted(codes), sorted(names)


def _check(query: Query) -> None:
    if query.radius_km is not None and not (0 < query.radius_km <= MAX_RADIUS_KM):
        raise Unprocessable(_("the radius is between 0 and %(max_radius_km)s km") % {"max_radius_km": format(MAX_RADIUS_KM, '.0f')}, field="radius_km")
    if query.age is not None and not (0 <= query.age <= 130):
        raise Unprocessable(_("an age is between 0 and 130"), field="age")
    if not (1 <= query.page <= MAX_PAGE) or not (1 <= query.per_page <= MAX_PER_PAGE):
        raise Unprocessable(_("pages go from 1 to %(max_page)s and hold 1 to %(max_per_page)s results") % {"max_page": MAX_PAGE, "max_per_page": MAX_PER_PAGE}, field="page")
    if query.q is not None and len(query.q) > 200:
        raise Unprocessable(_("search with at most 200 characters"), field="q")


async def search(conn: asyncpg.Connection, query: Query, only: UUID | None = None) -> ResourceSearch:
    """`only`: this one service, as a result (its page)."""
    _check(query)
    args: list[Any] = []

    def p(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    place = await resolve_place(conn, query.near) if query.near and query.near.strip() else None
    now = clock.now()
    words = (query.q or "").strip()
    # Words and ages are on the service's own row; every other filter is on its facets' row
    # (narrow) or beside it. Without words or an age, one scan of the facets finds everything.
    on_service = bool(words) or query.age is not None
    service_id = "s.id" if on_service else "f.id"
    ctes, joins, where, facets, order = [], [], [], [], []
    distance, rank = "NULL::float8", "0::real"
    if place is not None:
        radius = query.radius_km or DEFAULT_RADIUS_KM
        dlat = radius / 111.0
        dlon = radius / max(111.0 * math.cos(math.radians(place.latitude)), 0.01)
        for value in (place.latitude, place.longitude, dlat, min(dlon, 180.0), radius):
            p(value)
        ctes.append(sq.NEARBY)
        joins.append(f"JOIN nearby n ON n.service_id = {service_id}")
        distance = "n.distance_km"
        order.append("m.distance_km")
    if only is not None:
        where.append(f"{service_id} = {p(only)}")
    if words:
        text = p(words)
        where.append(sq.MATCHES_TEXT.format(q=text))
        rank = f"ts_rank(s.search, {sq.TEXT_QUERY.format(q=text)})"
        order.append("m.rank DESC")
    if query.language and query.language.strip():
        codes, names = language_forms(query.language)
        facets.append(sq.SPEAKS.format(codes=p([c.lower() for c in codes]), names=p([n.lower() for n in names])))
    if query.category and query.category.strip():
        where.append(sq.IN_CATEGORY.format(id=service_id, p=p(query.category.strip())))
    if query.age is not None:
        where.append(sq.FOR_AGE.format(p=p(query.age)))
    if query.free:
        where.append(sq.FREE.format(id=service_id))
    if query.accessible:
        where.append(sq.ACCESSIBLE.format(id=service_id))
    facet_joins = []
    if query.open_now:
        ctes.append(sq.WEEK_CLOCK.format(now=p(now)))
        facet_joins.append(sq.ON_THE_WEEK_CLOCK)
        facets.append(sq.OPEN)
    outer = "true"
    if not on_service:
        ctes.append(f"matches AS (SELECT f.id, f.name, {distance} AS distance_km, {rank} AS rank FROM {sq.FACETS} "
                    f"{' '.join(joins + facet_joins)} WHERE {' AND '.join(where + facets) or 'true'})")
    else:
        # The service's filters' set and the facets' set, each kept (MATERIALIZED), then met by
        # hashing: the planner cannot estimate how many are open now, and misjudged would look
        # each candidate up one by one.
        ctes.append(f"matches AS {'MATERIALIZED ' if facets else ''}("
                    f"SELECT s.id, s.name, {distance} AS distance_km, {rank} AS rank FROM directory_services s "
                    f"{' '.join(joins)} WHERE {' AND '.join(['s.active', *where])})")
        if facets:
            ctes.append(f"faceted AS MATERIALIZED (SELECT f.id FROM {sq.FACETS} {' '.join(facet_joins)} "
                        f"WHERE {' AND '.join(facets)})")
            outer = "m.id IN (SELECT id FROM faceted)"
    order.append("m.name, m.id")
    limit, offset = p(query.per_page), p((query.page - 1) * query.per_page)
    sql = (f"WITH {', '.join(ctes)}\nSELECT m.id, m.distance_km, count(*) OVER () AS total FROM matches m "
           f"WHERE {outer} ORDER BY {', '.join(order)} LIMIT {limit} OFFSET {offset}")
    if conn.is_in_transaction():
        # A plan for these values: a generic plan (asyncpg prepares statements, PostgreSQL
        # switches to one after five runs) cannot know how many a bounding box or a language holds.
        await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
    rows = await conn.fetch(sql, *args)
    total = rows[0]["total"] if rows else 0
    results = await _results(conn, [r["id"] for r in rows], {r["id"]: r["distance_km"] for r in rows}, place, now)
    return ResourceSearch(total=total, page=query.page, per_page=query.per_page, near=place, results=results)


def _tel(number: str, extension: str | None) -> str:
    digits = re.sub(r"[^\d+]", "", number)
    return f"tel:{digits}" + (f",{re.sub(r'[^0-9]', '', extension)}" if extension else "")


async def _results(conn: asyncpg.Connection, ids: list[UUID], distances: dict[UUID, float | None],
                   place: Place | None, now: Any) -> list[ResourceResult]:
    if not ids:
        return []
    details = {r["id"]: r for r in await conn.fetch(sq.RESULT_DETAILS, ids)}
    lat, lon = (place.latitude, place.longitude) if place else (None, None)
    places = {r["service_id"]: r for r in await conn.fetch(sq.RESULT_PLACES, ids, lat, lon)}
    phones: dict[UUID, list[ResourcePhone]] = {}
    for r in await conn.fetch(sq.RESULT_PHONES, ids):
        phones.setdefault(r["service_id"], []).append(
            ResourcePhone(number=r["number"].strip('"'), extension=r["extension"], tel=_tel(r["number"], r["extension"])))
    languages: dict[UUID, list[str]] = {}
    for r in await conn.fetch(sq.RESULT_LANGUAGES, ids):
        languages.setdefault(r["service_id"], []).append(r["name"] or r["code"])
    access: dict[UUID, list[str]] = {}
    for r in await conn.fetch(sq.RESULT_ACCESSIBILITY, ids):
        access.setdefault(r["service_id"], []).append(r["text"])
    costs: dict[UUID, list[str]] = {}
    free: set[UUID] = set()
    for r in await conn.fetch(sq.RESULT_COSTS, ids):
        if r["free"]:
            free.add(r["service_id"])
        words = r["option"] or (f"{r['amount']} {r['currency'] or ''}".strip() if r["amount"] is not None else None)
        if words:
            costs.setdefault(r["service_id"], []).append(words)
    with_hours = {r["service_id"] for r in await conn.fetch(sq.WITH_HOURS, ids)}
    open_now = {r["service_id"] for r in await conn.fetch(sq.OPEN_AMONG, ids, now)}
    out = []
    for service_id in ids:
        d, at = details[service_id], places.get(service_id)
        address = None
        if at is not None and at["address_1"]:
            address = ResourceAddress(address_1=at["address_1"], address_2=at["address_2"], city=at["city"],
                                      state_province=at["state_province"], postal_code=at["postal_code"],
                                      country=at["country"])
        distance = distances.get(service_id)
        out.append(ResourceResult(
            id=service_id, name=d["name"], description=d["description"], organization_name=d["organization_name"],
            url=d["url"], email=d["email"], distance_km=round(distance, 2) if distance is not None else None,
            open_now=(service_id in open_now) if service_id in with_hours else None,
            address=address, phones=phones.get(service_id, []), languages=languages.get(service_id, []),
            accessibility=access.get(service_id, []), cost=costs.get(service_id, []) or ([d["fees"]] if d["fees"] else []),
            free=service_id in free, last_verified=d["last_verified"], group_id=d["group_id"],
        ))
    return out
