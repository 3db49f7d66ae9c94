"""Importing a directory: an HSDS CSV data package (zip) of COORD_BENCH_DIRECTORY_SERVICES
services (default 10,000), each with its location, address, phone and service-at-location,
POSTed to /orgs/{id}/directory/imports: a file over 1 MiB is queued, and the worker's own job
(coord.directory.service.run_queued, what workers/directory_jobs.py runs) applies it here, in
one transaction. `directory_import_per_second` is services per second, end to end (upload,
checks, writes)."""

from __future__ import annotations

import csv
import io
import os
import time
import zipfile

import httpx

from bench.registry import Context, benchmark, result
from coord.directory.service import run_queued

SERVICES = int(os.environ.get("COORD_BENCH_DIRECTORY_SERVICES", "10000"))


def _table(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def package(count: int) -> bytes:
    orgs = [[f"o{i}", f"Provider {i}", "Local help"] for i in range(max(1, count // 10))]
    services = [[f"s{i}", f"o{i // 10}", f"Service {i}", "Food, housing and advice for the neighbourhood", "active"]
                for i in range(count)]
    locations = [[f"l{i}", f"o{i // 10}", f"Place {i}", 41 + (i % 1000) / 1000, -87 - (i % 700) / 1000]
                 for i in range(count)]
    files = {
        "organizations.csv": _table(["id", "name", "description"], orgs),
        "services.csv": _table(["id", "organization_id", "name", "description", "status"], services),
        "locations.csv": _table(["id", "organization_id", "name", "latitude", "longitude"], locations),
        "service_at_location.csv": _table(["id", "service_id", "location_id"],
                                          [[f"sl{i}", f"s{i}", f"l{i}"] for i in range(count)]),
        "addresses.csv": _table(["id", "location_id", "address_1", "city", "state_province", "postal_code", "country"],
                                [[f"a{i}", f"l{i}", f"{i} Main Street", "Chicago", "IL", "60601", "US"]
                                 for i in range(count)]),
        "phones.csv": _table(["id", "service_id", "number"], [[f"p{i}", f"s{i}", f"+1 312 555 {i:04d}"]
                                                              for i in range(count)]),
    }
    return zipped(files)


def zipped(files: dict[str, str]) -> bytes:
    """A CSV data package as a zip, as an upload sends it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@benchmark("directory_import_per_second")
async def directory_import(ctx: Context):
    admin = await ctx.user("directory")
    org = await ctx.org(admin)
    body = package(SERVICES)
    url = f"/api/v1/orgs/{org['id']}/directory/imports?source=bench"
    started = time.perf_counter()
    out = ctx.expect(await ctx.client.post(url, content=body, headers=admin.headers, timeout=httpx.Timeout(600)), 202)
    if out["status"] == "queued":
        await run_queued(ctx.pool, out["id"])
        out = ctx.expect(await ctx.client.get(f"/api/v1/orgs/{org['id']}/directory/imports/{out['id']}",
                                              headers=admin.headers), 200)
    took = time.perf_counter() - started
    assert out["status"] == "applied", out["problems"][:3]
    return result("directory_import_per_second", SERVICES / took, "services/s")
