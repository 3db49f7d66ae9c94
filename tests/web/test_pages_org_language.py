"""The organization, member, settings and invitation pages in Spanish and Arabic (issue 16,
points 1-4): each page, loaded through the real app with ?lang=es and ?lang=ar, shows its
own words translated and keeps none of the English sentences it shows in English (what the
test data says, names and addresses, is data and stays as written)."""

from __future__ import annotations

import re

import pytest

from coord import i18n
from tests.pages import Visitor, csrf_of
from tests.support import expect, run_jobs
from tests.support.invitation_pages import link_to
from tests.support.page_words import ALLOWED, ENGLISH_WORD, USER_CONTENT, Readable, data_phrases
from tests.support.world import make_event, make_group, make_shift

API = "/api/v1"
HTML = re.compile(r'<html lang="([^"]+)" dir="([^"]+)">')


@pytest.fixture
def every_language(monkeypatch):
    """Spanish and Arabic offered however complete their catalogs are (COORD_PREVIEW_LANGUAGES)."""
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})


CRISIS = re.compile(r'<p class="crisis".*?</p>', re.S)


def chunks(html: str) -> list[str]:
    """What the page says (Readable's texts), without the crisis lines: each line is a service's
    own words, in the languages it serves (issue 16.8), not the page's."""
    parser = Readable()
    parser.feed(CRISIS.sub("", html))
    return [" ".join(c.split()) for c in parser.chunks]


def english_sentences(html: str, data: re.Pattern[str]) -> set[str]:
    """What the English page says in two or more English words of its own (not data)."""
    found = set()
    for chunk in chunks(html):
        text = data.sub(" ", chunk)
        for allowed in ALLOWED:
            text = allowed.sub(" ", text)
        if len(ENGLISH_WORD.findall(text)) >= 2:
            found.add(chunk)
    return found


async def world(client, api, pool, smtp, mail_settings, redis):
    """An organization with an admin, a coordinator and a participant; a group, an event, a
    shift and a venue; a pending invitation (its link mailed); the admin's feed and training."""
    admin, coordinator, participant = await api.user("Ada"), await api.user("Cora"), await api.user("Pia")
    org = await api.org(admin)
    await api.member(org, admin, coordinator, "coordinator")
    await api.member(org, admin, participant, "participant")
    await make_group(client, org, admin, name="Evening Circle", visibility="public")
    await make_event(client, org, admin, visibility="public")
    await make_shift(client, org, admin)
    await api.venue(org, admin, "Main Hall", address="12 Elm Street")
    slug = org["slug"]
    browser = Visitor(client)
    await browser.login(admin)
    coordination = f"/orgs/{slug}/coordination"
    sent = await browser.post(f"/orgs/{slug}/invitations", {"email": "rosa@example.org", "roles[]": ["volunteer"]},
                              form_page=coordination)
    assert sent.status_code == 303
    await run_jobs(mail_settings, pool, redis)
    created = await browser.post("/me/feeds", {"scope": "mine", "label": "Phone"}, form_page="/me/feeds")
    assert created.status_code == 201
    recorded = await browser.post("/me/trainings", {"code": "MHFA", "completed_on": "2026-03-01"},
                                  form_page="/me/trainings")
    assert recorded.status_code == 303
    others = {"coordinator": Visitor(client), "participant": Visitor(client), "visitor": Visitor(client)}
    await others["coordinator"].login(coordinator)
    await others["participant"].login(participant)
    return {"admin": browser, **others}, org, participant, link_to(smtp, "rosa@example.org")


# (who, path, Spanish words it shows, Arabic words it shows)
PAGES = [
    ("admin", "/orgs/{slug}?welcome=1", "Ya eres miembro", "أصبحت عضوًا الآن"),
    ("admin", "/orgs/{slug}/coordination", "Lo que te necesita hoy", "ما يحتاج إليك اليوم"),
    ("admin", "/orgs/{slug}/coordination?done=invite", "La invitación va en camino", "الدعوة في طريقها"),
    ("admin", "/orgs/{slug}/first-steps", "Tres primeros pasos", "ثلاث خطوات أولى"),
    ("admin", "/orgs/new", "Nueva York (America/New York, UTC", "نيويورك (America/New York، UTC"),
    ("admin", "/orgs/{slug}/settings", "Guardar los ajustes", "حفظ الإعدادات"),
    ("admin", "/orgs/{slug}/settings?saved=1", "Los ajustes están guardados", "حُفظت الإعدادات"),
    ("admin", "/orgs/{slug}/members/{participant}/remove", "Qué pasará", "ما الذي سيحدث"),
    ("admin", "/me/delete", "Eliminar mi cuenta", "حذف حسابي"),
    ("admin", "/me/feeds", "Mis calendarios", "روابط تقويمي"),
    ("admin", "/me/feeds?revoked=1", "El calendario está revocado", "أُلغي الرابط"),
    ("admin", "/me/notifications?saved=1", "Horas de silencio", "ساعات الهدوء"),
    ("admin", "/me/trainings", "Formaciones registradas", "التدريبات المسجّلة"),
    ("coordinator", "/orgs/{slug}/settings", "Solo un administrador", "لا يغيّر هذه الإعدادات إلا مسؤول"),
    ("participant", "/orgs/{slug}", "Tablero de turnos", "لوحة المناوبات"),
    ("participant", "/orgs/{slug}/leave", "Dejarás de ser miembro", "لن تبقى عضوًا"),
    ("participant", "/coordination", "No coordinas ninguna organización", "أنت لا تنسّق أي منظمة"),
    ("visitor", "/orgs/{slug}", "Inicia sesión", "سجّل الدخول"),
    ("visitor", "{invitation}", "Crear mi cuenta y unirme", "إنشاء حسابي والانضمام"),
    ("visitor", "/invitations/not-a-real-token", "Este enlace de invitación no es válido", "رابط الدعوة هذا غير صالح"),
]


