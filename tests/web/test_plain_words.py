"""Words a person can act on (issue 16.9): a refused field says what to write, in the
reader's language, never a validator's internals or an API path; in error, a field is
marked invalid and linked to its message and still to its hint."""

from __future__ import annotations

import re

import pytest

from coord import i18n
from tests.pages import Visitor, text_of
from tests.support import API, PASSWORD, assert_problem

BAD_ADDRESS = {"display_name": "Lucía", "email": "not-an-address", "password": PASSWORD, "timezone": "America/Chicago"}
EMAIL = "Enter an email address like name@example.org."
# As each catalog words it (and it must: a Spanish or Arabic reader is not told in English).
EMAIL_WORDS = {code: i18n.catalog(code).translations.gettext(EMAIL) for code in ("en", "es", "ar")}
assert len(set(EMAIL_WORDS.values())) == 3


@pytest.fixture
def every_language(monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})


def input_tag(html: str, name: str) -> str:
    return re.search(rf'<input id="f-{name}"[^>]*>', html).group(0)


@pytest.mark.parametrize("language", ["en", "es", "ar"])
async def test_register_answers_a_bad_address_with_what_to_write_in_the_readers_language(
        client, language, every_language):
    browser = Visitor(client)
    await browser.get(f"/register?lang={language}")
    refused = await browser.post("/register", BAD_ADDRESS)
    assert refused.status_code == 422
    page = text_of(refused.text)
    assert EMAIL_WORDS[language] in page
    assert "Expected" not in page and "regex" not in page and "`str`" not in page
    email = input_tag(refused.text, "email")
    assert 'aria-invalid="true"' in email and 'aria-describedby="f-email-error"' in email
    assert re.search(r'<p class="error" id="f-email-error">[^<]*' + re.escape(EMAIL_WORDS[language]), refused.text)


async def test_a_password_in_error_keeps_its_rule_linked(client):
    browser = Visitor(client)
    refused = await browser.post("/register", {**BAD_ADDRESS, "email": "lucia@example.org", "password": "short"})
    assert refused.status_code == 422
    password = input_tag(refused.text, "password")
    assert 'aria-invalid="true"' in password and 'aria-describedby="f-password-error f-password-hint"' in password
    assert 'id="f-password-hint"' in refused.text and 'id="f-password-error"' in refused.text
    assert "Choose a longer password: at least 10 characters." in text_of(refused.text)


async def test_the_api_keeps_its_errors_and_says_what_to_fix_in_the_clients_language(client, every_language):
    body = {"email": "not-an-address", "password": PASSWORD, "display_name": "Lucía"}
    problem = assert_problem(await client.post(f"{API}/auth/register", json=body), 400)
    [error] = problem["errors"]
    assert error["field"] == "email" and error["message"] == EMAIL_WORDS["en"]
    assert "regex" in error["reason"]  # msgspec's own words stay, for a developer
    assert problem["detail"] == f"email: {EMAIL_WORDS['en']}"
    problem = assert_problem(await client.post(f"{API}/auth/register", json=body,
                                               headers={"accept-language": "es-MX,es;q=0.9"}), 400)
    assert problem["errors"][0]["message"] == EMAIL_WORDS["es"]
    missing = assert_problem(await client.post(f"{API}/auth/register", json={"email": "a@example.org",
                                                                            "password": PASSWORD}), 400)
    assert missing["errors"][0]["field"] == "display_name"
    assert missing["errors"][0]["message"] == "This field is required."
    rule = assert_problem(await client.post(f"{API}/auth/register", json={**body, "email": "a@example.org",
                                                                         "password": ""}), 400)
    assert rule["errors"][0]["message"].startswith("Choose a password of at least 10 characters")
    short = assert_problem(await client.post(f"{API}/auth/register", json={**body, "email": "a@example.org",
                                                                          "password": "short"}), 422)
    assert short["errors"][0] == {"field": "password", "message": short["detail"]}
    assert "at least 10 characters" in short["detail"]
