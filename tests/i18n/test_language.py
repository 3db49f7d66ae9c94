"""coord.i18n on its own: the order a language is chosen in, Accept-Language read as
browsers send it, plurals through ngettext with the language's own plural rule, the
completeness of a catalog counted without its fuzzy entries, and dates in CLDR's words."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from coord import i18n
from coord.notify.messages import day_and_time, when

AR_PLURALS = '''
msgid ""
msgstr ""
"Language: ar\\n"
"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "%(n)d place left"
msgid_plural "%(n)d places left"
msgstr[0] "لا أماكن"
msgstr[1] "مكان واحد"
msgstr[2] "مكانان"
msgstr[3] "%(n)d أماكن"
msgstr[4] "%(n)d مكانًا"
msgstr[5] "%(n)d مكان"

#, fuzzy
msgid "Hello"
msgstr "مرحبا"
'''


@pytest.fixture
def catalogs(monkeypatch, tmp_path):
    """A locale directory of the test's own, with an Arabic catalog of one plural and one fuzzy entry."""
    (tmp_path / "ar" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "ar" / "LC_MESSAGES" / "messages.po").write_text(AR_PLURALS, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "PREVIEW", {"ar"})
    i18n.catalog.cache_clear()
    yield
    i18n.catalog.cache_clear()


def test_plurals_follow_the_languages_own_rule_and_fuzzy_entries_count_as_missing(catalogs):
    token = i18n.ACTIVE.set(i18n.Choice(chosen="ar"))
    try:
        said = {n: i18n.ngettext("%(n)d place left", "%(n)d places left", n) % {"n": n} for n in (0, 1, 2, 3, 11, 100)}
        assert i18n.gettext("Hello") == "Hello"  # fuzzy: English until a translator confirms it
    finally:
        i18n.ACTIVE.reset(token)
    assert said == {0: "لا أماكن", 1: "مكان واحد", 2: "مكانان", 3: "3 أماكن", 11: "11 مكانًا", 100: "100 مكان"}
    assert i18n.catalog("ar").completeness == 0.5
    assert i18n.ngettext("%(n)d place left", "%(n)d places left", 2) == "%(n)d places left"  # outside: English


def test_spanish_and_arabic_are_offered_now_that_every_string_is_marked(monkeypatch):
    """Every string people read is marked (tests/i18n/test_pseudo_locale.py proves it) and both
    catalogs are complete: offered with no preview, chosen by a browser that asks for them."""
    monkeypatch.setattr(i18n, "PREVIEW", set())
    assert i18n.ALL_MARKED is True
    assert i18n.offered() == ["en", "es", "ar"]
    assert i18n.Choice(accept="es-MX,es;q=0.9").code == "es" and i18n.Choice(accept="ar-SY").code == "ar"


def test_no_language_but_english_would_be_offered_with_strings_left_unmarked(monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", set())
    monkeypatch.setattr(i18n, "THRESHOLD", 0.0)
    monkeypatch.setattr(i18n, "ALL_MARKED", False)
    assert i18n.offered() == ["en"] and i18n.Choice(chosen="es", accept="ar").code == "en"
    monkeypatch.setattr(i18n, "ALL_MARKED", True)
    assert i18n.offered() == ["en", "es", "ar"]


def test_the_choice_then_the_saved_language_then_the_browser_then_the_organization(monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})
    assert i18n.Choice().code == "en"
    assert i18n.Choice(org_default="ar").code == "ar"
    assert i18n.Choice(accept="es-MX,es;q=0.9", org_default="ar").code == "es"
    assert i18n.Choice(saved="ar", accept="es").code == "ar"
    assert i18n.Choice(chosen="es", saved="ar", accept="ar").code == "es"
    assert i18n.Choice(chosen="xx", saved="ar").code == "ar"  # a forged cookie is no choice
    assert i18n.Choice(accept="fr-CA,fr;q=0.9,ar;q=0.1").code == "ar"  # the first coord speaks


def test_accept_language_is_read_by_its_weights():
    assert i18n.accepted("fr;q=0.2, ar-EG, es;q=0.8, *;q=0.1, de;q=0") == ["ar-EG", "es", "fr"]
    assert i18n.accepted("garbage;;q=x, ,") == []


def test_arabic_is_written_right_to_left_and_the_others_left_to_right():
    assert [i18n.direction(code) for code in i18n.LANGUAGES] == ["ltr", "ltr", "rtl"]


def test_a_messages_dates_are_written_in_the_readers_language(monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})
    start = datetime(2027, 3, 16, 22, 30, tzinfo=timezone.utc)
    end = datetime(2027, 3, 17, 0, 0, tzinfo=timezone.utc)
    said = {}
    for code in ("en", "es", "ar"):
        token = i18n.ACTIVE.set(i18n.Choice(saved=code))
        try:
            said[code] = (when(start, end, "America/New_York"), day_and_time(start, "America/New_York"))
        finally:
            i18n.ACTIVE.reset(token)
    assert said["en"] == ("Tuesday 16 March 2027, 18:30–20:00 (America/New_York)", "Tue 16 March, 18:30")
    assert said["es"] == ("martes, 16 de marzo de 2027, 18:30–20:00 (America/New_York)", "mar, 16 de marzo, 18:30")
    assert said["ar"][0].startswith("الثلاثاء، 16 مارس 2027")


def test_a_written_time_kept_for_reuse_is_never_another_zones_fold_or_languages(monkeypatch):
    """coord.i18n.dates keeps each moment it writes: one instant in two zones, the two 01:30s of
    a clock change, and one moment in two languages are still written each as itself."""
    from zoneinfo import ZoneInfo

    from coord.i18n.dates import _written, short_day_time, short_time

    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})
    instant = datetime(2027, 3, 16, 22, 30, tzinfo=timezone.utc)
    # 7 November 2027, New York: 01:30 comes twice, first in daylight time (fold 0), then not.
    twice = [datetime(2027, 11, 7, 1, 30, fold=fold, tzinfo=ZoneInfo("America/New_York")) for fold in (0, 1)]
    token = i18n.ACTIVE.set(i18n.Choice(saved="es"))
    try:
        for _ in range(2):  # written, then read back from what was kept
            assert (short_time(instant, "America/New_York"), short_time(instant, "Asia/Tokyo")) == ("18:30", "07:30")
            assert short_day_time(instant, "Asia/Tokyo") == "mié, 17 mar, 07:30"
            assert [_written(moment, pattern="HH:mm xxx") for moment in twice] == ["01:30 -04:00", "01:30 -05:00"]
    finally:
        i18n.ACTIVE.reset(token)
    token = i18n.ACTIVE.set(i18n.Choice(saved="ar"))
    try:
        assert short_day_time(instant, "Asia/Tokyo") not in ("mié, 17 mar, 07:30", "")
    finally:
        i18n.ACTIVE.reset(token)
