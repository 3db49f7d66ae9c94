"""Setting up an organization from the pages alone: "Create your organization" offered to a
person without one, its first steps, its settings, and the menu's Coordination."""

from __future__ import annotations

from tests.pages import Visitor, text_of
from tests.support import PASSWORD, expect

API = "/api/v1"
CHICAGO = "America/Chicago"


async def test_a_new_person_creates_an_organization_and_is_shown_its_first_steps(client, pool):
    browser = Visitor(client)
    signed_up = await browser.post("/register", {"email": "rosa@example.org", "password": PASSWORD,
                                                 "display_name": "Rosa", "timezone": CHICAGO})
    assert signed_up.headers["location"] == "/me"
    me = await browser.get("/me")
    assert "Create your organization" in text_of(me.text) and 'href="/orgs/new"' in me.text
    assert "Coordination" not in text_of(me.text.split("<main", 1)[0])  # no menu entry yet

    form = await browser.get("/orgs/new")
    assert form.status_code == 200
    assert f'<option value="{CHICAGO}" selected>' in form.text  # her own zone, until the browser's replaces it
    assert "data-browser-default" in form.text and 'data-slug-from="f-name"' in form.text
    assert 'value="rosa@example.org"' in form.text  # the contact address starts as hers

    created = await browser.post("/orgs/new", {"name": "Riverside Café Center", "slug": "", "timezone": CHICAGO,
                                               "contact_email": "hello@riverside.example.org"})
    assert created.status_code == 303, text_of(created.text)
    assert created.headers["location"] == "/orgs/riverside-cafe-center/first-steps"  # made from the name
    steps = await browser.get(created.headers["location"])
    text = text_of(steps.text)
    assert steps.status_code == 200 and "Riverside Café Center is ready" in text
    for anchor in ("#venues", "#groups", "#invitations"):
        assert f'href="/orgs/riverside-cafe-center/coordination{anchor}"' in steps.text
    assert 'href="/orgs/riverside-cafe-center/settings"' in steps.text
    menu = steps.text.split("<main", 1)[0]
    assert 'href="/orgs/riverside-cafe-center/coordination"' in menu and ">Coordination</a>" in menu
    row = await pool.fetchrow("SELECT o.timezone, o.contact_email, m.roles FROM orgs o JOIN org_members m "
                              "ON m.org_id = o.id WHERE o.slug = 'riverside-cafe-center'")
    assert (row["timezone"], row["contact_email"], list(row["roles"])) == (CHICAGO, "hello@riverside.example.org",
                                                                           ["admin"])

    # The same name again: the address gets a number; a taken address typed in is refused, as typed.
    again = await browser.post("/orgs/new", {"name": "Riverside Café Center", "timezone": CHICAGO,
                                             "contact_email": "rosa@example.org"})
    assert again.headers["location"] == "/orgs/riverside-cafe-center-2/first-steps"
    taken = await browser.post("/orgs/new", {"name": "Another", "slug": "riverside-cafe-center",
                                             "timezone": "Europe/Dublin", "contact_email": "a@example.org"})
    assert taken.status_code == 422
    assert "Another organization has this address" in text_of(taken.text)
    assert 'value="Another"' in taken.text and '<option value="Europe/Dublin" selected>' in taken.text
    assert "data-browser-default" not in taken.text  # her choice stays
    # Two organizations coordinated: the menu leads to a choice between them.
    choice = await browser.get("/coordination", follow_redirects=False)
    assert choice.status_code == 200 and "riverside-cafe-center-2/coordination" in choice.text
    assert 'href="/coordination"' in choice.text.split("<main", 1)[0]


