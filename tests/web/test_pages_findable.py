"""Pages people can find their way in: the coordination page's sections and "show all",
times on public pages in the organization's named timezone, a form's address reloaded,
something not yours to see, and the API documentation served offline."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from tests.moments import local_start, now
from tests.pages import Visitor, text_of
from tests.support import expect
from tests.support.world import make_group, setup

API = "/api/v1"
CHICAGO = "America/Chicago"
SECTIONS = ("today", "gaps", "groups", "events", "members", "venues", "deliveries")


async def browser_for(client, user) -> Visitor:
    browser = Visitor(client)
    await browser.login(user)
    return browser


async def test_the_coordination_page_has_sections_to_jump_between_and_shows_all_on_request(client, api):
    admin, participant = await api.user("Ada"), await api.user("Pia")
    org = await api.org(admin, timezone=CHICAGO)
    await api.member(org, admin, participant, "participant")
    for n in range(10):
        await api.venue(org, admin, f"Room {n:02d}", address=f"{n} Main St")
    group = expect(await client.post(f"{API}/orgs/{org['id']}/groups", headers=admin.headers, json={
        "name": "Evening Circle", "format": "peer_led", "visibility": "public", "join_policy": "approval"}), 201)
    expect(await client.post(f"{API}/groups/{group['id']}/join", headers=participant.headers), 201)
    path = f"/orgs/{org['slug']}/coordination"
    browser = await browser_for(client, admin)

    page = await browser.get(path)
    html = page.text
    toc = re.search(r'<nav class="toc"[^>]*id="sections">(.*?)</nav>', html, re.S)
    assert toc, "no table of contents"
    for anchor in SECTIONS:
        assert f'href="#{anchor}"' in toc.group(1) and f'id="{anchor}"' in html, anchor
    assert html.count('href="#sections"') >= 6  # every section leads back to the list
    today = re.search(r'<section[^>]*id="today">(.*?)</section>', html, re.S).group(1)
    assert "1 request to join waits for approval" in text_of(today) and f'/groups/{group["id"]}#requests' in today

    venues = re.search(r'<section[^>]*id="venues">(.*?)</section>', html, re.S).group(1)
    assert len(re.findall(r'<li id="venue-', venues)) == 8  # a few screens, not every row
    assert f'href="{path}?all=venues#venues"' in venues and "Show all 10 venues" in text_of(venues)
    everything = await browser.get(f"{path}?all=venues")
    venues = re.search(r'<section[^>]*id="venues">(.*?)</section>', everything.text, re.S).group(1)
    assert len(re.findall(r'<li id="venue-', venues)) == 10 and "Show the first 8 only" in text_of(venues)


async def test_gaps_and_groups_show_their_first_rows_with_counts_of_all(client, api):
    """The page reads only the gaps and groups it shows; the counts, the "show all" links and
    what needs you today still cover every one (a join request in a group past the first rows)."""
    s = await setup(client, api)
    for n in range(8):
        await make_group(client, s.org, s.admin, name=f"Circle {n}")
    waiting = await make_group(client, s.org, s.admin, name="Zeta Circle", join_policy="approval")
    expect(await client.post(f"{API}/groups/{waiting['id']}/join", headers=s.bystander.headers), 201)
    await s.series(local_start(0, weekday=None), "FREQ=DAILY;COUNT=10")  # no facilitators: ten gaps
    soon = sum(1 for i in await s.sessions() if datetime.fromisoformat(i["starts_at"]) < now() + timedelta(hours=24))
    path = f"/orgs/{s.org['slug']}/coordination"
    browser = await browser_for(client, s.coordinator)

    def section(html: str, name: str) -> str:
        return re.search(rf'<section[^>]*id="{name}">(.*?)</section>', html, re.S).group(1)

    html = (await browser.get(path)).text
    assert 'href="#gaps">Gaps (10)</a>' in html
    gaps, groups = section(html, "gaps"), section(html, "groups")
    assert gaps.count('<a href="/sessions/') == 8 and "Show all 10 sessions needing facilitators" in text_of(gaps)
    assert groups.count('<a href="/groups/') == 8 and "Show all 10 groups" in text_of(groups)
    assert "Zeta Circle" not in groups
    today = text_of(section(html, "today"))
    assert "1 request to join waits for approval: Zeta Circle" in today
    if soon:
        assert f"{soon} session{'s' if soon > 1 else ''} in the next 24 hours need" in today
    every = (await browser.get(f"{path}?all=gaps")).text
    assert section(every, "gaps").count('<a href="/sessions/') == 10 and "Show the first 8 only" in text_of(section(every, "gaps"))
    assert section(every, "groups").count('<a href="/groups/') == 8
    every = (await browser.get(f"{path}?all=groups")).text
    assert section(every, "groups").count('<a href="/groups/') == 10 and "Zeta Circle" in section(every, "groups")
    assert section(every, "gaps").count('<a href="/sessions/') == 8


async def test_public_pages_show_times_in_the_organizations_timezone_and_name_it(client, api):
    admin = await api.user("Ada")
    org = await api.org(admin, timezone=CHICAGO)
    group = expect(await client.post(f"{API}/orgs/{org['id']}/groups", headers=admin.headers, json={
        "name": "Lakeside Circle", "format": "peer_led", "visibility": "public", "join_policy": "open"}), 201)
    start = local_start(1, hour=18, minute=30, tz=CHICAGO)
    expect(await client.post(f"{API}/groups/{group['id']}/series", headers=admin.headers, json={
        "start": start.isoformat(), "timezone": CHICAGO, "duration_minutes": 90, "rrule": "FREQ=WEEKLY;COUNT=2"}), 201)
    begins = (now() + timedelta(days=3)).replace(microsecond=0)
    event = expect(await client.post(f"{API}/orgs/{org['id']}/events", headers=admin.headers, json={
        "title": "Wellness Fair", "kind": "workshop", "starts_at": begins.isoformat(),
        "ends_at": (begins + timedelta(hours=2)).isoformat(), "timezone": CHICAGO, "visibility": "public"}), 201)

    visitor = Visitor(client)  # signed out
    for url in (f"/groups/{group['id']}", f"/events/{event['id']}", f"/orgs/{org['slug']}", "/"):
        text = text_of((await visitor.get(url)).text)
        assert CHICAGO in text, url
        assert "UTC" not in text, url
    home = text_of((await visitor.get("/")).text)
    assert f"{start:%H:%M} ({CHICAGO})" in home  # the group's next session, at its local time, zone named
    group_page = text_of((await visitor.get(f"/groups/{group['id']}")).text)
    assert f"{start:%H:%M}" in group_page


async def test_a_form_address_reloaded_with_get_opens_its_page_never_a_problem(client, api):
    """The 405-on-reload case: a refused form leaves the browser on its POST-only address."""
    admin = await api.user("Ada")
    org = await api.org(admin)
    group = expect(await client.post(f"{API}/orgs/{org['id']}/groups", headers=admin.headers, json={
        "name": "Circle", "format": "peer_led", "visibility": "public", "join_policy": "open"}), 201)
    browser = await browser_for(client, admin)
    refused = await browser.post(f"/orgs/{org['slug']}/venues", {"name": "Annex", "kind": "in_person"},
                                 form_page=f"/orgs/{org['slug']}/coordination")
    assert refused.status_code == 422  # the browser now shows this address; reloading it is a GET
    for address, page in ((f"/orgs/{org['slug']}/venues", f"/orgs/{org['slug']}/coordination#venues"),
                          (f"/groups/{group['id']}/join", f"/groups/{group['id']}"),
                          ("/me/logout-all", "/me")):
        reloaded = await browser.get(address, headers={"accept": "text/html"}, follow_redirects=False)
        assert reloaded.status_code == 303 and reloaded.headers["location"] == page, (address, reloaded.text)
        assert "problem+json" not in reloaded.headers.get("content-type", "")
        landed = await browser.get(page.split("#")[0])
        assert landed.status_code == 200 and landed.headers["content-type"].startswith("text/html")
    api_client = await client.get(f"{API}/auth/token")  # the API still answers as an API
    assert api_client.status_code == 405 and api_client.headers["content-type"] == "application/problem+json"


async def test_something_not_yours_to_see_says_what_to_do(client, api):
    admin, outsider = await api.user("Ada"), await api.user("Otto")
    org = await api.org(admin)
    private = expect(await client.post(f"{API}/orgs/{org['id']}/groups", headers=admin.headers, json={
        "name": "Quiet Room", "format": "peer_led", "visibility": "private", "join_policy": "approval"}), 201)
    url = f"/groups/{private['id']}"
    signed_out = await Visitor(client).get(url)
    assert signed_out.status_code == 404 and "no such" not in text_of(signed_out.text)
    assert "log in" in text_of(signed_out.text).lower() and 'href="/login?next=' in signed_out.text
    elsewhere = await (await browser_for(client, outsider)).get(url)
    text = text_of(elsewhere.text)
    assert elsewhere.status_code == 404 and "no such group" not in text
    assert "ask them to add you" in text and outsider.email in text and "Quiet Room" not in text


async def test_the_api_documentation_is_served_by_coord_itself(client):
    page = await client.get("/schema")
    assert page.status_code == 200
    assert not re.search(r"https?://", page.text), "the page loads something from elsewhere"
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert {"/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css",
            "/static/schema.js"} <= {path.partition("?")[0] for path in assets}
    for path in assets:
        response = await client.get(path)
        expected = "text/css" if path.partition("?")[0].endswith(".css") else "javascript"
        assert response.status_code == 200 and expected in response.headers["content-type"], path
    assert "Apache License" in (await client.get("/static/swagger-ui/LICENSE")).text
    csp = page.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert script_src.strip() == "'self'" and "http" not in csp
    assert "<script>" not in page.text  # nothing inline for the policy to block


async def test_the_password_rule_says_what_is_checked(client):
    browser = Visitor(client)
    form = text_of((await browser.get("/register")).text)
    assert "At least 10 characters" in form and "the part before the @ when that part has 4 or more characters" in form
    refused = await browser.post("/register", {"email": "samlee@example.org", "password": "samlee walks the dog",
                                               "display_name": "Sam"})
    assert refused.status_code == 422 and "before the @" in text_of(refused.text)
    short_name = await browser.post("/register", {"email": "sam@example.org", "password": "sam walks the dog",
                                                  "display_name": "Sam"})
    assert short_name.status_code == 303  # three letters before the @: not checked, as the rule says
