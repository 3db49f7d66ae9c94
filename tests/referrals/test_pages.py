"""The referral pages, as a browser uses them without JavaScript: a facilitator refers from
the Refer form, the person accepts and consents on their page, answers the check-in from
the mail's link (a page whose button answers), stops check-ins; coordinators see counts
with no names."""

from __future__ import annotations

from datetime import timedelta

from tests.moments import now
from tests.pages import Visitor, text_of
from tests.referrals.helpers import mine, refer
from tests.support import API, expect


async def test_a_facilitator_refers_from_the_form_and_the_person_answers_on_their_page(client, world, pool):
    s = world.s
    facilitator, person = Visitor(client), Visitor(client)
    await facilitator.login(s.facilitator)
    await person.login(s.participant)

    form = await facilitator.get(f"/referrals/new?person_id={s.participant.id}&find=Food")
    assert form.status_code == 200 and "Riverside Food Pantry" in form.text and s.group["name"] in form.text
    # Nothing chosen: the form says what to fix.
    refused = await facilitator.post("/referrals/new", {"person_id": s.participant.id}, form_page="/referrals/new")
    assert refused.status_code == 422 and "choose a group or a service" in refused.text
    sent = await facilitator.post("/referrals/new", {"person_id": s.participant.id, "target": f"service:{world.food}",
                                                     "note": "Tuesdays at 9"}, form_page="/referrals/new")
    assert sent.status_code == 303
    [r] = await mine(client, s.participant)

    page = await person.get("/me/referrals")
    assert "Riverside Food Pantry" in page.text and "Tuesdays at 9" in text_of(page.text)
    accepted = await person.post(f"/me/referrals/{r['id']}/status", {"status": "accepted"}, form_page="/me/referrals")
    assert accepted.status_code == 303
    until = (now() + timedelta(days=20)).date().isoformat()
    # A consent without any fact chosen is refused, saying so.
    bad = await person.post(f"/me/referrals/{r['id']}/consent", {"share_with": "Pantry", "purpose": "a visit",
                                                                 "until": until}, form_page="/me/referrals")
    assert bad.status_code == 422 and "choose at least one thing to share" in bad.text
    ok = await person.post(f"/me/referrals/{r['id']}/consent", {"share_with": "Pantry", "purpose": "a visit",
                                                                "until": until, "fields": "name"},
                           form_page="/me/referrals")
    assert ok.status_code == 303
    page = await person.get("/me/referrals?done=consent")
    assert "You allow sharing My name with Pantry" in text_of(page.text)
    [r] = await mine(client, s.participant)
    revoked = await person.post(f"/me/referrals/{r['id']}/consent/{r['consents'][0]['id']}/revoke", {},
                                form_page="/me/referrals")
    assert revoked.status_code == 303
    [r] = await mine(client, s.participant)
    assert r["status"] == "accepted" and r["consents"][0]["revoked_at"] is not None

    # The check-in's link opens a page; only its button answers.
    link = f"/referrals/{r['id']}/checkin?answer=did_not_work"
    asked = await person.get(link)
    assert asked.status_code == 200 and 'value="did_not_work" required checked' in asked.text
    assert (await mine(client, s.participant))[0]["checkin_answer"] is None
    answered = await person.post(f"/referrals/{r['id']}/checkin", {"answer": "did_not_work"}, form_page=link)
    assert answered.status_code == 303
    [r] = await mine(client, s.participant)
    assert (r["status"], r["checkin_answer"]) == ("failed", "did_not_work")
    # Someone else opening the link finds nothing.
    assert (await facilitator.get(link)).status_code == 404

    # The check-in's "stop" link and the settings page's switch are one setting.
    settings = await person.get("/me/notifications")
    assert 'value="referral_checkin" checked' in settings.text.replace("\n", " ")
    stopped = await person.post("/referrals/checkins/stop", {})
    assert stopped.status_code == 303
    prefs = expect(await client.get(f"{API}/me/notifications", headers=s.participant.headers), 200)
    assert prefs["disabled_kinds"] == ["referral_checkin"], prefs
    settings = await person.get("/me/notifications")
    assert 'value="referral_checkin"' in settings.text and 'value="referral_checkin" checked' not in settings.text
    assert (await person.post("/referrals/checkins/stop", {})).status_code == 303  # twice is the same
    prefs = expect(await client.get(f"{API}/me/notifications", headers=s.participant.headers), 200)
    assert prefs["disabled_kinds"] == ["referral_checkin"], prefs


async def test_coordinators_see_counts_without_names(client, world):
    s = world.s
    await refer(client, s.facilitator, s.participant, service_id=world.food, note="Private words")
    admin = Visitor(client)
    await admin.login(s.admin)
    page = await admin.get(f"/orgs/{s.org['slug']}/referrals")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Food" in text and "Waiting for your answer" in text and "1-10" in text
    person = expect(await client.get(f"{API}/me", headers=s.participant.headers), 200)
    assert person["display_name"] not in text and "Private words" not in text
    facilitator = Visitor(client)
    await facilitator.login(s.facilitator)
    theirs = text_of((await facilitator.get(f"/orgs/{s.org['slug']}/referrals")).text)
    assert person["display_name"] in theirs
    participant = Visitor(client)
    await participant.login(s.participant)
    assert (await participant.get(f"/orgs/{s.org['slug']}/referrals")).status_code == 403


async def test_the_refer_form_is_linked_from_the_groups_people_and_the_coordination_page(client, world):
    s = world.s
    facilitator, coordinator, person = Visitor(client), Visitor(client), Visitor(client)
    await facilitator.login(s.facilitator)
    await coordinator.login(s.coordinator)
    await person.login(s.participant)
    group_page = await facilitator.get(f"/groups/{s.group['id']}")
    assert f'href="/referrals/new?person_id={s.participant.id}"' in group_page.text
    coordination = await coordinator.get(f"/orgs/{s.org['slug']}/coordination")
    assert f'href="/orgs/{s.org["slug"]}/referrals"' in coordination.text
    assert 'href="/me/referrals"' in (await person.get("/me")).text

