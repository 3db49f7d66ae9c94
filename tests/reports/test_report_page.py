"""/orgs/{slug}/reports: the charts are valid SVG with a title and a description, each followed
by a table of the same numbers; the CSV is the page's; facilitators see their own groups'."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tests.pages import Visitor, text_of
from tests.support.report_world import build, label

SVG = "{http://www.w3.org/2000/svg}"


async def test_charts_tables_and_csv_for_a_coordinator(client, api, pool):
    s, m1, m2 = await build(client, api, pool)
    browser = Visitor(client)
    await browser.login(s.coordinator)
    path = f"/orgs/{s.org['slug']}/reports?from={label(m1)}&to={label(m2)}"
    response = await browser.get(path)
    assert response.status_code == 200, response.text
    html = response.text
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(svgs) == 5  # attendance, hours, coverage, languages, referrals
    for svg in svgs:
        root = ET.fromstring(svg)
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert root.get("role") == "img"
    text = text_of(html)
    assert "Attendance over time" in text and "1-10" in text and "Every figure" in text
    assert "34.79" in text and "2024" in text  # the value of an hour and its year
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    assert "Person " not in text  # nobody is named
    csv = await browser.get(f"/orgs/{s.org['slug']}/reports.csv?from={label(m1)}&to={label(m2)}")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "Present,14,25" in csv.text.replace("Attendance,", "")


async def test_facilitators_see_their_groups_and_others_do_not(client, api, pool):
    s, m1, m2 = await build(client, api, pool)
    path = f"/orgs/{s.org['slug']}/reports?from={label(m1)}&to={label(m2)}"
    facilitator = Visitor(client)
    await facilitator.login(s.facilitator)
    mine = await facilitator.get(path)
    assert mine.status_code == 200 and "Your own groups only." in text_of(mine.text)
    assert "Volunteer hours over time" not in mine.text
    participant = Visitor(client)
    await participant.login(s.participant)
    assert (await participant.get(path)).status_code == 403


async def test_a_wrong_month_is_a_form_that_says_what_to_fix(client, api, pool):
    s, m1, m2 = await build(client, api, pool)
    browser = Visitor(client)
    await browser.login(s.admin)
    response = await browser.get(f"/orgs/{s.org['slug']}/reports?from=2026-13")
    assert response.status_code == 422
    assert "from must be a month written YYYY-MM" in text_of(response.text)
    assert 'aria-invalid="true"' in response.text


async def test_the_value_of_an_hour_is_a_setting(client, api, pool):
    s, m1, m2 = await build(client, api, pool)
    browser = Visitor(client)
    await browser.login(s.admin)
    url = f"/orgs/{s.org['slug']}/settings"
    form = await browser.get(url)
    assert "Value of a volunteer hour" in text_of(form.text) and 'value="34.79"' in form.text
    fields = dict(re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', form.text))
    fields.update({"crisis_resources": "Call 988.", "timezone": s.org["timezone"], "default_locale": "en",
                   "roster_weekday": "1", "roster_hour": "8", "digest_hour": "8", "volunteer_hour_value": "31.80",
                   "volunteer_hour_value_year": "2023"})
    fields.pop("_csrf_token", None)
    saved = await browser.post(url, fields)
    assert saved.status_code == 303, saved.text
    report = await browser.get(f"/orgs/{s.org['slug']}/reports?from={label(m2)}&to={label(m2)}")
    assert "$31.80 an hour (2023 figure" in text_of(report.text)
    assert "111.30" in text_of(report.text)  # 3.5 approved hours at 31.80
