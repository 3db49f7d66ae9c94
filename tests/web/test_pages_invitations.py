"""Invitations as pages (issue 14): inviting from the coordination page, the link's page and
its accept form, the welcome; CSV import with its report. Real HTTP, a real SMTP sink, the
links read out of the messages."""

from __future__ import annotations

import re

from tests.pages import Visitor, text_of
from tests.support import API, PASSWORD, expect, run_jobs
from tests.support.invitation_pages import coordinator_browser, link_to, staff
from tests.support.world import make_shift


async def test_a_coordinator_invites_a_new_person_who_accepts_and_signs_up_for_a_shift(
        client, api, smtp, mail_settings, pool, redis):
    org, admin, browser, coordination = await coordinator_browser(client, api)
    page = await browser.get(coordination)
    assert 'id="invitations"' in page.text and 'value="admin"' not in page.text.split('id="invitations"')[1].split("</form>")[0]

    refused = await browser.post(f"/orgs/{org['slug']}/invitations", {"email": "not an address"}, form_page=coordination)
    assert refused.status_code == 422
    assert "choose at least one role" in text_of(refused.text) and 'value="not an address"' in refused.text
    sent = await browser.post(f"/orgs/{org['slug']}/invitations",
                              {"email": "rosa@example.org", "display_name": "Rosa", "roles[]": ["volunteer"]},
                              form_page=coordination)
    assert sent.status_code == 303 and "done=invite" in sent.headers["location"]
    listed = text_of((await browser.get(sent.headers["location"])).text)
    assert "invitation is on its way" in listed and "rosa@example.org" in listed and "Pending" in listed

    await run_jobs(mail_settings, pool, redis)
    link = link_to(smtp, "rosa@example.org")
    rosa = Visitor(client)
    shown = await rosa.get(link)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    text = text_of(shown.text)
    assert org["name"] in text and "volunteer" in text and "At least 10 characters" in text
    assert await pool.fetchval("SELECT accepted_at FROM invitations") is None  # opening it changed nothing

    short = await rosa.post(f"{link}/accept", {"display_name": "Rosa M", "password": "short"}, form_page=link)
    assert short.status_code == 422 and "at least 10 characters" in text_of(short.text)
    assert 'value="Rosa M"' in short.text and "coord_session" not in rosa.cookies
    accepted = await rosa.post(f"{link}/accept", {"display_name": "Rosa M", "password": PASSWORD}, form_page=link)
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/orgs/{org['slug']}?welcome=1"
    assert "coord_session" in rosa.cookies
    welcome = text_of((await rosa.get(accepted.headers["location"])).text)
    assert f"Welcome to {org['name']}" in welcome and "Sign up for a shift" in welcome

    shift = await make_shift(client, org, admin)
    board = await rosa.get(f"/shifts?org={org['slug']}")
    assert board.status_code == 200 and f"/shifts/{shift['id']}/signup" in board.text
    signed = await rosa.post(f"/shifts/{shift['id']}/signup", {"org": org["slug"]}, form_page=f"/shifts?org={org['slug']}")
    assert signed.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM signups s JOIN users u ON u.id = s.user_id "
                               "WHERE u.email = 'rosa@example.org'") == 1

    used = await Visitor(client).get(link)
    assert used.status_code == 200 and "already been accepted" in text_of(used.text)
    assert "ask the person who invited you" in text_of(used.text)


