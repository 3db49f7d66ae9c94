"""The public lists filter groups and events by the language they are held in, with a plain
GET form that works without JavaScript, and name the languages in the reader's language
(issue 16.7)."""

from __future__ import annotations

import re

import pytest

from coord import i18n
from tests.pages import Visitor, text_of
from tests.support import API, expect
from tests.support.world import make_event, make_group


@pytest.fixture
def every_language(monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})


async def test_the_home_and_org_pages_filter_by_language_without_javascript(client, api, every_language):
    admin = await api.user("admin")
    org = await api.org(admin)
    spanish = await make_group(client, org, admin, name="Grupo de duelo", languages=["es"])
    english = await make_group(client, org, admin, name="Grief group", languages=["en"])
    event = await make_event(client, org, admin, title="Taller en árabe", visibility="public", languages=["ar", "es"])
    browser = Visitor(client)
    for path in ("/", f"/orgs/{org['slug']}"):
        everything = await browser.get(path)
        form = re.search(r'<form method="get" action="([^"]*)" class="inline language-filter".*?</form>',
                         everything.text, re.S)
        assert form and form.group(1) == path and 'name="language"' in form.group(0)
        assert '<option value="es">Spanish</option>' in form.group(0)
        assert "Grupo de duelo" in everything.text and "Grief group" in everything.text
        assert "Held in: Arabic, Spanish" in text_of(everything.text)
        held_in_spanish = await browser.get(f"{path}?language=es")
        assert f"/groups/{spanish['id']}" in held_in_spanish.text and f"/groups/{english['id']}" not in held_in_spanish.text
        assert f"/events/{event['id']}" in held_in_spanish.text
        assert '<option value="es" selected>' in held_in_spanish.text
        held_in_arabic = await browser.get(f"{path}?language=ar")
        assert f"/groups/{spanish['id']}" not in held_in_arabic.text and f"/events/{event['id']}" in held_in_arabic.text
        nonsense = await browser.get(f"{path}?language=zz")  # not a language: every group
        assert nonsense.status_code == 200 and f"/groups/{english['id']}" in nonsense.text
    # Named in the reader's language.
    in_spanish = text_of((await browser.get("/?lang=es")).text)
    assert "árabe, español" in in_spanish
    group_page = text_of((await browser.get(f"/groups/{spanish['id']}?lang=en")).text)
    assert "Held in: Spanish" in group_page


async def test_coordinators_say_an_events_languages_on_its_forms(client, api, pool):
    admin = await api.user("admin")
    org = await api.org(admin)
    browser = Visitor(client)
    await browser.login(admin)
    coordination = f"/orgs/{org['slug']}/coordination"
    form = (await browser.get(coordination)).text
    assert 'name="languages"' in form
    event = await make_event(client, org, admin, title="Workshop")
    page = (await browser.get(f"/events/{event['id']}")).text
    assert 'id="edit-languages"' in page
    edited = await browser.post(f"/events/{event['id']}/edit", {
        "title": "Workshop", "starts_at": re.search(r'id="edit-starts"[^>]*value="([^"]+)"', page).group(1),
        "ends_at": re.search(r'id="edit-ends"[^>]*value="([^"]+)"', page).group(1), "capacity": "2",
        "languages": "es, EN"}, form_page=f"/events/{event['id']}")
    assert edited.status_code == 303, text_of(edited.text)
    assert expect(await client.get(f"{API}/events/{event['id']}", headers=admin.headers), 200)["languages"] == ["es", "en"]
    refused = await browser.post(f"/events/{event['id']}/edit", {
        "title": "Workshop", "starts_at": re.search(r'id="edit-starts"[^>]*value="([^"]+)"', page).group(1),
        "ends_at": re.search(r'id="edit-ends"[^>]*value="([^"]+)"', page).group(1), "languages": "xx"},
        form_page=f"/events/{event['id']}")
    assert refused.status_code == 422 and "“xx” is not a language code" in text_of(refused.text)
