"""The language of a page (issue 16.1, 16.2, 16.6): the menu's choice (a cookie, and the
profile when signed in), else the saved language, else Accept-Language, else the
organization's default, else English; `<html lang dir>` follows; concurrent requests in
different languages never mix; a language below the threshold is not offered."""

from __future__ import annotations

import re

import pytest

from coord import i18n
from tests.pages import Visitor
from tests.support import concurrently, expect

# The start page reads the database between the request's start and its rendering, so
# requests overlap there: a language set on the shared environment would leak between them.
GROUPS = {"en": "Open support groups", "es": "Grupos de apoyo abiertos", "ar": "مجموعات دعم مفتوحة"}
HTML = re.compile(r'<html lang="([^"]+)" dir="([^"]+)">')


@pytest.fixture
def every_language(monkeypatch):
    """Spanish and Arabic offered however complete their catalogs are (COORD_PREVIEW_LANGUAGES)."""
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})


def language_of(html: str) -> tuple[str, str]:
    found = HTML.search(html)
    assert found, "no <html lang dir>"
    return found.group(1), found.group(2)


def test_many_requests_at_once_in_three_languages_each_get_only_their_own(client, every_language):
    codes = ["es", "ar", "en"] * 30
    answers = concurrently(client, [("GET", "/", {"accept-language": code}) for code in codes])
    for code, answer in zip(codes, answers):
        assert answer.status_code == 200
        assert language_of(answer.text)[0] == code
        assert GROUPS[code] in answer.text
        assert not any(GROUPS[other] in answer.text for other in GROUPS if other != code), code


async def test_arabic_pages_are_right_to_left_with_arabic_dates(client, every_language):
    page = await Visitor(client).get("/", headers={"accept-language": "ar-EG,ar;q=0.9,en;q=0.5"})
    assert language_of(page.text) == ("ar", "rtl")
    assert "مجموعات دعم مفتوحة" in page.text and "هل تمر بأزمة؟" in page.text
    assert "Accept-Language" in page.headers["vary"]  # no cache serves it to an English reader
    english = await Visitor(client).get("/", headers={"accept-language": "en-US"})
    assert language_of(english.text) == ("en", "ltr") and "Open support groups" in english.text
    spanish = await Visitor(client).get("/", headers={"accept-language": "es-MX,es;q=0.8"})
    assert language_of(spanish.text) == ("es", "ltr") and "Grupos de apoyo abiertos" in spanish.text


async def test_the_language_is_the_choice_then_the_profile_then_the_browser_then_the_org(client, api, every_language):
    admin = await api.user("admin")
    org = await api.org(admin)
    ana = await api.user("ana")
    await api.member(org, admin, ana, "participant")
    browser = Visitor(client)
    await browser.login(ana)
    french_browser = {"accept-language": "fr-FR,fr;q=0.9"}  # nothing coord speaks
    assert language_of((await browser.get("/me", headers=french_browser)).text)[0] == "en"
    # The organization's default, changed by its admin through the API.
    changed = expect(await client.patch(f"/api/v1/orgs/{org['id']}", json={"default_locale": "ar"},
                                        headers=admin.headers), 200)
    assert changed["default_locale"] == "ar"
    assert language_of((await browser.get("/me", headers=french_browser)).text)[0] == "ar"
    # The browser's language beats the organization's.
    assert language_of((await browser.get("/me", headers={"accept-language": "es"})).text)[0] == "es"
    # Her saved language beats the browser's.
    expect(await client.patch("/api/v1/me", json={"locale": "en"}, headers=ana.headers), 200)
    assert language_of((await browser.get("/me", headers={"accept-language": "es"})).text)[0] == "en"
    # The menu's choice beats everything, is remembered in a cookie and saved to her profile.
    chosen = await browser.post("/language", {"locale": "es", "next": "/me"}, form_page="/me")
    assert chosen.status_code == 303 and chosen.headers["location"] == "/me"
    assert browser.cookies["coord_lang"] == "es"
    page = await browser.get("/me", headers={"accept-language": "ar"})
    assert language_of(page.text)[0] == "es" and "Mi agenda" in page.text
    account = await browser.get("/me/account")
    assert "Nombre, zona horaria e idioma" in account.text and "El idioma de mi navegador" in account.text
    assert expect(await client.get("/api/v1/me", headers=ana.headers), 200)["locale"] == "es"


async def test_a_visitor_chooses_a_language_from_the_menu_on_any_page(client, every_language):
    browser = Visitor(client)
    home = await browser.get("/register")
    assert 'action="/language"' in home.text and '<option value="ar" lang="ar"' in home.text
    chosen = await browser.post("/language", {"locale": "ar", "next": "/register"}, form_page="/register")
    assert chosen.headers["location"] == "/register"
    page = await browser.get("/register")
    assert language_of(page.text) == ("ar", "rtl") and "إنشاء حساب" in page.text
    # An empty choice follows the browser again.
    await browser.post("/language", {"locale": "", "next": "/"}, form_page="/register")
    assert "coord_lang" not in browser.cookies
    assert language_of((await browser.get("/", headers={"accept-language": "es"})).text)[0] == "es"


async def test_a_language_below_the_threshold_is_neither_offered_nor_used(client, monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", set())
    monkeypatch.setattr(i18n, "ALL_MARKED", True)
    monkeypatch.setattr(i18n, "THRESHOLD", 1.01)  # no catalog is that complete: only English
    page = await Visitor(client).get("/login", headers={"accept-language": "es"})
    assert language_of(page.text) == ("en", "ltr") and "Log in" in page.text
    assert 'action="/language"' not in page.text  # a menu of one language is no menu
    monkeypatch.setattr(i18n, "THRESHOLD", 0.0)
    page = await Visitor(client).get("/login", headers={"accept-language": "es"})
    assert language_of(page.text)[0] == "es"
    assert '<option value="es" lang="es"' in page.text and '<option value="ar" lang="ar"' in page.text


@pytest.mark.parametrize(("path", "spanish"), [
    ("/forgot-password", "Enviarme un enlace"),
    ("/reset-password?token=nothing", "Este enlace ya no se puede usar"),
    ("/confirm-email", "Enviarme un enlace nuevo"),
    ("/logout", "No has iniciado sesión."),
    ("/register", "Crear una cuenta"),
])
async def test_the_account_pages_speak_spanish(client, every_language, path, spanish):
    page = await Visitor(client).get(path, headers={"accept-language": "es"})
    assert page.status_code == 200 and spanish in page.text and "Saltar al contenido" in page.text


async def test_an_error_page_speaks_arabic(client, every_language):
    page = await Visitor(client).get("/orgs/no-such-org", headers={"accept-language": "ar"})
    assert page.status_code == 404 and language_of(page.text) == ("ar", "rtl")
    assert "غير موجود" in page.text and "لا توجد منظمة على هذا العنوان" in page.text


async def test_lang_in_the_address_chooses_the_language_and_is_remembered(client, every_language):
    browser = Visitor(client)
    page = await browser.get("/?lang=es", headers={"accept-language": "en-US"})
    assert language_of(page.text) == ("es", "ltr") and GROUPS["es"] in page.text
    assert "coord_lang=es" in page.headers["set-cookie"]
    again = await browser.get("/", headers={"accept-language": "en-US"})
    assert language_of(again.text) == ("es", "ltr")
    # A language not offered is ignored, and nothing is remembered.
    other = await Visitor(client).get("/?lang=xx", headers={"accept-language": "ar"})
    assert language_of(other.text) == ("ar", "rtl")
    assert "coord_lang" not in " ".join(other.headers.get_list("set-cookie"))