async def test_a_new_person_has_the_organizations_timezone_unless_they_choose_another(
        client, api, smtp, mail_settings, pool, redis):
    """Times in an invited person's pages and mail are the organization's (never UTC by
    default); the form offers that zone first (the browser's, with JavaScript) and keeps a choice."""
    org, admin, coordinator = await staff(api)
    for email in ("kim@example.org", "lee@example.org"):
        expect(await client.post(f"{API}/orgs/{org['id']}/invitations", json={"email": email, "roles": ["participant"]},
                                 headers=admin.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    kim_link, lee_link = link_to(smtp, "kim@example.org"), link_to(smtp, "lee@example.org")

    shown = await Visitor(client).get(kim_link)
    assert f'<option value="{org["timezone"]}" selected>' in shown.text and "data-browser-default" in shown.text
    assert f"({org['timezone']} time), once" in text_of(shown.text)  # the link's end, in the organization's zone
    kim = await Visitor(client).post(f"{kim_link}/accept", {"display_name": "Kim", "password": PASSWORD},
                                     form_page=kim_link)
    lee = await Visitor(client).post(f"{lee_link}/accept", {"display_name": "Lee", "password": PASSWORD,
                                                           "timezone": "Europe/Lisbon"}, form_page=lee_link)
    assert kim.status_code == lee.status_code == 303
    zones = {r["email"]: r["timezone"] for r in await pool.fetch("SELECT email, timezone FROM users")}
    assert zones["kim@example.org"] == org["timezone"] != "UTC" and zones["lee@example.org"] == "Europe/Lisbon"


async def test_an_existing_person_accepts_and_the_wrong_account_is_told_plainly(
        client, api, smtp, mail_settings, pool, redis):
    org, admin, coordinator = await staff(api)
    nell, other = await api.user("nell"), await api.user("other")
    expect(await client.post(f"{API}/orgs/{org['id']}/invitations", json={"email": nell.email, "roles": ["facilitator"]},
                             headers=admin.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    link = link_to(smtp, nell.email)

    signed_out = text_of((await Visitor(client).get(link)).text)
    assert f"Log in as {nell.email}" in signed_out and "/login?next=/invitations/" in (await Visitor(client).get(link)).text

    browser = Visitor(client)
    await browser.login(other)
    wrong = await browser.get(link)
    assert f"You are logged in as {other.email}" in text_of(wrong.text) and nell.email in text_of(wrong.text)
    refused = await browser.post(f"{link}/accept", {}, form_page=link)
    assert refused.status_code == 403 and "another address" in text_of(refused.text)
    out = await browser.post("/logout", {"next": link}, form_page=link)
    assert out.status_code == 303 and out.headers["location"] == link and "coord_session" not in browser.cookies

    await browser.login(nell)
    assert "Accept and join" in (await browser.get(link)).text
    accepted = await browser.post(f"{link}/accept", {}, form_page=link)
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/orgs/{org['slug']}?welcome=1"
    me = expect(await client.get(f"{API}/me", headers=nell.headers), 200)
    assert [m["org_id"] for m in me["memberships"]] == [org["id"]]


async def test_csv_with_a_bad_row_invites_nobody_until_the_valid_rows_are_confirmed(
        client, api, smtp, mail_settings, pool, redis):
    org, admin, browser, coordination = await coordinator_browser(client, api)
    content = "email,name,roles\nana@example.org,Ana,volunteer;participant\nnot-an-address,Bo,volunteer\ncy@example.org,,participant\n"
    report = await browser.post(f"/orgs/{org['slug']}/invitations/import", {}, form_page=coordination,
                                files={"file": ("people.csv", content.encode(), "text/csv")})
    assert report.status_code == 422
    text = text_of(report.text)
    assert "1 of 3 rows are invalid, so nobody was invited" in text
    assert "3 not-an-address Invalid not an email address" in text and "2 ana@example.org Not invited" in text
    assert await pool.fetchval("SELECT count(*) FROM invitations") == 0
    carried = re.search(r'<textarea name="content" hidden[^>]*>(.*?)</textarea>', report.text, re.S)
    assert carried and "cy@example.org" in carried.group(1)

    applied = await browser.post(f"/orgs/{org['slug']}/invitations/import",
                                 {"apply": "valid", "content": content}, form_page=coordination)
    assert applied.status_code == 200 and "2 invited, 0 skipped" in text_of(applied.text)
    assert sorted(r["email"] for r in await pool.fetch("SELECT email FROM invitations")) == ["ana@example.org",
                                                                                           "cy@example.org"]
    await run_jobs(mail_settings, pool, redis)
    assert link_to(smtp, "cy@example.org")

    no_file = await browser.post(f"/orgs/{org['slug']}/invitations/import", {}, form_page=coordination)
    assert no_file.status_code == 422 and "choose a CSV file" in text_of(no_file.text)
    headerless = await browser.post(f"/orgs/{org['slug']}/invitations/import", {"content": "a@b.org,x,volunteer\n"},
                                    form_page=coordination)
    assert headerless.status_code == 422 and "email,name,roles" in text_of(headerless.text)


async def test_revoke_and_resend_from_the_coordination_page(client, api, smtp, mail_settings, pool, redis):
    org, admin, browser, coordination = await coordinator_browser(client, api)
    made = expect(await client.post(f"{API}/orgs/{org['id']}/invitations",
                                    json={"email": "dee@example.org", "roles": ["participant"]}, headers=admin.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    first = link_to(smtp, "dee@example.org")
    base = f"/orgs/{org['slug']}/invitations/{made['id']}"
    resent = await browser.post(f"{base}/resend", {}, form_page=coordination)
    assert resent.status_code == 303 and "done=invitation_resent" in resent.headers["location"]
    await run_jobs(mail_settings, pool, redis)
    assert link_to(smtp, "dee@example.org") != first
    assert "cannot be used" in text_of((await Visitor(client).get(first)).text)
    revoked = await browser.post(f"{base}/revoke", {}, form_page=coordination)
    assert revoked.status_code == 303 and "done=invitation_revoked" in revoked.headers["location"]
    again = await browser.post(f"{base}/revoke", {}, form_page=coordination)
    assert again.status_code == 409 and "revoked already" in text_of(again.text)
    gone = text_of((await Visitor(client).get(link_to(smtp, "dee@example.org"))).text)
    assert "withdrawn" in gone
