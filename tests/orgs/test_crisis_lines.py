"""Crisis lines per language (issue 16.8): each organization's lines carry the languages they
serve; every page and every follow-up shows those of the reader's language first."""

from __future__ import annotations

import html
import re

import pytest

from coord import i18n
from coord.kernel import clock
from coord.orgs.crisis import DEFAULT_LINES
from tests.pages import Visitor
from tests.pages import text_of as tags_dropped
from tests.support import API, assert_problem, expect, run_jobs
from tests.support.followups import after_followup_delay, mail_for, record
from tests.support.world import past_session, setup

ENGLISH, SPANISH = "988 Suicide & Crisis Lifeline:", "988 Lifeline en español:"


@pytest.fixture
def every_language(monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})


def text_of(page: str) -> str:
    return html.unescape(tags_dropped(page))


def first(text: str, *names: str) -> str:
    """Which of `names` the text says first."""
    return min((text.index(n), n) for n in names if n in text)[1]


async def test_coordinators_set_their_lines_with_languages_and_bad_codes_are_refused(client, api):
    admin = await api.user("admin")
    org = await api.org(admin)
    got = expect(await client.get(f"{API}/orgs/{org['id']}", headers=admin.headers), 200)
    assert [(line["name"], line["languages"]) for line in got["crisis_lines"]] == [
        (line.name, line.languages) for line in DEFAULT_LINES]
    assert "AYUDA" in got["crisis_lines"][2]["contact"] and got["crisis_lines"][2]["languages"] == ["es"]
    own = [{"name": "Línea local", "contact": "llama al 555-0100", "languages": ["es"]},
           {"name": "Warmline", "contact": "call 555-0199", "languages": ["EN", "es"]}]
    changed = expect(await client.patch(f"{API}/orgs/{org['id']}", json={"crisis_lines": own},
                                        headers=admin.headers), 200)
    assert changed["crisis_lines"][1]["languages"] == ["en", "es"]
    bad = assert_problem(await client.patch(f"{API}/orgs/{org['id']}", json={"crisis_lines": [
        {"name": "X", "contact": "y", "languages": ["zz"]}]}, headers=admin.headers), 422)
    assert bad["errors"][0]["field"] == "crisis_lines" and "“zz” is not a language code" in bad["detail"]
    restored = expect(await client.patch(f"{API}/orgs/{org['id']}", json={"crisis_lines": []},
                                         headers=admin.headers), 200)
    assert len(restored["crisis_lines"]) == len(DEFAULT_LINES)


async def test_every_page_shows_the_readers_languages_lines_first(client, api, every_language):
    admin = await api.user("admin")
    org = await api.org(admin)
    browser = Visitor(client)
    english = text_of((await browser.get(f"/orgs/{org['slug']}?lang=en")).text)
    assert first(english, ENGLISH, SPANISH) == ENGLISH
    spanish_page = await browser.get(f"/orgs/{org['slug']}?lang=es")
    assert first(text_of(spanish_page.text), ENGLISH, SPANISH) == SPANISH
    assert 'lang="en">988 Suicide' in spanish_page.text  # the others say which language they are in
    assert first(text_of((await browser.get("/register")).text), ENGLISH, SPANISH) == SPANISH  # the cookie
    arabic = text_of((await browser.get(f"/orgs/{org['slug']}?lang=ar")).text)
    assert "يمكنك أن تطلب مترجمًا" in arabic  # no line in Arabic: 988 interprets
    # The settings page edits them, languages and all.
    await browser.login(admin)
    settings = f"/orgs/{org['slug']}/settings"
    form = (await browser.get(settings + "?lang=en")).text
    assert "es | 988 Lifeline en español |" in form
    page = await browser.get(settings)
    values = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*?value="([^"]*)"', page.text))
    saved = await browser.post(settings, {
        "name": org["name"], "contact_email": values.get("contact_email") or org["contact_email"],
        "timezone": org["timezone"], "default_locale": "en",
        "crisis_resources": "988 Suicide & Crisis Lifeline: call or text 988. Crisis Text Line: text HOME to 741741.",
        "crisis_lines": "ar | خط المساعدة | اتصل بالرقم 555-0123\r\nen | Warmline | call 555-0199",
        "reminder_lead_minutes": "60", "followup_delay_minutes": "30", "cancellation_cutoff_hours": "24",
        "retention_months": "24", "roster_weekday": "1", "roster_hour": "8", "digest_hour": "8", "volunteer_hour_value": "34.79",
        "volunteer_hour_value_year": "2024", "referral_checkin_days": "7"})
    assert saved.status_code == 303, text_of(saved.text)
    lines = expect(await client.get(f"{API}/orgs/{org['id']}", headers=admin.headers), 200)["crisis_lines"]
    assert [(line["name"], line["languages"]) for line in lines] == [("خط المساعدة", ["ar"]), ("Warmline", ["en"])]
    refused = await browser.post(settings, {"crisis_lines": "just a phone number"})
    assert refused.status_code == 422 and "separated by |" in text_of(refused.text)


async def test_a_follow_up_shows_the_lines_of_its_readers_language_first(client, api, smtp, mail_settings, pool,
                                                                          redis, every_language):
    s = await setup(client, api, languages=["es"])  # a group held in Spanish
    expect(await client.post(f"{s.base}/join", headers=s.bystander.headers), 201)
    expect(await client.patch(f"{API}/me", json={"locale": "en"}, headers=s.participant.headers), 200)
    session = await past_session(s)
    await run_jobs(mail_settings, pool, redis)
    smtp.messages.clear()
    await record(client, s, session, {s.participant.id: "absent", s.bystander.id: "absent"})
    with clock.shifted(after_followup_delay(session)):
        await run_jobs(mail_settings, pool, redis)
    [spanish] = mail_for(smtp, s.bystander)  # chose no language: the group's
    body = spanish.get_body(("plain",)).get_content()
    assert first(body, ENGLISH, SPANISH) == SPANISH and "AYUDA" in body
    [english] = mail_for(smtp, s.participant)  # chose English
    assert first(english.get_body(("plain",)).get_content(), ENGLISH, SPANISH) == ENGLISH, english.get_body(("plain",)).get_content()
