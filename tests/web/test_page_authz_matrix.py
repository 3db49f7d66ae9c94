"""Every page route for every role, from one table (the pages' twin of test_authz_matrix).

Pages answer like the API, in HTML: a visitor who must log in is sent to /login
(303), another organization's object is the 404 page, a missing role the 403 page.
Posts expected to succeed are not sent (they would change the world for the rows
after them); every refusal is sent, with a body that would otherwise be accepted.
"""

from __future__ import annotations

from datetime import timedelta

from tests.support.authz_world import ROLES, build_world, page_routes
from tests.pages import Visitor
from tests.moments import now

#                                                          anon part vol  fo   fac  coord admin out
TABLE = {
    ("GET", "/"):                                         "200  200  200  200  200  200  200  200",
    ("GET", "/login"):                                    "200  200  200  200  200  200  200  200",
    ("GET", "/forgot-password"):                          "200  200  200  200  200  200  200  200",
    ("GET", "/reset-password"):                           "200  200  200  200  200  200  200  200",
    ("GET", "/confirm-email"):                            "200  200  200  200  200  200  200  200",
    ("POST", "/forgot-password"):                         "ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/reset-password"):                          "422  422  422  422  422  422  422  422",  # no password
    ("POST", "/confirm-email"):                           "400  400  400  400  400  400  400  400",  # no link
    ("POST", "/confirm-email/resend"):                    "ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/me/account"):                               "303  200  200  200  200  200  200  200",
    ("POST", "/me/account"):                              "303  ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/me/account/email"):                        "303  ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/me/account/password"):                     "303  ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/register"):                                 "200  200  200  200  200  200  200  200",
    ("GET", "/logout"):                                   "200  200  200  200  200  200  200  200",
    ("POST", "/language"):                                "ok   ok   ok   ok   ok   ok   ok   ok",  # the menu
    ("GET", "/me"):                                       "303  200  200  200  200  200  200  200",
    ("GET", "/me/feeds"):                                 "303  200  200  200  200  200  200  200",
    ("GET", "/me/notifications"):                         "303  200  200  200  200  200  200  200",
    ("GET", "/me/trainings"):                             "303  200  200  200  200  200  200  200",
    ("GET", "/me/groups"):                                "303  200  200  200  200  200  200  200",
    ("GET", "/me/delete"):                                "303  200  200  200  200  200  200  200",
    ("GET", "/me/deleted"):                               "200  200  200  200  200  200  200  200",
    ("GET", "/me/export.json"):                           "303  200  200  200  200  200  200  200",
    ("GET", "/shifts"):                                   "303  200  200  200  200  200  200  200",
    ("GET", "/groups/{group_id}"):                        "200  200  200  200  200  200  200  200",  # public
    ("GET", "/groups/{group_id}/schedule"):               "303  403  403  403  200  200  200  404",
    ("GET", "/sessions/{session_id}"):                    "303  200  200  200  200  200  200  404",
    ("GET", "/orgs/{slug}"):                              "200  200  200  200  200  200  200  200",
    ("GET", "/orgs/{slug}/coordination"):                 "303  403  403  403  403  200  200  404",
    ("GET", "/orgs/{slug}/first-steps"):                  "303  403  403  403  403  200  200  404",
    ("GET", "/orgs/{slug}/settings"):                     "303  403  403  403  403  200  200  404",
    ("POST", "/orgs/{slug}/settings"):                    "303  403  403  403  403  403  ok   404",
    # Issue 18: reports (facilitators: their own groups', none for a facilitator of another group).
    ("GET", "/orgs/{slug}/reports"):                      "303  403  403  200  200  200  200  404",
    ("GET", "/orgs/{slug}/reports.csv"):                  "303  403  403  200  200  200  200  404",
    ("GET", "/orgs/new"):                                 "303  200  200  200  200  200  200  200",
    ("POST", "/orgs/new"):                                "303  ok   ok   ok   ok   ok   ok   ok",
    # Coordinators of one organization go straight to it; others are offered to create one.
    ("GET", "/coordination"):                             "303  200  200  200  200  303  303  303",
    ("GET", "/events/{event_id}"):                        "404  200  200  200  200  200  200  404",  # private
    ("POST", "/events/{event_id}/cancel"):                "303  403  403  403  403  ok   ok   404",
    ("POST", "/events/{event_id}/edit"):                  "303  403  403  403  403  ok   ok   404",
    ("POST", "/events/{event_id}/register"):              "303  ok   ok   ok   ok   ok   ok   404",
    ("POST", "/events/{event_id}/unregister"):            "303  404  404  404  404  404  404  404",
    ("POST", "/events/{event_id}/shifts"):                "303  403  403  403  403  ok   ok   404",
    ("POST", "/events/{event_id}/shifts/{shift_id}/duplicate"): "303  403  403  403  403  ok   ok   404",
    ("POST", "/events/{event_id}/shifts/{shift_id}/signups/{signup_id}/check-in"): "303  403  403  403  403  ok   ok   404",
    ("POST", "/events/{event_id}/shifts/{shift_id}/signups/{signup_id}/hours"): "303  403  403  403  403  ok   ok   404",
    ("POST", "/groups/{group_id}/join"):                  "303  ok   ok   ok   ok   ok   ok   404",
    ("POST", "/groups/{group_id}/leave"):                 "303  ok   404  404  ok   404  404  404",
    ("POST", "/groups/{group_id}/members/{user_id}/approve"): "303  403  403  403  403  ok   ok   404",
    ("POST", "/groups/{group_id}/schedule"):              "303  403  403  403  ok   ok   ok   404",
    # Issue 15: creating, changing, archiving a group; its people; its invitation link (the group is public:
    # it needs no link, 409, and has none to revoke, 404); {token} is no link (200 page, 400 to use).
    ("GET", "/orgs/{slug}/groups/new"):                   "303  403  403  403  403  200  200  404",
    ("POST", "/orgs/{slug}/groups"):                      "303  403  403  403  403  ok   ok   404",
    ("GET", "/groups/{group_id}/edit"):                   "303  403  403  403  403  200  200  404",
    ("POST", "/groups/{group_id}/edit"):                  "303  403  403  403  403  ok   ok   404",
    ("GET", "/groups/{group_id}/archive"):                "303  403  403  403  403  200  200  404",
    ("POST", "/groups/{group_id}/archive"):               "303  403  403  403  403  ok   ok   404",
    ("POST", "/groups/{group_id}/reopen"):                "303  403  403  403  403  ok   ok   404",
    ("POST", "/groups/{group_id}/members"):               "303  403  403  403  403  ok   ok   404",
    ("POST", "/groups/{group_id}/members/{user_id}/remove"): "303  ok   403  403  ok   ok   ok   404",
    ("POST", "/groups/{group_id}/members/{user_id}/decline"): "303  403  403  403  403  ok   ok   404",
    ("POST", "/groups/{group_id}/invite-link"):           "303  403  403  403  403  409  409  404",
    ("POST", "/groups/{group_id}/invite-link/revoke"):    "303  403  403  403  403  404  404  404",
    ("GET", "/groups/join/{token}"):                      "200  200  200  200  200  200  200  200",
    ("POST", "/groups/join/{token}"):                     "303  400  400  400  400  400  400  400",
    ("POST", "/me/events/{event_id}/cancel"):             "303  404  404  404  404  404  404  404",
    ("POST", "/me/feeds"):                                "303  ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/me/feeds/{feed_id}/revoke"):               "303  ok   404  404  404  404  404  404",
    ("POST", "/me/notifications"):                        "303  ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/me/sessions/{session_id}/rsvp"):           "303  ok   403  403  ok   403  403  404",
    ("POST", "/me/shifts/{shift_id}/cancel"):             "303  404  ok   404  404  404  404  404",
    ("POST", "/me/trainings"):                            "303  ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/orgs/{slug}/deliveries/{delivery_id}/retry"): "303  403  403  403  403  403  ok   404",
    ("POST", "/orgs/{slug}/events"):                      "303  403  403  403  403  ok   ok   404",
    ("POST", "/orgs/{slug}/members"):                     "303  403  403  403  403  ok   ok   404",
    ("POST", "/orgs/{slug}/invitations"):                 "303  403  403  403  403  ok   ok   404",
    ("POST", "/orgs/{slug}/invitations/import"):          "303  403  403  403  403  ok   ok   404",
    ("POST", "/orgs/{slug}/directory/imports"):           "303  403  403  403  403  ok   ok   404",
    ("POST", "/orgs/{slug}/directory/reports/{report_id}/resolve"): "303  403  403  403  403  ok   ok   404",
    ("POST", "/orgs/{slug}/directory/services/{service_id}/verified"): "303  403  403  403  403  ok   ok   404",
    # Finding help and saying an entry is wrong are public (issue 17.4, 17.5).
    ("GET", "/resources"):                                "200  200  200  200  200  200  200  200",
    ("GET", "/resources/{service_id}"):                   "200  200  200  200  200  200  200  200",
    ("POST", "/resources/{service_id}/report"):           "ok   ok   ok   ok   ok   ok   ok   ok",
    # Referrals (issue 17.6-17.8): the facilitator referred the participant, who consented. A referral's
    # pages are the person's (404 to others but the referrer and coordinators, who may not answer for them: 403);
    # the participant may not refer themself (422); counts are for staff and facilitators.
    ("GET", "/me/referrals"):                             "303  200  200  200  200  200  200  200",
    ("POST", "/me/referrals/{referral_id}/status"):       "303  ok   404  404  403  403  403  404",
    ("POST", "/me/referrals/{referral_id}/consent"):      "303  ok   404  404  403  403  403  404",
    ("POST", "/me/referrals/{referral_id}/consent/{consent_id}/revoke"): "303  ok   404  404  404  404  404  404",
    ("GET", "/referrals/{referral_id}/checkin"):          "303  200  404  404  404  404  404  404",
    ("POST", "/referrals/{referral_id}/checkin"):         "303  ok   404  404  404  404  404  404",
    ("GET", "/referrals/checkins/stop"):                  "303  200  200  200  200  200  200  200",
    ("POST", "/referrals/checkins/stop"):                 "303  ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/referrals/new"):                            "303  200  200  200  200  200  200  200",
    ("POST", "/referrals/new"):                           "303  422  403  403  ok   ok   ok   404",
    ("GET", "/orgs/{slug}/referrals"):                    "303  403  403  200  200  200  200  404",
    ("POST", "/orgs/{slug}/invitations/{invitation_id}/resend"): "303  403  403  403  403  ok   ok   404",
    ("POST", "/orgs/{slug}/invitations/{invitation_id}/revoke"): "303  403  403  403  403  ok   ok   404",
    # {token} is no link: the page says so to anyone (200); accepting it is refused (400).
    ("GET", "/invitations/{token}"):                      "200  200  200  200  200  200  200  200",
    ("POST", "/invitations/{token}/accept"):              "400  400  400  400  400  400  400  400",
    # Anyone may leave but the only admin; {user_id} is the participant's own id (removing oneself is leaving).
    ("GET", "/orgs/{slug}/leave"):                        "303  200  200  200  200  200  409  404",
    ("POST", "/orgs/{slug}/leave"):                       "303  ok   ok   ok   ok   ok   409  404",
    ("GET", "/orgs/{slug}/members/{user_id}/remove"):     "303  303  403  403  403  200  200  404",
    ("POST", "/orgs/{slug}/members/{user_id}/remove"):    "303  ok   403  403  403  ok   ok   404",
    ("POST", "/orgs/{slug}/members/{user_id}/roles"):     "303  403  403  403  403  ok   ok   404",
    ("POST", "/orgs/{slug}/shifts"):                      "303  403  403  403  403  ok   ok   404",
    ("POST", "/orgs/{slug}/venues"):                      "303  403  403  403  403  ok   ok   404",
    ("POST", "/orgs/{slug}/venues/{venue_id}"):           "303  403  403  403  403  ok   ok   404",
    ("POST", "/sessions/{session_id}/attendance"):        "303  403  403  403  ok   ok   ok   404",
    ("POST", "/sessions/{session_id}/cancel"):            "303  403  403  403  ok   ok   ok   404",
    ("POST", "/sessions/{session_id}/facilitate"):        "303  403  403  403  ok   422  422  404",
    ("POST", "/sessions/{session_id}/move"):              "303  403  403  403  ok   ok   ok   404",
    # Issue 15.4: a facilitator assigned from the coverage-gap list; a series' own facilitators.
    ("POST", "/orgs/{slug}/gaps/{session_id}"):           "303  403  403  403  ok   ok   ok   404",
    ("POST", "/groups/{group_id}/schedule/series/{series_id}/facilitators"):
                                                          "303  403  403  403  ok   ok   ok   404",
    ("POST", "/sessions/{session_id}/rsvp"):              "303  ok   403  403  ok   403  403  404",
    ("POST", "/shifts/{shift_id}/signup"):                "303  ok   ok   ok   ok   ok   ok   404",
    ("POST", "/shifts/{shift_id}/cancel"):                "303  404  ok   404  404  404  404  404",
}
# Covered by their own tests: they end the session or the account, or are the login forms.
NOT_IN_TABLE = {("POST", "/logout"), ("POST", "/me/logout-all"), ("POST", "/me/delete"), ("POST", "/login"),
                ("POST", "/register")}
