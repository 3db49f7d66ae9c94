"""The daily job that deletes invitations 90 days after they were accepted, withdrawn or
expired, run for real on invitations made through the API as time goes by: older ones go
(from the database and the list), pending and recent ones stay, and a purged link is refused."""

from __future__ import annotations

from datetime import timedelta

from coord.kernel import clock
from coord.orgs.invitations import SETTLED_KEPT_FOR, VALID_FOR
from tests.support import API, PASSWORD, assert_problem, expect, invitation_links, run_jobs
from workers.cron import purge_settled_invitations


async def _bearer(client, user) -> dict[str, str]:
    """A token issued at the shifted time (the fixture's expires after its lifetime)."""
    token = expect(await client.post(f"{API}/auth/token", json={"email": user.email, "password": PASSWORD}), 200)
    return {"Authorization": f"Bearer {token['access_token']}"}


async def _emails(pool) -> set[str]:
    return {r["email"] for r in await pool.fetch("SELECT email FROM invitations")}


async def test_invitations_settled_over_90_days_ago_are_deleted_and_the_rest_kept(client, api, smtp, mail_settings,
                                                                                  pool, redis):
    assert SETTLED_KEPT_FOR == timedelta(days=90) and VALID_FOR == timedelta(days=14)
    admin = await api.user("admin")
    org = await api.org(admin)
    url = f"{API}/orgs/{org['id']}/invitations"

    def invite(email: str, headers: dict[str, str]):
        return client.post(url, json={"email": email, "roles": ["volunteer"]}, headers=headers)

    # Day 0: one never answered (expires on day 14), one withdrawn the same day, one accepted.
    expect(await invite("never@example.org", admin.headers), 201)
    withdrawn = expect(await invite("withdrawn@example.org", admin.headers), 201)
    expect(await client.delete(f"{url}/{withdrawn['id']}", headers=admin.headers), 204)
    expect(await invite("joined@example.org", admin.headers), 201)
    await run_jobs(mail_settings, pool, redis)
    [never_link] = invitation_links(smtp, "never@example.org")
    [joined_link] = invitation_links(smtp, "joined@example.org")
    joined = expect(await client.post(f"{API}/invitations/{joined_link}/accept",
                                      json={"display_name": "Jo", "password": PASSWORD}), 201)
    # Day 80: one still pending when the purge runs on day 100.
    with clock.shifted(timedelta(days=80)):
        expect(await invite("later@example.org", await _bearer(client, admin)), 201)
    everything = await _emails(pool)
    assert everything == {"never@example.org", "withdrawn@example.org", "joined@example.org", "later@example.org"}

    # Day 95: the withdrawn and the accepted ones are 95 days past, the unanswered one 81 (it
    # expired on day 14).
    with clock.shifted(timedelta(days=95)):
        assert await purge_settled_invitations({"pool": pool}) == 2
        assert await purge_settled_invitations({"pool": pool}) == 0  # a second run finds nothing more
        listed = expect(await client.get(url, headers=await _bearer(client, admin)), 200)
        assert {i["email"] for i in listed["items"]} == {"never@example.org", "later@example.org"}
        expired = assert_problem(await client.get(f"{API}/invitations/{never_link}"), 400)
        assert "expired" in expired["detail"]
    assert await _emails(pool) == {"never@example.org", "later@example.org"}

    # Day 105: the unanswered one is 91 days past its expiry; the day-80 one expired on day 94, 11 days ago.
    with clock.shifted(timedelta(days=105)):
        assert await purge_settled_invitations({"pool": pool}) == 1
        listed = expect(await client.get(url, headers=await _bearer(client, admin)), 200)
        assert [i["email"] for i in listed["items"]] == ["later@example.org"]
        gone = assert_problem(await client.get(f"{API}/invitations/{never_link}"), 400)
        assert "not valid" in gone["detail"]
    assert await _emails(pool) == {"later@example.org"}
    # Whoever joined is still a member: only the invitation went.
    me = expect(await client.get(f"{API}/me", headers={"Authorization": f"Bearer {joined['access_token']}"}), 200)
    assert [m["org_id"] for m in me["memberships"]] == [org["id"]]