async def test_the_org_member_settings_and_invitation_pages_speak_spanish_and_arabic(
        client, api, pool, smtp, mail_settings, redis, every_language):
    browsers, org, participant, invitation = await world(client, api, pool, smtp, mail_settings, redis)
    data = data_phrases([v for v in await pool.fetchval(f"SELECT array_agg(x) FROM ({USER_CONTENT}) AS t(x)") if v])
    left: dict[str, list[str]] = {}
    for who, path, spanish, arabic in PAGES:
        url = path.format(slug=org["slug"], participant=participant.id, invitation=invitation)
        joiner = "&" if "?" in url else "?"
        english = await browsers[who].get(f"{url}{joiner}lang=en")
        assert english.status_code == 200, (url, english.status_code)
        sentences = english_sentences(english.text, data)
        assert sentences, url
        for code, words in (("es", spanish), ("ar", arabic)):
            page = await browsers[who].get(f"{url}{joiner}lang={code}")
            assert page.status_code == 200, (url, code)
            assert HTML.search(page.text).groups() == (code, "rtl" if code == "ar" else "ltr")
            still = sentences & set(chunks(page.text))
            if words not in page.text:
                still.add(f"(not shown: {words})")
            if still:
                left[f"{url} in {code} as {who}"] = sorted(still)
    assert not left, "\n".join(f"{page}:\n    " + "\n    ".join(texts) for page, texts in left.items())


async def test_a_role_change_and_its_consequences_in_arabic(client, api, every_language):
    admin, coordinator = await api.user("Ada"), await api.user("Cora")
    org = await api.org(admin)
    await api.member(org, admin, coordinator, "coordinator", "volunteer")
    await make_shift(client, org, admin)
    browser = Visitor(client)
    await browser.login(admin)
    browser.cookies["coord_lang"] = "ar"
    shifts = expect(await client.get(f"{API}/orgs/{org['id']}/shifts", headers=admin.headers), 200)["items"]
    expect(await client.post(f"{API}/shifts/{shifts[0]['id']}/signups", headers=coordinator.headers), 201)
    page = await browser.post(f"/orgs/{org['slug']}/members/{coordinator.id}/roles", {"roles[]": ["participant"]},
                              form_page=f"/orgs/{org['slug']}/coordination")
    assert page.status_code == 200 and HTML.search(page.text).groups() == ("ar", "rtl")
    # The roles in Arabic, joined with the Arabic comma; the place given up counted.
    assert "الأدوار الآن: منسّق، متطوع" in page.text and "<strong>مشارك</strong>" in page.text
    assert "لن تشمل أدواره بعد الآن: منسّق، متطوع." in page.text
    assert "تُترك أماكنه ومواضعه في قوائم الانتظار في المناوبات القادمة (1)" in page.text
    assert "Their roles" not in page.text and "What will happen" not in page.text


async def in_each_language(browser: Visitor, act) -> dict[str, str]:
    """The page `act()` answers, once in each language (the menu's cookie), by language."""
    pages = {}
    for code in ("en", "es", "ar"):
        browser.cookies["coord_lang"] = code
        answer = await act()
        assert HTML.search(answer.text).group(1) == code
        pages[code] = answer.text
    return pages