async def test_admins_change_the_settings_in_plain_words_and_coordinators_only_read_them(client, api, pool):
    admin, coordinator = await api.user("Ada"), await api.user("Cora")
    org = await api.org(admin)
    await api.member(org, admin, coordinator, "coordinator")
    url = f"/orgs/{org['slug']}/settings"
    browser = Visitor(client)
    browser.cookies["coord_lang"] = "en"  # the admin reads English by choice once the default becomes Spanish
    await browser.login(admin)
    form = await browser.get(url)
    text = text_of(form.text)
    assert form.status_code == 200
    for words in ("Reminders: how many minutes before", "Crisis line", "Keep attendance for how many months",
                  "Weekly roster: day", "Daily digest: hour", "Late cancellations", "Contact email", "Timezone",
                  "Follow-ups: how many minutes after a session", "Language"):
        assert words in text
    assert "_minutes" not in text and "retention_months" not in text  # no field names in what people read
    current = {"name": org["name"], "contact_email": org["contact_email"], "timezone": org["timezone"],
               "crisis_resources": "Call the Harbor Warmline at 555-0100.", "reminder_lead_minutes": "120",
               "cancellation_cutoff_hours": "24", "retention_months": "24", "roster_weekday": "3", "roster_hour": "7",
               "digest_hour": "18", "followup_delay_minutes": "45", "default_locale": "en", "volunteer_hour_value": "34.79",
               "volunteer_hour_value_year": "2024", "referral_checkin_days": "7"}
    saved = await browser.post(url, {**current, "timezone": CHICAGO, "default_locale": "es"})
    assert saved.status_code == 303 and saved.headers["location"] == f"{url}?saved=1"
    assert "The settings are saved" in text_of((await browser.get(saved.headers["location"])).text)
    now = expect(await client.get(f"{API}/orgs/{org['id']}", headers=admin.headers), 200)
    assert (now["timezone"], now["reminder_lead_minutes"], now["roster_weekday"], now["roster_hour"],
            now["digest_hour"], now["crisis_resources"], now["followup_delay_minutes"], now["default_locale"]) == (
        CHICAGO, 120, 3, 7, 18, "Call the Harbor Warmline at 555-0100.", 45, "es")
    audit = await pool.fetchval("SELECT detail FROM audit_log WHERE action = 'org.settings_changed' ORDER BY id DESC")
    assert "name" not in str(audit) and "timezone" in str(audit)  # only what changed

    refused = await browser.post(url, {**current, "timezone": CHICAGO, "reminder_lead_minutes": "an hour"})
    assert refused.status_code == 422
    refused_text = text_of(refused.text)
    assert "Nothing was saved" in refused_text and 'value="an hour"' in refused.text
    assert "Expected" not in refused_text and "`int`" not in refused_text
    # The referral check-in's delay, in days, said in plain words when out of bounds.
    assert "Referral check-ins: how many days after" in text
    for wrong in ("0", "91", "a week"):
        refused = await browser.post(url, {**current, "timezone": CHICAGO, "default_locale": "es",
                                           "referral_checkin_days": wrong})
        assert refused.status_code == 422, wrong
        assert "Enter a number of days from 1 to 90, like 7." in text_of(refused.text)
        assert "referral_checkin_days" not in text_of(refused.text)
    saved = await browser.post(url, {**current, "timezone": CHICAGO, "default_locale": "es",
                                     "referral_checkin_days": "3"})
    assert saved.status_code == 303
    assert expect(await client.get(f"{API}/orgs/{org['id']}", headers=admin.headers), 200)["referral_checkin_days"] == 3
    current["referral_checkin_days"] = "3"

    reader = Visitor(client)
    reader.cookies["coord_lang"] = "en"
    await reader.login(coordinator)
    read_only = await reader.get(url)
    assert read_only.status_code == 200 and "Only an admin" in text_of(read_only.text)
    assert "Call the Harbor Warmline" in text_of(read_only.text) and 'action="' + url + '"' not in read_only.text
    denied = await reader.post(url, {**current, "roster_hour": "9"}, form_page=f"/orgs/{org['slug']}/coordination")
    assert denied.status_code == 403
