"""Every route of the OpenAPI schema x every role, from the table below.

Roles (columns, in order): anonymous, participant (member of the group),
volunteer, facilitator of another group, facilitator of this group (assigned to
its sessions), coordinator, admin, member of another organization.

A number is the exact status expected. `ok` means allowed: GETs are made and
must answer 2xx; changes by allowed roles are exercised by the domain tests (here
they would change the world under the other rows), so they are not sent. Every
denial is sent and must answer exactly: 401 without a token, 404 for another
organization's object (it learns nothing), 403 for a missing right.
"""

from __future__ import annotations

from tests.support.authz_world import ROLES, build_world

#                               anon part  vol  fo   fac  coord admin out
TABLE = {
    "getMe":                    "401 ok   ok   ok   ok   ok   ok   ok",
    "revokeTokens":             "401 ok   ok   ok   ok   ok   ok   ok",
    "eraseMe":                  "401 ok   ok   ok   ok   ok   ok   ok",
    "register":                 "ok  ok   ok   ok   ok   ok   ok   ok",
    "createToken":              "ok  ok   ok   ok   ok   ok   ok   ok",
    # Links by email: public; a token that is no link is 400 for everyone.
    "confirmEmail":             "400 400  400  400  400  400  400  400",
    "resendEmailConfirmation":  "ok  ok   ok   ok   ok   ok   ok   ok",
    "requestPasswordReset":     "ok  ok   ok   ok   ok   ok   ok   ok",
    "confirmPasswordReset":     "400 400  400  400  400  400  400  400",
    "updateMe":                 "401 ok   ok   ok   ok   ok   ok   ok",
    "changeEmail":              "401 ok   ok   ok   ok   ok   ok   ok",
    "changePassword":           "401 ok   ok   ok   ok   ok   ok   ok",
    "createOrg":                "401 ok   ok   ok   ok   ok   ok   ok",
    "getOrg":                   "401 ok   ok   ok   ok   ok   ok   404",
    "updateOrg":                "401 403  403  403  403  403  ok   404",
    "listOrgMembers":           "401 403  403  403  403  ok   ok   404",
    "addOrgMember":             "401 403  403  403  403  ok   ok   404",
    "setOrgMemberRoles":        "401 403  403  403  403  ok   ok   404",
    # Anyone may leave but the only admin; user_id is the participant's: their own id is leaving.
    "leaveOrg":                 "401 ok   ok   ok   ok   ok   409  404",
    "removeOrgMember":          "401 ok   403  403  403  ok   ok   404",
    "createInvitation":         "401 403  403  403  403  ok   ok   404",
    "listInvitations":          "401 403  403  403  403  ok   ok   404",
    "revokeInvitation":         "401 403  403  403  403  ok   ok   404",
    "resendInvitation":         "401 403  403  403  403  ok   ok   404",
    "importInvitations":        "401 403  403  403  403  ok   ok   404",
    # The invitation link: public; a token that is no link is 400 for everyone (signed in or not).
    "getInvitation":            "400 400  400  400  400  400  400  400",
    "acceptInvitation":         "400 400  400  400  400  400  400  400",
    "listAudit":                "401 403  403  403  403  403  ok   404",
    "listVenues":               "401 403  403  ok   ok   ok   ok   404",
    "createVenue":              "401 403  403  403  403  ok   ok   404",
    "updateVenue":              "401 403  403  403  403  ok   ok   404",
    "listDeliveries":           "401 403  403  403  403  ok   ok   404",
    "retryDelivery":            "401 403  403  403  403  403  ok   404",
    "getRoster":                "401 403  403  ok   ok   ok   ok   404",
    "listGroups":               "401 ok   ok   ok   ok   ok   ok   404",
    "createGroup":              "401 403  403  403  403  ok   ok   404",
    "getGroup":                 "401 ok   ok   ok   ok   ok   ok   404",
    "joinGroup":                "401 ok   ok   ok   ok   ok   ok   404",
    "listGroupMembers":         "401 403  403  403  ok   ok   ok   404",
    "addGroupMember":           "401 403  403  403  403  ok   ok   404",
    "approveGroupMember":       "401 403  403  403  403  ok   ok   404",
    "removeGroupMember":        "401 ok   403  403  ok   ok   ok   404",
    # Issue 15: changing and archiving a group, declining a request, leaving, the invitation link.
    "updateGroup":              "401 403  403  403  403  ok   ok   404",
    "declineGroupMember":       "401 403  403  403  403  ok   ok   404",
    "leaveGroup":               "401 ok   404  404  ok   404  404  404",
    # The group is public: it needs no link (409), and has none (404).
    "getGroupInviteLink":       "401 403  403  403  403  404  404  404",
    "createGroupInviteLink":    "401 403  403  403  403  409  409  404",
    "revokeGroupInviteLink":    "401 403  403  403  403  404  404  404",
    # A token that is no link is 400 for everyone; asking to join needs an account.
    "getGroupLink":             "400 400  400  400  400  400  400  400",
    "joinGroupByLink":          "401 400  400  400  400  400  400  400",
    "listGroupCoverageGaps":    "401 403  403  403  ok   ok   ok   404",
    "listOrgCoverageGaps":      "401 403  403  ok   ok   ok   ok   404",
    "createSeries":             "401 403  403  403  ok   ok   ok   404",
    "endSeries":                "401 403  403  403  ok   ok   ok   404",
    "setSeriesFacilitators":    "401 403  403  403  ok   ok   ok   404",
    "listGroupSessions":        "401 ok   ok   ok   ok   ok   ok   404",
    "getSession":               "401 ok   ok   ok   ok   ok   ok   404",
    "moveSession":              "401 403  403  403  ok   ok   ok   404",
    "cancelSession":            "401 403  403  403  ok   ok   ok   404",
    "editSeriesFromSession":    "401 403  403  403  ok   ok   ok   404",
    "setSessionFacilitators":   "401 403  403  403  ok   ok   ok   404",
    "rsvpSession":              "401 ok   403  403  ok   403  403  404",
    "getAttendance":            "401 403  403  403  ok   ok   ok   404",
    "recordAttendance":         "401 403  403  403  ok   ok   ok   404",
    "listEvents":               "401 ok   ok   ok   ok   ok   ok   404",
    "createEvent":              "401 403  403  403  403  ok   ok   404",
    "getEvent":                 "401 ok   ok   ok   ok   ok   ok   404",
    "updateEvent":              "401 403  403  403  403  ok   ok   404",
    "cancelEvent":              "401 403  403  403  403  ok   ok   404",
    "registerForEvent":         "401 ok   ok   ok   ok   ok   ok   404",
    "listEventRegistrations":   "401 403  403  403  403  ok   ok   404",
    "createEventShifts":        "401 403  403  403  403  ok   ok   404",
    "listEventShifts":          "401 ok   ok   ok   ok   ok   ok   404",
    "getMyRegistration":        "401 404  404  404  404  404  404  404",
    "cancelMyRegistration":     "401 ok   ok   ok   ok   ok   ok   404",
    "listShifts":               "401 ok   ok   ok   ok   ok   ok   404",
    "createShift":              "401 403  403  403  403  ok   ok   404",
    "getShift":                 "401 ok   ok   ok   ok   ok   ok   404",
    "updateShift":              "401 403  403  403  403  ok   ok   404",
    "cancelShift":              "401 403  403  403  403  ok   ok   404",
    "duplicateShift":           "401 403  403  403  403  ok   ok   404",
    "listShiftSignups":         "401 403  403  403  403  ok   ok   404",
    "checkInVolunteer":         "401 403  403  403  403  ok   ok   404",
    "signUpForShift":           "401 ok   ok   ok   ok   ok   ok   404",
    "getMyShiftSignup":         "401 404  ok   404  404  404  404  404",
    "cancelMyShiftSignup":      "401 ok   ok   ok   ok   ok   ok   404",
    "checkInToShift":           "401 ok   ok   ok   ok   ok   ok   404",
    "setShiftHours":            "401 403  403  403  403  ok   ok   404",
    "listMySignups":            "401 ok   ok   ok   ok   ok   ok   ok",
    "recordTraining":           "401 ok   ok   ok   ok   ok   ok   ok",
    "listMyTrainings":          "401 ok   ok   ok   ok   ok   ok   ok",
    "verifyTraining":           "401 403  403  403  403  ok   ok   404",
    "getNotificationSettings":  "401 ok   ok   ok   ok   ok   ok   ok",
    "setNotificationSettings":  "401 ok   ok   ok   ok   ok   ok   ok",
    "listFeeds":                "401 ok   ok   ok   ok   ok   ok   ok",
    "createFeed":               "401 ok   ok   ok   ok   ok   ok   ok",
    "revokeFeed":               "401 ok   404  404  404  404  404  404",
    "exportMe":                 "401 ok   ok   ok   ok   ok   ok   ok",
    # The feed URL is the credential; the public feed is public.
    "getPrivateFeed":           "ok  ok   ok   ok   ok   ok   ok   ok",
    "getPublicEventsFeed":      "ok  ok   ok   ok   ok   ok   ok   ok",
    # Issue 17: the resource directory. Imports and confidential flags are its curators' staff's;
    # a public entry is public (a confidential location is the staff's alone: tests/directory).
    "importDirectory":          "401 403  403  403  403  ok   ok   404",
    "getDirectoryImport":       "401 403  403  403  403  ok   ok   404",
    "updateDirectoryLocation":  "401 403  403  403  403  ok   ok   404",
    "updateDirectoryService":   "401 403  403  403  403  ok   ok   404",
    "getDirectoryService":      "ok  ok   ok   ok   ok   ok   ok   ok",
    "getDirectoryLocation":     "ok  ok   ok   ok   ok   ok   ok   ok",
    "listDirectoryImports":     "401 403  403  403  403  ok   ok   404",
    "listDirectoryReports":     "401 403  403  403  403  ok   ok   404",
    "resolveDirectoryReport":   "401 403  403  403  403  ok   ok   404",
    "verifyDirectoryService":   "401 403  403  403  403  ok   ok   404",
    # Finding help, saying an entry is wrong and the HSDS API are public.
    "searchResources":          "ok  ok   ok   ok   ok   ok   ok   ok",
    "reportResource":           "ok  ok   ok   ok   ok   ok   ok   ok",
    "hsdsMeta":                 "ok  ok   ok   ok   ok   ok   ok   ok",
    "hsdsServices":             "ok  ok   ok   ok   ok   ok   ok   ok",
    "hsdsService":              "ok  ok   ok   ok   ok   ok   ok   ok",
    "hsdsOrganizations":        "ok  ok   ok   ok   ok   ok   ok   ok",
    "hsdsOrganization":         "ok  ok   ok   ok   ok   ok   ok   ok",
    "hsdsTaxonomyTerms":        "ok  ok   ok   ok   ok   ok   ok   ok",
    # Issue 17: referrals. The facilitator referred the participant, who consented; a referral
    # is the person's and the referrer's (404 to anyone else), coordinators may withdraw it
    # and read what a consent in force lets them pass on; counts are staff's and facilitators'.
    "createReferral":           "401 403  403  403  403  ok   ok   404",
    "getReferral":              "401 ok   404  404  ok   404  404  404",
    "setReferralStatus":        "401 403  404  404  ok   ok   ok   404",
    "answerReferralCheckin":    "401 ok   404  404  404  404  404  404",
    "giveReferralConsent":      "401 ok   404  404  403  403  403  404",
    "revokeReferralConsents":   "401 ok   404  404  404  404  404  404",
    "revokeReferralConsent":    "401 ok   404  404  404  404  404  404",
    "getReferralSharedFacts":   "401 404  404  404  ok   ok   ok   404",
    "listMyReferrals":          "401 ok   ok   ok   ok   ok   ok   ok",
    "listOrgReferrals":         "401 403  403  ok   ok   ok   ok   404",
    # Issue 18: reports. Facilitators read their own groups' (a facilitator of another group: theirs).
    "getOrgReport":             "401 403  403  ok   ok   ok   ok   404",
    "getOrgReportCsv":          "401 403  403  ok   ok   ok   ok   404",
    "health":                   "ok  ok   ok   ok   ok   ok   ok   ok",
    "ready":                    "ok  ok   ok   ok   ok   ok   ok   ok",
    "metrics":                  "ok  ok   ok   ok   ok   ok   ok   ok",
}


async def test_every_route_for_every_role(client, api, pool):
    world = await build_world(client, api, pool)
    schema = (await client.get("/schema/openapi.json")).json()
    operations = [
        (method.upper(), path, op["operationId"])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert {opid for _, _, opid in operations} == set(TABLE), "every route needs a row in TABLE (and only those)"
    mismatches = []
    checked = 0
    for method, path, opid in operations:
        params = {**world["params"], **world["overrides"].get(opid, {})}
        url = path.format(**params)
        body = world["bodies"].get(opid)
        for role, expected in zip(ROLES, TABLE[opid].split(), strict=True):
            if expected == "ok" and method != "GET":
                continue
            headers = world["people"][role].headers if role != "anonymous" else {}
            response = await client.request(method, url, headers=headers, json=body)
            checked += 1
            good = 200 <= response.status_code < 300 if expected == "ok" else response.status_code == int(expected)
            if not good:
                mismatches.append(f"{method} {path} as {role}: expected {expected}, got {response.status_code}")
    assert not mismatches, "\n".join(mismatches)
    assert checked > 250
