"""HSDS imports in tests: the fixtures and our CSV package (zipped), the imports URL, the rows written."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests.support import API

FIXTURES = Path(__file__).parents[1] / "directory" / "fixtures"
PACKAGE = FIXTURES / "csv_package"
TABLES = ("organizations", "services", "locations", "service_at_locations", "addresses", "phones", "schedules",
          "languages", "accessibility", "cost_options", "service_areas", "taxonomies", "taxonomy_terms",
          "attributes")


def zipped(folder: Path = PACKAGE, replace: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.writestr(f"package/{path.name}", (replace or {}).get(path.name, path.read_text()))
    return buffer.getvalue()


async def directory_rows(pool) -> dict[str, int]:
    """Entries an organization curates (the default taxonomy is everyone's and not counted)."""
    return {t: await pool.fetchval(f"SELECT count(*) FROM directory_{t} WHERE org_id IS NOT NULL") for t in TABLES}


def imports_url(org: dict, source: str, **params: str) -> str:
    query = "".join(f"&{k}={v}" for k, v in params.items())
    return f"{API}/orgs/{org['id']}/directory/imports?source={source}{query}"