async def test_forms_refused_and_the_other_states_of_the_pages_speak_spanish_and_arabic(
        client, api, pool, smtp, mail_settings, redis, every_language):
    browsers, org, participant, invitation = await world(client, api, pool, smtp, mail_settings, redis)
    admin, slug = browsers["admin"], org["slug"]
    coordination = f"/orgs/{slug}/coordination"
    csv = ("email,name,roles\nlee@example.org,Lee,volunteer\nnot-an-address,Bo,volunteer\n"
           "kim@example.org,Kim,juggler\n")
    visitor_with_account = Visitor(client)
    cases = {
        # a refused form shows itself again, with what to fix
        "new organization refused": (admin, lambda: admin.post("/orgs/new", {
            "name": "Another", "slug": slug, "timezone": "America/New_York", "contact_email": "a@example.org"},
            form_page="/orgs/new"), "Otra organización tiene esta dirección"),
        "settings refused": (admin, lambda: admin.post(f"/orgs/{slug}/settings", {"name": "X"},
                                                       form_page=f"/orgs/{slug}/settings"), "No se guardó nada"),
        "quiet hours refused": (admin, lambda: admin.post("/me/notifications", {"quiet_hours_start": "25:99",
                                                                                "quiet_hours_end": "07:00"},
                                                          form_page="/me/notifications"), "Escribe una hora como 21:00"),
        "training refused": (admin, lambda: admin.post("/me/trainings", {"code": "MHFA", "completed_on": "soon"},
                                                       form_page="/me/trainings"), "Escribe una fecha como 2026-03-01"),
        "delete unconfirmed": (admin, lambda: admin.post("/me/delete", {}, form_page="/me/delete"),
                               "Marca la casilla"),
        "roles refused": (admin, lambda: admin.post(f"/orgs/{slug}/members/{participant.id}/roles", {},
                                                    form_page=coordination), "elige al menos una función"),
        "invitation without roles": (admin, lambda: admin.post(f"/orgs/{slug}/invitations",
                                                               {"email": "sam@example.org"}, form_page=coordination),
                                     "elige al menos una función"),
        "invitation file with invalid rows": (admin, lambda: admin.client.post(
            f"/orgs/{slug}/invitations/import", files={"file": ("people.csv", csv.encode(), "text/csv")},
            data={"_csrf_token": admin_token[0]}, headers=admin._headers()), "Filas no válidas: 2 de 3"),
        "a feed's address shown once": (admin, lambda: admin.post("/me/feeds", {"scope": "mine"}, form_page="/me/feeds"),
                                        "Tu nueva dirección de calendario"),
        "every member listed": (admin, lambda: admin.get(f"{coordination}?all=members"), "Miembros y funciones"),
        # the invitation as someone signed in with another address, and as a visitor whose address has an account
        "invitation for another address": (admin, lambda: admin.get(invitation),
                                           "pero esta invitación es para"),
        "invitation for an account": (visitor_with_account, lambda: visitor_with_account.get(invitation),
                                      "Crear mi cuenta y unirme"),
    }
    admin_token = [csrf_of((await admin.get(coordination)).text)]
    # The file's lines come back in the form (to invite its valid rows): data, like its cells.
    sent = [" ".join(csv.split()), *(cell for line in csv.splitlines() for cell in line.split(","))]
    data = data_phrases([*sent, *(v for v in await pool.fetchval(f"SELECT array_agg(x) FROM ({USER_CONTENT}) AS t(x)")
                                  if v)])
    left: dict[str, list[str]] = {}
    for name, (browser, act, spanish) in cases.items():
        pages = await in_each_language(browser, act)
        sentences = english_sentences(pages["en"], data)
        assert sentences, name
        for code in ("es", "ar"):
            still = sentences & set(chunks(pages[code]))
            if code == "es" and spanish not in pages[code]:
                still.add(f"(not shown: {spanish})")
            if still:
                left[f"{name} in {code}"] = sorted(still)
    assert not left, "\n".join(f"{page}:\n    " + "\n    ".join(texts) for page, texts in left.items())


async def test_a_page_for_other_roles_says_which_in_the_readers_language(client, api, every_language):
    admin, participant = await api.user("Ada"), await api.user("Pia")
    org = await api.org(admin)
    await api.member(org, admin, participant, "participant")
    browser = Visitor(client)
    await browser.login(participant)
    english = await browser.get(f"/orgs/{org['slug']}/coordination?lang=en")
    assert english.status_code == 403 and "this needs one of the roles: admin, coordinator" in english.text
    # The roles as the catalogs name them ("administrador/a"), joined as the language joins them.
    spanish = await browser.get(f"/orgs/{org['slug']}/coordination?lang=es")
    said = re.search(r"esto requiere una de estas funciones: ([^<]+)</p>", spanish.text)
    assert spanish.status_code == 403 and said and "admin, coordinator" not in spanish.text
    assert said.group(1).startswith("administrador") and "coordinador" in said.group(1)
    arabic = await browser.get(f"/orgs/{org['slug']}/settings?lang=ar")
    said = re.search(r"يتطلب هذا أحد الأدوار التالية: ([^<]+)</p>", arabic.text)
    assert arabic.status_code == 403 and said and "، " in said.group(1) and "admin" not in said.group(1)


async def test_the_api_documentation_page_says_its_own_words_in_the_readers_language(client, every_language):
    page = await client.get("/schema", headers={"accept-language": "es"})
    assert page.status_code == 200
    if '<html lang="es"' in page.text:  # the language is known there (the API's middleware)
        assert ": la API</title>" in page.text and "Esta página necesita JavaScript" in page.text
    english = await client.get("/schema", headers={"accept-language": "en"})
    assert ": the API</title>" in english.text and "This page needs JavaScript" in english.text
