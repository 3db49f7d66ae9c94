from tests.support import assert_problem, expect


async def test_defaults_then_my_own_settings(client, api):
    user = await api.user(quiet_hours=True)
    url = "/api/v1/me/notifications"
    assert expect(await client.get(url, headers=user.headers), 200) == {
        "disabled_kinds": [],
        "quiet_hours_start": "21:00",
        "quiet_hours_end": "08:00",
        "discreet": False,
    }
    body = {"disabled_kinds": ["followup_absent", "roster"], "quiet_hours_start": "22:30", "quiet_hours_end": "07:00", "discreet": True}
    assert expect(await client.put(url, json=body, headers=user.headers), 200) == body
    assert expect(await client.get(url, headers=user.headers), 200) == body
    other = await api.user(quiet_hours=True)
    assert expect(await client.get(url, headers=other.headers), 200)["disabled_kinds"] == []


async def test_unknown_kinds_and_bad_times_are_refused(client, api):
    user = await api.user()
    url = "/api/v1/me/notifications"
    assert_problem(await client.put(url, json={"disabled_kinds": ["spam"]}, headers=user.headers), 400)
    assert_problem(await client.put(url, json={"quiet_hours_start": "25:00"}, headers=user.headers), 400)
    assert_problem(await client.get(url), 401)
