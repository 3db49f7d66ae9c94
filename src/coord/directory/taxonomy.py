"""Open Eligibility (Aunt Bertha, CC BY-SA 3.0; data/OPEN-ELIGIBILITY-LICENSE.md), the
directory's default taxonomy: service categories (Emergency, Food, Housing, Health...) and
human situations (In Crisis, Veterans...), shared by every organization. Loaded once, on
the first import; a source's own taxonomies are stored as they come, as codes."""

from __future__ import annotations

# Parses only coord's own bundled file, never user input.
import xml.etree.ElementTree as ET  # nosec B405
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "open-eligibility.xml"
SOURCE = "open-eligibility"
NAME = "Open Eligibility"
VERSION = "2.0"
URI = "http://openeligibility.org"
ATTRIBUTION = ("Human Services Taxonomy by Aunt Bertha, Inc., licensed under a Creative Commons "
               "Attribution-ShareAlike 3.0 Unported License (http://openeligibility.org)")
_LEVELS = ("top_level", "second_level", "third_level", "fourth_level")


def terms() -> list[dict[str, Any]]:
    """Every term: code (the taxonomy's id), name, parent code, and its facet (services or situations)."""
    root = ET.parse(DATA).getroot()  # nosec B314
    found: list[dict[str, Any]] = []

    def walk(node: ET.Element, parent: str | None, facet: str) -> None:
        for child in node:
            if child.tag in _LEVELS:
                code = child.get("id", "").strip()
                found.append({"code": code, "name": child.get("title", "").strip(), "parent": parent,
                              "facet": facet})
                walk(child, code, facet)

    for facet in ("services", "situations"):
        section = root.find(facet)
        if section is not None:
            walk(section, None, facet)
    return found
