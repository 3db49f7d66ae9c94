"""Group and session pages through real HTTP: seeing and joining groups, scheduling a
series from the form (words and dates previewed), moving and cancelling one session,
RSVPs, attendance from the phone form, and "My groups" with coverage gaps."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from coord.kernel import clock
from coord.sessions.describe import rrule_from_choices, rule_in_words
from coord.sessions.recurrence import parse_rule
from tests.pages import Visitor, text_of
from tests.support import expect
from tests.support.world import make_group
from tests.moments import before_a_dst_change, local_start, now

UTC = timezone.utc
NY = "America/New_York"


# --- The rule in words (pure) ---

def _words(start: datetime, repeat: str, days: list[str] | None = None, **end) -> str:
    rrule = rrule_from_choices(repeat, start.date(), days, **end)  # type: ignore[arg-type]
    return rule_in_words(parse_rule(start, NY, rrule, timedelta(minutes=90)))


@pytest.mark.parametrize(("start", "repeat", "days", "end", "words"), [
    (datetime(2026, 3, 3, 18, 30), "weekly", None, {"count": 12}, "Every Tuesday at 18:30, 12 times, America/New_York"),
    (datetime(2026, 3, 3, 18, 30), "biweekly", None, {"count": 6},
     "Every 2 weeks on Tuesday at 18:30, 6 times, America/New_York"),
    (datetime(2026, 3, 2, 9, 0), "weekly", ["TH", "MO"], {"count": 10},
     "Every Monday and Thursday at 09:00, 10 times, America/New_York"),
    (datetime(2026, 3, 10, 18, 30), "monthly", None, {"count": 6},
     "On the second Tuesday of every month at 18:30, 6 times, America/New_York"),
    (datetime(2026, 3, 31, 18, 30), "monthly", None, {"count": 3},
     "On the last Tuesday of every month at 18:30, 3 times, America/New_York"),
    (datetime(2026, 3, 3, 18, 30), "weekly", None, {"until": date(2026, 6, 30)},
     "Every Tuesday at 18:30 until 2026-06-30, America/New_York"),
    (datetime(2026, 3, 3, 7, 15), "daily", None, {"count": 1}, "Every day at 07:15, once, America/New_York"),
])
def test_rule_in_words(start, repeat, days, end, words):
    assert _words(start, repeat, days, **end) == words


def test_form_choices_become_rrules():
    tuesday = date(2026, 3, 10)
    assert rrule_from_choices("weekly", tuesday, count=12) == "FREQ=WEEKLY;BYDAY=TU;COUNT=12"
    assert rrule_from_choices("biweekly", tuesday, ["TU", "MO"], until=date(2026, 6, 30)) == \
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU;UNTIL=20260630"
    assert rrule_from_choices("monthly", tuesday, count=4) == "FREQ=MONTHLY;BYDAY=2TU;COUNT=4"
    assert rrule_from_choices("daily", tuesday, count=3) == "FREQ=DAILY;COUNT=3"


# --- Set-up through the JSON API ---

class World:
    """An organization with an admin, a facilitator of one group, two participants in it,
    an organization member outside the group, and someone from another organization."""

    async def build(self, client, api, **group_fields) -> "World":
        self.client = client
        self.admin = await api.user("Adaline", timezone=NY)
        self.facilitator = await api.user("Farahbel", timezone=NY)
        self.quinn = await api.user("Quinnzel", timezone=NY)
        self.riley = await api.user("Rileyanne", timezone=NY)
        self.bystander = await api.user("Bobystander", timezone=NY)
        self.outsider = await api.user("Ozoutsider", timezone=NY)
        self.org = await api.org(self.admin)
        await api.org(self.outsider)
        await api.member(self.org, self.admin, self.facilitator, "facilitator")
        for person in (self.quinn, self.riley, self.bystander):
            await api.member(self.org, self.admin, person, "participant")
        self.group = await make_group(client, self.org, self.admin, name="Evening Circle",
                                      description="A calm place to talk.", **group_fields)
        self.gid = self.group["id"]
        body = {"user_id": self.facilitator.id, "role": "facilitator"}
        expect(await client.post(f"/api/v1/groups/{self.gid}/members", json=body, headers=self.admin.headers), 201)
        return self

    async def add_participants(self) -> None:
        for person in (self.quinn, self.riley):
            body = {"user_id": person.id, "role": "participant"}
            expect(await self.client.post(f"/api/v1/groups/{self.gid}/members", json=body, headers=self.admin.headers), 201)

    async def series(self, start: datetime, rrule: str, **extra) -> list[dict]:
        body = {"start": start.isoformat(), "timezone": NY, "duration_minutes": 90, "rrule": rrule, **extra}
        expect(await self.client.post(f"/api/v1/groups/{self.gid}/series", json=body, headers=self.admin.headers), 201)
        listed = await self.client.get(f"/api/v1/groups/{self.gid}/sessions", params={"limit": 200},
                                       headers=self.admin.headers)
        return expect(listed, 200)["items"]

    async def visitor(self, user) -> Visitor:
        browser = Visitor(self.client)
        await browser.login(user)
        return browser


async def world(client, api, **group_fields) -> World:
    return await World().build(client, api, **group_fields)


def future_tuesday(weeks: int = 1) -> datetime:
    """A Tuesday 18:30 New York wall-clock time, at least `weeks - 1` weeks and a day from now."""
    return local_start(weeks - 1 + 1 / 7)


# --- Seeing and joining a group ---

async def test_anonymous_visitors_see_public_and_unlisted_groups_but_not_private_ones(client, api):
    w = await world(client, api)
    page = await client.get(f"/groups/{w.gid}")
    assert page.status_code == 200 and "Evening Circle" in page.text and "A calm place to talk." in page.text
    assert f'href="/login?next=/groups/{w.gid}"' in page.text and "Log in to join" in page.text
    assert f'href="/orgs/{w.org["slug"]}"' in page.text
    unlisted = await make_group(client, w.org, w.admin, name="Quiet Link Group", visibility="unlisted")
    assert (await client.get(f"/groups/{unlisted['id']}")).status_code == 200
    private = await make_group(client, w.org, w.admin, name="Closed Circle", visibility="private")
    hidden = await client.get(f"/groups/{private['id']}")
    assert hidden.status_code == 404 and "Closed Circle" not in hidden.text
    # Signed in but outside the group: still nothing; staff see it.
    bystander = await w.visitor(w.bystander)
    assert (await bystander.get(f"/groups/{private['id']}")).status_code == 404
    assert (await (await w.visitor(w.admin)).get(f"/groups/{private['id']}")).status_code == 200
    # Someone from another organization sees the public page, without a join button.
    outsider = await (await w.visitor(w.outsider)).get(f"/groups/{w.gid}")
    assert outsider.status_code == 200 and "Join this group" not in outsider.text
    assert w.org["contact_email"] in outsider.text


async def test_joining_an_open_group_and_asking_to_join_one_that_needs_approval(client, api, pool):
    w = await world(client, api)
    quinn = await w.visitor(w.quinn)
    page = await quinn.get(f"/groups/{w.gid}")
    assert "Join this group" in page.text and "Requests to join" not in page.text
    joined = await quinn.post(f"/groups/{w.gid}/join", form_page=f"/groups/{w.gid}")
    assert joined.status_code == 303 and joined.headers["location"] == f"/groups/{w.gid}?joined=1"
    after = text_of((await quinn.get(joined.headers["location"])).text)
    assert "You have joined this group." in after and "You are a member of this group." in after
    assert "Leave the group" in after and "Farahbel" not in after
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM group_members WHERE group_id = $1 AND user_id = $2",
                                   UUID(w.gid), UUID(w.quinn.id)) == "active"

    approval = await make_group(client, w.org, w.admin, name="Careful Circle", join_policy="approval")
    aid = approval["id"]
    body = {"user_id": w.facilitator.id, "role": "facilitator"}
    expect(await client.post(f"/api/v1/groups/{aid}/members", json=body, headers=w.admin.headers), 201)
    riley = await w.visitor(w.riley)
    assert "Ask to join" in (await riley.get(f"/groups/{aid}")).text
    asked = await riley.post(f"/groups/{aid}/join", form_page=f"/groups/{aid}")
    assert asked.headers["location"] == f"/groups/{aid}?requested=1"
    waiting = text_of((await riley.get(asked.headers["location"])).text)
    assert "Your request is waiting for a facilitator" in waiting and "Withdraw my request" in waiting
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM group_members WHERE group_id = $1 AND user_id = $2",
                                   UUID(aid), UUID(w.riley.id)) == "pending"

    # The facilitator sees the request with the name, and approves it from the group page.
    farah = await w.visitor(w.facilitator)
    staff_view = await farah.get(f"/groups/{aid}")
    assert "Requests to join" in staff_view.text and "Rileyanne" in staff_view.text
    assert "Schedule sessions" in staff_view.text and "1 request waiting" in text_of(staff_view.text)
    approved = await farah.post(f"/groups/{aid}/members/{w.riley.id}/approve", form_page=f"/groups/{aid}")
    assert approved.status_code == 303 and approved.headers["location"] == f"/groups/{aid}?approved=1"
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM group_members WHERE group_id = $1 AND user_id = $2",
                                   UUID(aid), UUID(w.riley.id)) == "active"
    assert "You are a member of this group." in text_of((await riley.get(f"/groups/{aid}")).text)
    # A participant cannot approve anyone: the page says so and nothing changes.
    assert (await riley.post(f"/groups/{aid}/members/{w.quinn.id}/approve", form_page=f"/groups/{aid}")).status_code == 403

    # Leaving: back to "My groups", and the membership is gone.
    left = await quinn.post(f"/groups/{w.gid}/leave", form_page=f"/groups/{w.gid}")
    assert left.headers["location"] == "/me/groups?left=1"
    assert "You have left the group." in (await quinn.get("/me/groups?left=1")).text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM group_members WHERE group_id = $1 AND user_id = $2",
                                   UUID(w.gid), UUID(w.quinn.id)) == 0


# --- Scheduling a series ---

def _series_fields(start: datetime, **changes) -> dict[str, str]:
    fields = {"start_date": start.date().isoformat(), "start_time": start.strftime("%H:%M"), "timezone": NY,
              "duration_minutes": "90", "freq": "weekly", "count": "12"}
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


async def test_series_preview_says_the_rule_in_words_and_saving_creates_those_sessions(client, api, pool):
    start = before_a_dst_change()
    zone = ZoneInfo(NY)
    # The change may be further ahead than the 26 weeks sessions are made for: then the whole test
    # runs on coord's clock moved on to two days before the first session (accounts made on it too).
    ahead = start.replace(tzinfo=zone) - now() - timedelta(days=2)
    with clock.shifted(max(ahead, timedelta(0))):
        w = await world(client, api)
        expected = [datetime.combine(start.date() + timedelta(weeks=i), start.time()).replace(tzinfo=zone)
                    for i in range(12)]
        assert len({d.utcoffset() for d in expected}) == 2  # the series crosses a DST change

        farah = await w.visitor(w.facilitator)
        form = await farah.get(f"/groups/{w.gid}/schedule")
        assert form.status_code == 200
        for name in ("start_date", "start_time", "timezone", "duration_minutes", "freq", "byday", "count", "until", "venue_id"):
            assert f'name="{name}"' in form.text, name
        assert f'<option value="{NY}" selected>' in form.text  # the group's timezone by default
        fields = _series_fields(start)
        preview_url = f"/groups/{w.gid}/schedule?" + urlencode({"preview": "1", **fields})
        preview = await farah.get(preview_url)
        assert preview.status_code == 200
        text = text_of(preview.text)
        assert "Every Tuesday at 18:30, 12 times, America/New_York" in text
        rows = [f"{d:%a} {d.day} {d:%b} {d.year}, 18:30–20:00" for d in expected]
        assert all(row in text for row in rows)
        assert text.index(rows[0]) < text.index(rows[-1]) and "your time" not in text  # the reader is in New York
        assert "Save series" in preview.text
        # A reader in UTC also sees the times in theirs: the UTC hour moves, the local one does not.
        utc_admin = await api.user("Umautc")
        await api.member(w.org, w.admin, utc_admin, "coordinator")
        utc_text = text_of((await (await w.visitor(utc_admin)).get(preview_url)).text)
        assert "22:30 your time" in utc_text and "23:30 your time" in utc_text

        saved = await farah.post(f"/groups/{w.gid}/schedule", fields, form_page=preview_url)
        assert saved.status_code == 303 and saved.headers["location"] == f"/groups/{w.gid}?scheduled=12"
        group_page = text_of((await farah.get(saved.headers["location"])).text)
        assert "12 sessions scheduled." in group_page
        async with pool.acquire() as conn:
            starts = [r["starts_at"] for r in await conn.fetch(
                "SELECT starts_at FROM sessions WHERE group_id = $1 ORDER BY starts_at", UUID(w.gid))]
            series = await conn.fetchrow("SELECT rrule, timezone, start_local FROM series WHERE group_id = $1", UUID(w.gid))
        assert starts == expected
        assert {s.astimezone(zone).strftime("%a %H:%M") for s in starts} == {"Tue 18:30"}
        assert series["rrule"] == "FREQ=WEEKLY;BYDAY=TU;COUNT=12" and series["timezone"] == NY
        assert series["start_local"] == start


async def test_invalid_series_input_shows_field_errors_and_creates_nothing(client, api, pool):
    w = await world(client, api)
    farah = await w.visitor(w.facilitator)
    start = future_tuesday(2)
    base = f"/groups/{w.gid}/schedule?"
    too_many = await farah.get(base + urlencode({"preview": "1", **_series_fields(start, count="5000")}))
    assert too_many.status_code == 422
    assert "from 1 to 1000" in too_many.text and 'id="f-count-error"' in too_many.text
    assert 'value="5000"' in too_many.text and "Save series</button>" not in too_many.text  # what was typed is kept
    past = await farah.get(base + urlencode({"preview": "1", **_series_fields(start - timedelta(weeks=3))}))
    assert past.status_code == 422 and "in the past" in past.text
    wrong_day = await farah.get(base + urlencode({"preview": "1", **_series_fields(start), "byday": "WE"}))
    assert wrong_day.status_code == 422 and "The first date is a Tuesday" in wrong_day.text
    no_end = await farah.get(base + urlencode({"preview": "1", **_series_fields(start, count=None)}))
    assert no_end.status_code == 422 and "Say when the series ends" in no_end.text
    posted = await farah.post(f"/groups/{w.gid}/schedule", _series_fields(start, count="0"), form_page=base)
    assert posted.status_code == 422 and "from 1 to 1000" in posted.text
    # Only the group's facilitators and staff schedule: others get the 403 page.
    quinn = await w.visitor(w.quinn)
    assert (await quinn.get(f"/groups/{w.gid}/schedule")).status_code == 403
    refused = await quinn.post(f"/groups/{w.gid}/schedule", _series_fields(start), form_page=f"/groups/{w.gid}")
    assert refused.status_code == 403
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM series") == 0
        assert await conn.fetchval("SELECT count(*) FROM sessions") == 0


async def test_series_on_several_days_until_a_date(client, api, pool):
    w = await world(client, api)
    farah = await w.visitor(w.facilitator)
    start = future_tuesday(2)
    until = start.date() + timedelta(days=14)  # Tue, Thu, Tue, Thu, Tue: five sessions
    fields = {**_series_fields(start, count=None, until=until.isoformat()), "byday": ["TH", "TU"]}
    preview_url = f"/groups/{w.gid}/schedule?" + urlencode({"preview": "1", **fields}, doseq=True)
    preview = await farah.get(preview_url)
    text = text_of(preview.text)
    assert preview.status_code == 200
    assert f"Every Tuesday and Thursday at 18:30 until {until.isoformat()}, America/New_York" in text
    assert "5 sessions" in text
    assert preview.text.count('<input type="hidden" name="byday"') == 2
    saved = await farah.post(f"/groups/{w.gid}/schedule", fields, form_page=preview_url)
    assert saved.headers["location"] == f"/groups/{w.gid}?scheduled=5"
    async with pool.acquire() as conn:
        starts = [r["starts_at"].astimezone(ZoneInfo(NY)) for r in await conn.fetch(
            "SELECT starts_at FROM sessions WHERE group_id = $1 ORDER BY starts_at", UUID(w.gid))]
    assert [d.strftime("%a %H:%M") for d in starts] == ["Tue 18:30", "Thu 18:30"] * 2 + ["Tue 18:30"]


# --- One session: move, cancel, RSVP, attendance ---

async def test_moving_one_occurrence(client, api, pool):
    w = await world(client, api)
    await w.add_participants()
    first, second = await w.series(future_tuesday(2), "FREQ=WEEKLY;BYDAY=TU;COUNT=2")
    farah = await w.visitor(w.facilitator)
    url = f"/sessions/{first['id']}"
    page = await farah.get(url)
    assert page.status_code == 200 and f"New start (date and time in {NY})" in page.text
    original = datetime.fromisoformat(first["starts_at"]).astimezone(ZoneInfo(NY))
    assert f'value="{original:%Y-%m-%dT%H:%M}"' in page.text  # pre-filled with the current start
    new_local = (original + timedelta(days=1)).replace(hour=19, minute=15)
    moved = await farah.post(f"{url}/move", {"starts_at": new_local.strftime("%Y-%m-%dT%H:%M")}, form_page=url)
    assert moved.status_code == 303 and moved.headers["location"] == f"{url}?moved=1"
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT starts_at, ends_at, sequence, recurrence_id FROM sessions WHERE id = $1",
                                  UUID(first["id"]))
        other = await conn.fetchrow("SELECT sequence FROM sessions WHERE id = $1", UUID(second["id"]))
    assert row["starts_at"] == new_local and row["ends_at"] - row["starts_at"] == timedelta(minutes=90)
    assert row["sequence"] == 1 and row["recurrence_id"] == original and other["sequence"] == 0
    shown = text_of((await farah.get(moved.headers["location"])).text)
    assert f"{new_local:%a} {new_local.day} {new_local:%b}, 19:15–20:45" in shown and "The session was moved." in shown
    # A participant cannot move it: the 403 page-in-place, and nothing changes.
    quinn = await w.visitor(w.quinn)
    assert "Move this session" not in (await quinn.get(url)).text
    refused = await quinn.post(f"{url}/move", {"starts_at": "2030-01-01T10:00"}, form_page=url)
    assert refused.status_code == 403
    bad = await farah.post(f"{url}/move", {"starts_at": "next tuesday"}, form_page=url)
    assert bad.status_code == 422 and 'id="f-starts_at-error"' in bad.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT sequence FROM sessions WHERE id = $1", UUID(first["id"])) == 1


async def test_cancelling_one_occurrence(client, api, pool):
    w = await world(client, api)
    await w.add_participants()
    first, second = await w.series(future_tuesday(2), "FREQ=WEEKLY;BYDAY=TU;COUNT=2")
    farah = await w.visitor(w.facilitator)
    url = f"/sessions/{first['id']}"
    unconfirmed = await farah.post(f"{url}/cancel", {"reason": "Snow"}, form_page=url)
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
    done = await farah.post(f"{url}/cancel", {"reason": "The room is closed for repairs", "confirm": "yes"}, form_page=url)
    assert done.status_code == 303 and done.headers["location"] == f"{url}?cancelled=1"
    async with pool.acquire() as conn:
        rows = {str(r["id"]): r for r in await conn.fetch("SELECT id, status, cancel_reason, sequence FROM sessions")}
    assert rows[first["id"]]["status"] == "cancelled" and rows[first["id"]]["sequence"] == 1
    assert rows[first["id"]]["cancel_reason"] == "The room is closed for repairs"
    assert rows[second["id"]]["status"] == "scheduled"
    quinn_page = text_of((await (await w.visitor(w.quinn)).get(url)).text)
    assert "Cancelled" in quinn_page and "The room is closed for repairs" in quinn_page
    # A cancelled session cannot be moved: the page says why.
    again = await farah.post(f"{url}/move", {"starts_at": "2030-01-01T10:00"}, form_page=f"/sessions/{second['id']}")
    assert again.status_code == 409 and "this session is cancelled" in again.text


async def test_rsvp_shows_counts_and_never_other_participants(client, api):
    w = await world(client, api)
    await w.add_participants()
    (session,) = await w.series(future_tuesday(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=1")
    url = f"/sessions/{session['id']}"
    quinn = await w.visitor(w.quinn)
    going = await quinn.post(f"{url}/rsvp", {"response": "going"}, form_page=url)
    assert going.status_code == 303 and going.headers["location"] == f"{url}?rsvp=going"
    expect(await client.post(f"/api/v1{url}/rsvp", json={"response": "not_going"}, headers=w.riley.headers), 200)
    page = await quinn.get(going.headers["location"])
    text = text_of(page.text)
    assert "1 going · 1 not going" in text and "Your answer: Going" in text and "You are going." in text
    assert "Rileyanne" not in page.text and "Save attendance" not in page.text
    farah_page = await (await w.visitor(w.facilitator)).get(url)
    assert "Rileyanne" in farah_page.text and "Quinnzel" in farah_page.text
    # Someone in the organization but not in the group is asked to join first.
    bystander = await (await w.visitor(w.bystander)).get(url)
    assert bystander.status_code == 200 and "Join the group" in bystander.text and "Quinnzel" not in bystander.text
    refused = await (await w.visitor(w.bystander)).post(f"{url}/rsvp", {"response": "going"}, form_page=url)
    assert refused.status_code == 403


async def test_attendance_from_the_form_and_who_may_take_it(client, api, pool):
    w = await world(client, api)
    await w.add_participants()
    # An hour ago, subtracted in UTC and then read in New York: never a wall time a DST change skips.
    started = (now() - timedelta(hours=1)).astimezone(ZoneInfo(NY)).replace(second=0, microsecond=0, tzinfo=None)
    sessions = await w.series(started, "FREQ=DAILY;COUNT=2", facilitator_ids=[w.facilitator.id])
    session = sessions[0]
    url = f"/sessions/{session['id']}"
    farah = await w.visitor(w.facilitator)
    page = await farah.get(url)
    assert page.status_code == 200
    for person in (w.quinn, w.riley):
        assert f'name="status-{person.id}"' in page.text
    assert "<legend>Quinnzel</legend>" in page.text and "<legend>Rileyanne</legend>" in page.text
    assert page.text.count('type="radio"') == 6
    saved = await farah.post(f"{url}/attendance", {f"status-{w.quinn.id}": "present",
                                                   f"status-{w.riley.id}": "excused"}, form_page=url)
    assert saved.status_code == 303 and saved.headers["location"] == f"{url}?attendance=2"
    after = await farah.get(saved.headers["location"])
    assert "Attendance saved for 2 people." in text_of(after.text)
    assert f'name="status-{w.quinn.id}" value="present" checked' in after.text  # pre-filled from the records
    async with pool.acquire() as conn:
        records = {str(r["user_id"]): r["status"] for r in await conn.fetch(
            "SELECT user_id, status FROM attendance WHERE session_id = $1", UUID(session["id"]))}
        assert await conn.fetchval("SELECT status FROM sessions WHERE id = $1", UUID(session["id"])) == "completed"
    assert records == {w.quinn.id: "present", w.riley.id: "excused"}
    # A participant may not record attendance, and never sees the others' names.
    quinn = await w.visitor(w.quinn)
    quinn_page = await quinn.get(url)
    assert quinn_page.status_code == 200 and "Rileyanne" not in quinn_page.text
    assert "Save attendance" not in quinn_page.text
    refused = await quinn.post(f"{url}/attendance", {f"status-{w.riley.id}": "absent"}, form_page=url)
    assert refused.status_code == 403 and "Rileyanne" not in refused.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM attendance WHERE user_id = $1", UUID(w.riley.id)) == "excused"
    # Nothing chosen: the form says so.
    empty = await farah.post(f"{url}/attendance", {}, form_page=url)
    assert empty.status_code == 422 and "at least one person" in empty.text


async def test_another_organizations_user_gets_the_not_found_page(client, api, pool):
    w = await world(client, api)
    (session,) = await w.series(future_tuesday(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=1", facilitator_ids=[w.facilitator.id])
    url = f"/sessions/{session['id']}"
    outsider = await w.visitor(w.outsider)
    page = await outsider.get(url)
    assert page.status_code == 404 and "Evening Circle" not in page.text
    farah = await w.visitor(w.facilitator)
    csrf_page = "/me/groups"  # any page of theirs carries a token
    await outsider.get(csrf_page)
    for action, data in (("cancel", {"confirm": "yes"}), ("move", {"starts_at": "2030-01-01T10:00"}),
                         ("attendance", {f"status-{w.outsider.id}": "present"})):
        assert (await outsider.post(f"{url}/{action}", data, form_page=csrf_page)).status_code == 404
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM sessions WHERE id = $1", UUID(session["id"])) == "scheduled"
    assert (await farah.get(url)).status_code == 200
    # Not signed in: to the login page, and back here afterwards.
    anonymous = await client.get(url, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == f"/login?next={url}"


async def test_my_groups_lists_my_groups_and_coverage_gaps(client, api):
    w = await world(client, api)
    await w.add_participants()
    sessions = await w.series(future_tuesday(1), "FREQ=WEEKLY;BYDAY=TU;COUNT=2")
    first = sessions[0]
    farah = await w.visitor(w.facilitator)
    mine = await farah.get("/me/groups")
    text = text_of(mine.text)
    assert mine.status_code == 200 and "Evening Circle" in text and "you facilitate" in text
    assert "My coverage gaps" in text and f'href="/sessions/{first["id"]}"' in mine.text
    assert "Needs 1 more facilitator" in text
    group_page = text_of((await farah.get(f"/groups/{w.gid}")).text)
    assert "Coverage gaps" in group_page and "needs 1 more facilitator" in group_page
    # Taking the session from its page closes that gap.
    took = await farah.post(f"/sessions/{first['id']}/facilitate", form_page=f"/sessions/{first['id']}")
    assert took.headers["location"] == f"/sessions/{first['id']}?facilitating=1"
    assert "Farahbel" in (await farah.get(took.headers["location"])).text
    gaps_after = text_of((await farah.get("/me/groups")).text)
    assert gaps_after.count("Needs 1 more facilitator") == 1  # only the second session is left
    # A participant sees their group and its next session, and no coverage section.
    quinn = text_of((await (await w.visitor(w.quinn)).get("/me/groups")).text)
    assert "Evening Circle" in quinn and "member" in quinn and "Next session" in quinn
    assert "coverage" not in quinn.lower()
