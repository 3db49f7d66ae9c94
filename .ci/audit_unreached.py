"""Audit what pip-audit could not: run as `.venv/bin/python .ci/audit_unreached.py REPORT`
on pip-audit's JSON report.

pip-audit asks PyPI for each installed version (/pypi/NAME/VERSION/json). Where only the
project pages are reachable (/pypi/NAME/json, as on our CI machines), it reports those
packages "not found" and passes. The project page carries the same advisory data
(PyPI's `vulnerabilities`), but for the newest release only; so a package installed at
its newest release is audited here, and one that is not is named as unaudited.
Exit status 1 when any known vulnerability is found.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version

PYPI = "https://pypi.org/pypi/{}/json"


def newest_release(name: str) -> tuple[str | None, list[dict], str | None]:
    """PyPI's newest version of `name` and the advisories affecting it, or why not known."""
    try:
        with urllib.request.urlopen(PYPI.format(name), timeout=30) as response:  # nosec B310: fixed https URL
            project = json.load(response)
    except OSError as exc:
        return None, [], str(exc)
    advisories = [v for v in project.get("vulnerabilities") or [] if not v.get("withdrawn")]
    return project["info"]["version"], advisories, None


def main(report_path: str) -> int:
    with open(report_path) as report:
        skipped = [d["name"] for d in json.load(report)["dependencies"] if "not found" in d.get("skip_reason", "")]
    with ThreadPoolExecutor(8) as pool:
        newest = dict(zip(skipped, pool.map(newest_release, skipped)))
    vulnerable, unaudited = [], []
    for name in sorted(skipped):
        installed = version(name)
        latest, advisories, error = newest[name]
        if error or latest != installed:
            unaudited.append(f"{name} {installed} ({error or f'PyPI has no per-version data here; newest is {latest}'})")
        elif advisories:
            vulnerable += [f"{name} {installed}: {a.get('id')} {','.join(a.get('aliases') or [])}" for a in advisories]
    print(f"audited from PyPI's project pages: {len(skipped) - len(unaudited)} of the {len(skipped)} "
          "packages pip-audit could not reach; known vulnerabilities: " + (str(len(vulnerable)) if vulnerable else "none"))
    for line in vulnerable:
        print("  VULNERABLE", line)
    for line in unaudited:
        print("  not audited:", line)
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
