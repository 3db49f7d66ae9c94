"""/resources on a phone without JavaScript (issue 17.4): a GET form whose address is the share
link, results with distance, open now, tel: links, address, languages and last verified; a
printable list; a service's page with the report-a-problem form (17.5); the confidential
shelter never shows its address."""

from __future__ import annotations

from tests.pages import Visitor, text_of
from tests.support import shows_number


async def test_the_resources_page_finds_help_without_javascript(client, directory_world):
    browser = Visitor(client)
    empty = await browser.get("/resources")
    assert empty.status_code == 200 and 'method="get" action="/resources"' in empty.text
    assert 'name="viewport" content="width=device-width' in empty.text and "/static/resources.css" in empty.text

    found = await browser.get("/resources?q=&near=10001&radius_km=20&open_now=&language=&free=")
    text = text_of(found.text)
    assert found.status_code == 200 and "2 places found" in text
    assert text.index("Vivienda Segura") < text.index("Food Pantry")
    assert "Open now" in text and "Closed now" in text and "350 Fifth Avenue" in text
    assert 'href="tel:+12125550100"' in found.text and "Languages: Spanish" in text and "Not verified yet" in text
    # The share link carries the search only.
    assert 'href="/resources?near=10001&amp;radius_km=20"' in found.text
    printable = await browser.get("/resources?near=10001&radius_km=20&print=1")
    assert printable.status_code == 200 and "<form" not in printable.text.split("<main")[1].split("</main>")[0]
    assert "@media print" in (await client.get("/static/resources.css")).text

    spanish = await browser.get("/resources?q=viviendas&open_now=1")
    assert "1 place found" in text_of(spanish.text) and "Vivienda Segura" in spanish.text

    wrong = await browser.get("/resources?near=not%20a%20place!")
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.text

    shelter = await browser.get("/resources?q=shelter")
    assert "Safe House" in shelter.text and "Secret Lane" not in shelter.text and not shows_number(shelter.text, "10018")


async def test_anyone_reports_a_wrong_entry_and_the_curators_see_it(client, api, pool, directory_world):
    w = directory_world
    browser = Visitor(client)
    entry = f"/resources/{w.ids['shelter']}"
    shown = await browser.get(entry)
    assert shown.status_code == 200 and "Safe House" in shown.text and "Secret Lane" not in shown.text
    refused = await browser.post(f"{entry}/report", {"message": "?"}, form_page=entry)
    assert refused.status_code == 422 and "Choose what is wrong." in text_of(refused.text)
    sent = await browser.post(f"{entry}/report", {"problem": "phone", "message": "Nobody answers"}, form_page=entry)
    assert sent.status_code == 303 and sent.headers["location"] == f"{entry}?reported=1"
    assert "Thank you" in text_of((await browser.get(sent.headers["location"])).text)
    row = await pool.fetchrow("SELECT problem, message FROM directory_reports")
    assert (row["problem"], row["message"]) == ("phone", "Nobody answers")
