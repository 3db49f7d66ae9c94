"""The language of a message is its recipient's, never the actor's (issue 16.3): an admin
working in English adds people who read Spanish and Arabic, and each welcome arrives in
their own language, subject and body, from a real SMTP server."""

from __future__ import annotations

import pytest

from coord import i18n
from tests.pages import Visitor
from tests.support import expect, mail_html, mail_text, run_jobs


@pytest.fixture
def every_language(monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})


async def test_each_welcome_is_in_its_recipients_language_not_the_admins(client, api, smtp, mail_settings, pool,
                                                                         redis, every_language):
    admin = await api.user("admin")
    expect(await client.patch("/api/v1/me", json={"locale": "en"}, headers=admin.headers), 200)
    org = await api.org(admin)
    readers = {}
    for code in ("es", "ar", None):
        person = await api.user(f"reader-{code}")
        if code:
            expect(await client.patch("/api/v1/me", json={"locale": code}, headers=person.headers), 200)
        readers[code] = person
    smtp.messages.clear()
    for person in readers.values():  # the admin acts in English, in a request of her own
        body = {"email": person.email, "roles": ["participant"]}
        expect(await client.post(f"/api/v1/orgs/{org['id']}/members", json=body,
                                 headers={**admin.headers, "accept-language": "en"}), 201)
    await run_jobs(mail_settings, pool, redis)
    welcome = {code: next(m for m in smtp.messages if m["To"] == person.email) for code, person in readers.items()}
    name = org["name"]
    assert str(welcome["es"]["Subject"]) == f"Te damos la bienvenida a {name}"
    assert "Ahora formas parte de" in mail_text(welcome["es"]) and "Si no esperabas este mensaje" in mail_text(welcome["es"])
    assert str(welcome["ar"]["Subject"]) == f"أهلًا بك في {name}"
    assert "تمت إضافتك إلى" in mail_text(welcome["ar"])
    # The footer (after the link) is inside the Arabic body's right-to-left block too.
    html = mail_html(welcome["ar"])
    assert html.startswith('<div lang="ar" dir="rtl">') and html.endswith("</div>") and org["contact_email"] in html
    assert str(welcome[None]["Subject"]) == f"Welcome to {name}"
    assert "You have been added to" in mail_text(welcome[None])


async def test_the_organizations_language_speaks_to_those_who_chose_none(client, api, smtp, mail_settings, pool,
                                                                         redis, every_language):
    admin = await api.user("admin")
    org = await api.org(admin)
    expect(await client.patch(f"/api/v1/orgs/{org['id']}", json={"default_locale": "es"}, headers=admin.headers), 200)
    refused = await client.patch(f"/api/v1/orgs/{org['id']}", json={"default_locale": "tlh"}, headers=admin.headers)
    assert refused.status_code == 422
    person = await api.user("unsaid")
    await api.member(org, admin, person, "participant")
    await run_jobs(mail_settings, pool, redis)
    [welcome] = [m for m in smtp.messages if m["To"] == person.email]
    assert str(welcome["Subject"]) == f"Te damos la bienvenida a {org['name']}"


async def test_who_signs_up_in_spanish_gets_the_confirmation_link_in_spanish(client, smtp, mail_settings, pool, redis,
                                                                             every_language):
    browser = Visitor(client)
    await browser.post("/language", {"locale": "es", "next": "/register"}, form_page="/register")
    signed_up = await browser.post("/register", {"display_name": "Lucía", "email": "lucia@example.org",
                                                 "password": "una frase bastante larga", "timezone": "America/Chicago"})
    assert signed_up.status_code == 303, signed_up.text
    assert await pool.fetchval("SELECT locale FROM users WHERE email = 'lucia@example.org'") == "es"
    await run_jobs(mail_settings, pool, redis)
    [link] = [m for m in smtp.messages if m["To"] == "lucia@example.org"]
    assert str(link["Subject"]) == "Confirma tu dirección de correo electrónico para coord"
    assert "Hola, Lucía: confirma que esta es tu dirección" in mail_text(link)
    assert mail_html(link).startswith('<div lang="es" dir="ltr">')  # account mail too
