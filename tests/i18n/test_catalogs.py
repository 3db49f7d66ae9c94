"""The catalogs (issue 16.4, 16.6): every .po reads and compiles, says what its msgid says
with the same placeholders, covers every message of messages.pot, and the .pot holds every
string marked in the code and templates."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polib
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from coord import i18n

ROOT = Path(__file__).resolve().parents[2]
POT = i18n.LOCALE_DIR / "messages.pot"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
CATALOGS = sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_language_of_the_configuration_has_a_catalog_and_every_catalog_a_line():
    assert {p.parts[-3] for p in CATALOGS} == set(i18n.LANGUAGES) - {i18n.DEFAULT}


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_a_catalog_compiles_and_keeps_every_placeholder(path: Path):
    with path.open("rb") as f:
        catalog = read_po(f, locale=path.parts[-3])
    write_mo(io.BytesIO(), catalog)  # compiles
    for entry in polib.pofile(str(path)).translated_entries():
        if entry.msgid_plural:
            for form in entry.msgstr_plural.values():
                assert placeholders(form) == placeholders(entry.msgid_plural), entry.msgid
        else:
            assert placeholders(entry.msgstr) == placeholders(entry.msgid), entry.msgid


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_a_catalog_has_every_message_of_the_template(path: Path):
    template = {e.msgid for e in polib.pofile(str(POT))}
    catalog = {e.msgid for e in polib.pofile(str(path)) if not e.obsolete}
    assert template - catalog == set(), "run pybabel update (README, Languages)"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_every_message_is_translated_in_every_form_and_none_is_fuzzy(path: Path):
    """Issue 16.4: a language coord offers is complete; a gap fails CI instead of showing English."""
    gaps = [e.msgid for e in polib.pofile(str(path)) if not e.obsolete and (e.fuzzy or not e.translated())]
    assert gaps == [], f"{len(gaps)} untranslated or fuzzy in {path.parts[-3]}: {gaps[:10]}"


def test_the_template_holds_every_marked_string():
    marked = {message for _, _, message, *_ in extract_from_dir(
        str(ROOT / "src" / "coord"), method_map=[("**.py", "python"), ("web/templates/**.html", "jinja2")],
        options_map={"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None})}
    marked = {m if isinstance(m, str) else m[0] for m in marked}
    assert marked - {e.msgid for e in polib.pofile(str(POT))} == set(), "run pybabel extract (README, Languages)"
