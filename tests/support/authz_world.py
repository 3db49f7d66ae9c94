"""The world the authorization matrix runs in: one organization with a person in
every role, one object of every kind, and a member of another organization."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

from tests.moments import now
from tests.support import expect
from tests.support.world import make_group

UTC = timezone.utc
ROLES = ("anonymous", "participant", "volunteer", "facilitator_other", "facilitator", "coordinator", "admin", "outsider")


async def build_world(client, api, pool) -> dict:
    people = {role: await api.user(role) for role in ROLES if role != "anonymous"}
    admin = people["admin"]
    org = await api.org(admin)
    await api.org(people["outsider"])  # the outsider is admin of another organization
    await api.member(org, admin, people["coordinator"], "coordinator")
    for role in ("facilitator", "facilitator_other"):
        await api.member(org, admin, people[role], "facilitator")
    await api.member(org, admin, people["participant"], "participant")
    await api.member(org, admin, people["volunteer"], "volunteer")
    extra = await api.user("pending")
    await api.member(org, admin, extra, "participant")

    venue = expect(await client.post(f"/api/v1/orgs/{org['id']}/venues",
                                     json={"name": "Hall", "kind": "in_person", "address": "1 Main St"},
                                     headers=admin.headers), 201)
    group = await make_group(client, org, admin)
    other_group = await make_group(client, org, admin, name="Other group")
    approval_group = await make_group(client, org, admin, name="By approval", join_policy="approval")
    base = f"/api/v1/groups/{group['id']}"
    expect(await client.post(f"{base}/members", json={"user_id": people["facilitator"].id, "role": "facilitator"},
                             headers=admin.headers), 201)
    expect(await client.post(f"/api/v1/groups/{other_group['id']}/members",
                             json={"user_id": people["facilitator_other"].id, "role": "facilitator"},
                             headers=admin.headers), 201)
    expect(await client.post(f"{base}/join", headers=people["participant"].headers), 201)
    expect(await client.post(f"/api/v1/groups/{approval_group['id']}/join", headers=extra.headers), 201)

    start = (now() + timedelta(days=7)).replace(hour=18, minute=0, second=0, microsecond=0, tzinfo=None)
    series = expect(await client.post(f"{base}/series", json={
        "start": start.isoformat(), "timezone": "UTC", "duration_minutes": 90, "rrule": "FREQ=DAILY;COUNT=5",
        "facilitator_ids": [people["facilitator"].id]}, headers=admin.headers), 201)
    past_start = (now() - timedelta(days=2)).replace(second=0, microsecond=0, tzinfo=None)
    expect(await client.post(f"{base}/series", json={
        "start": past_start.isoformat(), "timezone": "UTC", "duration_minutes": 60, "rrule": "FREQ=DAILY;COUNT=1",
        "facilitator_ids": [people["facilitator"].id]}, headers=admin.headers), 201)
    sessions = expect(await client.get(f"{base}/sessions", params={"from": "2000-01-01T00:00:00Z"},
                                       headers=admin.headers), 200)["items"]
    past = next(s for s in sessions if datetime.fromisoformat(s["starts_at"]) < now())
    future = next(s for s in sessions if s["series_id"] == series["id"])

    soon = (now() + timedelta(days=3)).replace(microsecond=0)
    event = expect(await client.post(f"/api/v1/orgs/{org['id']}/events", json={
        "title": "Workshop", "kind": "workshop", "starts_at": soon.isoformat(),
        "ends_at": (soon + timedelta(hours=2)).isoformat(), "timezone": "UTC", "capacity": 50,
        "visibility": "private"}, headers=admin.headers), 201)
    shift = expect(await client.post(f"/api/v1/orgs/{org['id']}/shifts", json={
        "role": "Greeter", "starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=2)).isoformat(),
        "capacity": 50, "event_id": event["id"]}, headers=admin.headers), 201)
    signup = expect(await client.post(f"/api/v1/shifts/{shift['id']}/signups", headers=people["volunteer"].headers), 201)
    training = expect(await client.post("/api/v1/me/trainings", json={"code": "MHFA", "completed_on": "2026-01-10"},
                                        headers=people["volunteer"].headers), 201)
    feed = expect(await client.post("/api/v1/me/feeds", json={"scope": "mine"}, headers=people["participant"].headers), 201)
    delivery = await pool.fetchval(
        "INSERT INTO deliveries (key, org_id, kind, status, event_id) VALUES ('authz', $1::uuid, 'welcome', 'failed', gen_random_uuid()) RETURNING id",
        org["id"])
    invitation = expect(await client.post(f"/api/v1/orgs/{org['id']}/invitations", json={
        "email": "invitee@example.org", "roles": ["participant"]}, headers=admin.headers), 201)
    directory_import = expect(await client.post(
        f"/api/v1/orgs/{org['id']}/directory/imports?source=matrix", headers=admin.headers, content=json.dumps({
            "id": "s1", "name": "Food pantry", "organization": {"id": "o1", "name": "Pantry org"},
            "service_at_locations": [{"id": "sl1", "location": {"id": "l1", "name": "Hall", "addresses": [{
                "id": "a1", "address_1": "1 Main St", "city": "Town", "state_province": "IL", "postal_code": "60601",
                "country": "US"}]}}]}).encode()), 202)
    directory_service = await pool.fetchval("SELECT id::text FROM directory_services WHERE external_id = 's1'")
    directory_location = await pool.fetchval("SELECT id::text FROM directory_locations WHERE external_id = 'l1'")
    directory_organization = await pool.fetchval("SELECT id::text FROM directory_organizations WHERE external_id = 'o1'")
    directory_report = expect(await client.post(f"/api/v1/resources/{directory_service}/reports",
                                                json={"problem": "phone"}), 201)
    # Issue 17: the facilitator referred the participant to the service; the participant consented.
    referral = expect(await client.post("/api/v1/referrals", json={
        "person_id": people["participant"].id, "service_id": directory_service}, headers=people["facilitator"].headers), 201)
    consent_body = {"share_with": "Pantry org", "fields": ["name"], "purpose": "a visit",
                    "until": (now() + timedelta(days=30)).date().isoformat()}
    consent = expect(await client.post(f"/api/v1/referrals/{referral['id']}/consent", json=consent_body,
                                       headers=people["participant"].headers), 201)
    return {
        "people": people,
        "params": {
            "org_id": org["id"], "group_id": group["id"], "session_id": future["id"], "series_id": series["id"],
            "event_id": event["id"], "shift_id": shift["id"], "signup_id": signup["id"], "training_id": training["id"],
            "feed_id": feed["id"], "delivery_id": str(delivery), "user_id": people["participant"].id,
            "slug": org["slug"], "filename": feed["url"].rsplit("/", 1)[1], "venue_id": venue["id"],
            "invitation_id": invitation["id"], "token": "not-a-link-token",
            "import_id": directory_import["id"], "service_id": directory_service, "location_id": directory_location,
            "organization_id": directory_organization, "report_id": directory_report["id"],
            "referral_id": referral["id"], "consent_id": consent["id"],
        },
        # Some operations need a different object to reach their rule (not their 404).
        "overrides": {
            "approveGroupMember": {"group_id": approval_group["id"], "user_id": extra.id},
            "declineGroupMember": {"group_id": approval_group["id"], "user_id": extra.id},
            "getAttendance": {"session_id": past["id"]},
            "recordAttendance": {"session_id": past["id"]},
        },
        "bodies": {
            "updateOrg": {"crisis_resources": "Call 988"},
            "addOrgMember": {"email": extra.email, "roles": ["participant"]},
            "createInvitation": {"email": "someone@example.org", "roles": ["participant"]},
            "setOrgMemberRoles": {"roles": ["participant"]},
            "createVenue": {"name": "Room", "kind": "virtual", "meeting_url": "https://meet.example.org/x"},
            "createGroup": {"name": "New", "format": "peer_led", "visibility": "public", "join_policy": "open"},
            "addGroupMember": {"user_id": extra.id, "role": "participant"},
            "updateGroup": {"description": "Changed by the matrix"},
            "createSeries": {"start": start.isoformat(), "timezone": "UTC", "duration_minutes": 60, "rrule": "FREQ=WEEKLY;COUNT=2"},
            "cancelSession": {"reason": "matrix"},
            "editSeriesFromSession": {"duration_minutes": 45},
            "moveSession": {"starts_at": (datetime.fromisoformat(future["starts_at"]) + timedelta(minutes=30)).isoformat()},
            "recordAttendance": {"records": [{"user_id": people["participant"].id, "status": "present"}]},
            "rsvpSession": {"response": "going"},
            "setSessionFacilitators": {"user_ids": [people["facilitator"].id]},
            "endSeries": {},
            "setSeriesFacilitators": {"user_ids": [people["facilitator"].id]},
            "createEvent": {"title": "T", "kind": "social", "starts_at": soon.isoformat(),
                            "ends_at": (soon + timedelta(hours=1)).isoformat(), "timezone": "UTC", "visibility": "public"},
            "createShift": {"role": "Host", "starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=1)).isoformat(),
                            "capacity": 2},
            "updateEvent": {"capacity": 60},
            "updateVenue": {"accessibility": "Step-free entrance"},
            "updateDirectoryLocation": {"confidential": False},
            "updateDirectoryService": {"group_id": None},
            # The person referred is a member in no group of the facilitators': only staff serve them.
            "createReferral": {"person_id": extra.id, "service_id": directory_service},
            "setReferralStatus": {"status": "cancelled"},
            "answerReferralCheckin": {"answer": "not_yet"},
            "giveReferralConsent": consent_body,
            "updateShift": {"capacity": 60},
            "setShiftHours": {"hours": 2},
            "createEventShifts": {"shifts": [{"role": "Host", "starts_at": soon.isoformat(),
                                              "ends_at": (soon + timedelta(hours=1)).isoformat(), "capacity": 2}]},
            "duplicateShift": {},
            "recordTraining": {"code": "FIRST-AID", "completed_on": "2026-02-01"},
            "setNotificationSettings": {"disabled_kinds": []},
            "createFeed": {"scope": "mine"},
            "register": {"email": "new-person@example.org", "password": "a long enough passphrase", "display_name": "N"},
            "createToken": {"email": "nobody@example.org", "password": "a long enough passphrase"},
            "confirmEmail": {"token": "not-a-link-token"},
            "confirmPasswordReset": {"token": "not-a-link-token", "password": "a long enough passphrase"},
            "updateMe": {"display_name": "Matrix"},
            "changeEmail": {"email": "moved@example.org", "password": "a long enough passphrase"},
            "changePassword": {"current_password": "a long enough passphrase", "new_password": "another long passphrase"},
            "createOrg": {"name": "Another", "slug": "another-org", "timezone": "UTC", "contact_email": "a@example.org"},
        },
    }


NOT_PAGES = ("/api/", "/schema", "/static/", "/feeds/", "/health", "/ready", "/metrics", "/hsds", "/robots.txt")


def page_routes(app) -> set[tuple[str, str]]:
    """Every (method, path) of the pages: what is neither the API, nor a feed, nor a static file."""
    found = set()
    for route in app.routes:
        if route.path.startswith(NOT_PAGES) or route.path.endswith(".ics"):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        found.update((m, path) for m in route.methods if m in ("GET", "POST"))
    return found
