"""A feed's single sessions (those outside a series it shows whole), read from the person's
own rows: one-off sessions of their groups, and sessions they facilitated in a group they left."""

from __future__ import annotations

from datetime import timedelta

from tests.moments import now
from tests.support import API, expect
from tests.support.feed_calendar import path_of, vevents
from tests.support.world import past_session, setup


async def test_my_feed_holds_one_off_sessions_of_my_groups_and_those_i_facilitated_in_a_group_i_left(client, api, pool):
    """The single sessions of "mine": a session outside any series in a group I belong to, and a
    session I facilitated in a group I have since left (its series is no longer mine)."""
    s = await setup(client, api)
    facilitated = await past_session(s)  # its series assigns s.facilitator
    one_off = await pool.fetchval(
        "INSERT INTO sessions (group_id, org_id, starts_at, ends_at) VALUES ($1::uuid, $2::uuid, $3::timestamptz, $3::timestamptz + interval '1 hour') "
        "RETURNING id::text", s.group["id"], s.org["id"], now() + timedelta(days=2))
    assert (await client.delete(f"{API}/groups/{s.group['id']}/members/{s.facilitator.id}",
                                headers=s.admin.headers)).status_code == 204

    async def feed_of(user) -> set[str]:
        feed = expect(await client.post(f"{API}/me/feeds", json={"scope": "mine"}, headers=user.headers), 201)
        response = await client.get(path_of(feed["url"]))
        assert response.status_code == 200, response.text
        return {str(e["UID"]) for e in vevents(response.content)}

    participant, facilitator = await feed_of(s.participant), await feed_of(s.facilitator)
    assert f"session-{one_off}@coord" in participant and f"session-{facilitated['id']}@coord" not in participant
    assert f"session-{facilitated['id']}@coord" in facilitator and f"session-{one_off}@coord" not in facilitator
    assert not any(uid.startswith("series-") for uid in facilitator)