def bodies(world: dict) -> dict[str, dict]:
    p, people = world["params"], world["people"]
    soon = (now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    later = (now() + timedelta(days=10, hours=2)).strftime("%Y-%m-%dT%H:%M")
    return {
        "/events/{event_id}/cancel": {"confirm": "yes"},
        "/events/{event_id}/edit": {"title": "Matrix", "starts_at": soon, "ends_at": later, "capacity": "5"},
        "/orgs/{slug}/groups": {"name": "Matrix", "format": "peer_led", "visibility": "public", "join_policy": "open",
                                "facilitators_required": "1", "timezone": "UTC"},
        "/groups/{group_id}/edit": {"name": "Matrix", "format": "peer_led", "visibility": "public",
                                    "join_policy": "open", "facilitators_required": "1", "timezone": "UTC"},
        "/groups/{group_id}/archive": {"confirm": "yes"},
        "/groups/{group_id}/members": {"user_id": people["volunteer"].id, "role": "participant"},
        "/groups/{group_id}/schedule": {"start_date": soon[:10], "start_time": "18:00", "timezone": "UTC",
                                        "duration_minutes": "60", "freq": "weekly", "count": "2"},
        "/me/sessions/{session_id}/rsvp": {"response": "going"},
        "/orgs/{slug}/events": {"title": "Matrix", "kind": "social", "starts_at": soon, "ends_at": later,
                                "visibility": "public"},
        "/orgs/{slug}/members": {"email": people["outsider"].email, "roles[]": "participant"},
        "/orgs/{slug}/invitations": {"email": "page-invitee@example.org", "roles[]": "participant"},
        "/orgs/{slug}/invitations/import": {"content": "email,name,roles\nfile-invitee@example.org,,participant\n"},
        "/orgs/{slug}/directory/imports": {"source": "matrix"},
        "/orgs/{slug}/leave": {"confirm": "yes"},
        "/orgs/{slug}/members/{user_id}/remove": {"confirm": "yes"},
        "/orgs/{slug}/members/{user_id}/roles": {"roles[]": "participant", "confirm": "yes"},
        "/orgs/{slug}/shifts": {"role": "Host", "starts_at": soon, "ends_at": later, "capacity": "2"},
        "/orgs/{slug}/settings": {"roster_hour": "9"},
        "/orgs/{slug}/venues": {"name": "Annex", "kind": "in_person", "address": "2 Main St"},
        "/orgs/{slug}/venues/{venue_id}": {"name": "Hall", "address": "3 Main St"},
        "/sessions/{session_id}/attendance": {f"status-{p['user_id']}": "present"},
        "/sessions/{session_id}/cancel": {"confirm": "yes", "reason": "matrix"},
        "/sessions/{session_id}/move": {"starts_at": soon},
        "/sessions/{session_id}/rsvp": {"response": "going"},
        "/me/referrals/{referral_id}/status": {"status": "accepted"},
        "/me/referrals/{referral_id}/consent": {"share_with": "Pantry", "purpose": "a visit", "fields": "name",
                                                "until": (now() + timedelta(days=5)).date().isoformat()},
        "/referrals/{referral_id}/checkin": {"answer": "not_yet"},
        "/referrals/new": {"person_id": p["user_id"], "target": f"service:{p['service_id']}"},
    }


async def test_every_page_for_every_role(app, client, api, pool):
    world = await build_world(client, api, pool)
    assert page_routes(app) - NOT_IN_TABLE == set(TABLE), "every page route needs a row in TABLE (and only those)"
    params = world["params"]
    overrides = {
        "/groups/{group_id}/members/{user_id}/approve": {"group_id": world["overrides"]["approveGroupMember"]["group_id"],
                                                          "user_id": world["overrides"]["approveGroupMember"]["user_id"]},
        "/groups/{group_id}/members/{user_id}/decline": world["overrides"]["declineGroupMember"],
        "/sessions/{session_id}/attendance": world["overrides"]["recordAttendance"],
    }
    browsers = {}
    for role in ROLES:
        browsers[role] = Visitor(client)
        if role != "anonymous":
            await browsers[role].login(world["people"][role])
    forms = bodies(world)
    mismatches, checked = [], 0
    for (method, path), row in TABLE.items():
        url = path.format(**{**params, **overrides.get(path, {})})
        for role, expected in zip(ROLES, row.split(), strict=True):
            if expected == "ok":
                continue  # a success would change the world for the rows after it
            browser = browsers[role]
            if method == "GET":
                response = await browser.get(url, follow_redirects=False)
            else:
                response = await browser.post(url, forms.get(path, {}), form_page="/login")
            checked += 1
            if response.status_code != int(expected):
                mismatches.append(f"{method} {path} as {role}: expected {expected}, got {response.status_code}")
            elif expected == "303" and role == "anonymous":
                assert response.headers["location"].startswith("/login?next="), (path, response.headers)
            elif expected in ("403", "404"):
                assert response.headers["content-type"].startswith("text/html"), (path, role)
    assert not mismatches, "\n".join(mismatches)
    assert checked > 200
