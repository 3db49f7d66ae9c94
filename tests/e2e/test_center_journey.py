"""A coordinator runs a community center from the pages alone (issue 15), in Debian's Chromium
against a real `coord serve`, with no demo and no API call: she signs up and sets the center up
at laptop size (1280 px); the people she invites take part on phones (390 px), their browsers in
Chicago. Every email goes through the outbox, the worker (in-process, with the base URL coord
serves) and a real SMTP server, and is read there as it arrives: from the organization's name,
a subject naming the group or what happened, every link on the address coord serves. The one
shortcut is the clock: a session is moved under way with SQL, as the served process's clock
cannot be moved. Screenshots: test-output/screenshots/center-*.png."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec
import pytest

try:
    from playwright.async_api import expect as see
except ImportError:  # the `browser` fixture skips (or fails under COORD_REQUIRE_BROWSER) and says why
    see = None

from tests.e2e.conftest import DESKTOP, Shots
from tests.moments import today
from tests.support import mail_text, run_jobs

ZONE = "America/Chicago"
PHONE = {"width": 390, "height": 844}
ORG, SLUG, CONTACT = "Riverside Community Center", "riverside-community-center", "hello@riverside.example.org"
WEEKLY, MONTHLY = "Evening Circle", "Family Caregivers Morning"
PASSPHRASE = "a calm and long passphrase"
MAYA = ("Maya", "maya@riverside.example.org")
INVITED = {"facilitator": ("Femi", "femi@example.org"), "volunteer": ("Vera", "vera@example.org"),
           "participant A": ("Ana", "ana@example.org"), "participant B": ("Bo", "bo@example.org")}
FEMI, VERA, ANA, BO = (INVITED[k] for k in ("facilitator", "volunteer", "participant A", "participant B"))
LINK = re.compile(r"https?://[^\s\"'<>)\]]+")


@dataclass
class Mailbox:
    """The real SMTP server's messages, checked as they arrive: each from `sender` by name, and
    every link in it (text, HTML, calendar) on the address coord serves."""

    smtp: Any
    base: str
    deliver: Callable[[], Awaitable[int]]  # relay the outbox and run the worker once
    sender: str = "coord"
    seen: int = 0

    async def new(self) -> list[EmailMessage]:
        await self.deliver()
        fresh = self.smtp.messages[self.seen:]
        self.seen = len(self.smtp.messages)
        for message in fresh:
            assert message["From"].addresses[0].display_name == self.sender, (message["From"], message["Subject"])
            stray = [u for u in LINK.findall(mail_text(message)) if not u.startswith(self.base + "/")]
            assert not stray, f"{message['Subject']}: links off {self.base}: {stray}"
        return fresh

    async def one_each(self, *people: tuple[str, str]) -> dict[str, EmailMessage]:
        """The new messages: exactly one for each of `people` (name, email), by name."""
        fresh = await self.new()
        assert sorted(m["To"] for m in fresh) == sorted(email for _, email in people), \
            [(m["To"], m["Subject"]) for m in fresh]
        return {name: next(m for m in fresh if m["To"] == email) for name, email in people}


def link_in(message: EmailMessage, path: str) -> str:
    """The one link to `path...` in the message, as a path on the served site."""
    found = {urlsplit(u)._replace(scheme="", netloc="").geturl() for u in LINK.findall(mail_text(message))
             if urlsplit(u).path.startswith(path)}
    assert len(found) == 1, (message["Subject"], found)
    return found.pop()


def long_day(day: date, hours: str) -> str:
    """How messages write a time in Chicago: "Friday 11 December 2026, 18:30–20:00 (America/Chicago)"."""
    return f"{day:%A} {day.day} {day:%B %Y}, {hours} ({ZONE})"


@dataclass
class Center:
    """What the journey made, as the pages showed it."""

    desk: Any  # the coordinator's laptop
    mail: Mailbox
    shots: Shots
    served: str
    phones: dict[str, Any] = field(default_factory=dict)  # by role
    groups: dict[str, str] = field(default_factory=dict)  # id by name
    # Two days ahead at the earliest: no reminder (a day before) falls due while the journey runs.
    weekly_first: date = field(default_factory=lambda: today(ZONE, days=2))


async def no_quiet_hours(page) -> None:
    """The person asks for every email at once (the journey runs at any hour; quiet hours would
    rightly hold what can wait until morning): the same start and end."""
    await page.goto("/me/notifications")
    await page.get_by_label("Quiet from").fill("00:00")
    await page.get_by_label("Quiet until").fill("00:00")
    await page.get_by_role("button", name="Save settings").click()
    await see(page.get_by_role("status")).to_contain_text("Saved")


async def sign_up_and_create_the_organization(c: Center) -> None:
    desk, shots = c.desk, c.shots
    await desk.goto("/register")
    await desk.get_by_label("Your name").fill(MAYA[0])
    await desk.get_by_label("Email").fill(MAYA[1])
    await desk.get_by_label("Password").fill(PASSPHRASE)
    await see(desk.get_by_label("Your timezone")).to_have_value(ZONE)  # the browser's, preselected
    await shots(desk, "register")
    await desk.get_by_role("button", name="Create account").click()
    await see(desk).to_have_url(re.compile(r"/me$"))

    confirm = (await c.mail.one_each(MAYA))[MAYA[0]]  # account mail, from coord: no organization yet
    assert "confirm" in confirm["Subject"].lower(), confirm["Subject"]
    await desk.goto(link_in(confirm, "/confirm-email"))
    await desk.get_by_role("button", name="Confirm my email address").click()
    await see(desk.get_by_role("status")).to_contain_text("your email address is confirmed")
    await no_quiet_hours(desk)

    await desk.goto("/me")
    await shots(desk, "offered to create an organization")
    await desk.get_by_role("link", name="Create your organization").click()
    # The page's script suggests a web address as the name is typed, once it has run (a person is slower).
    await see(desk.get_by_label("Web address (optional)")).to_have_attribute("data-enhanced", "1")
    await desk.get_by_label("Name of the organization").fill(ORG)
    await see(desk.get_by_label("Web address (optional)")).to_have_value(SLUG)
    await see(desk.get_by_label("Timezone", exact=True)).to_have_value(ZONE)
    await desk.get_by_label("Contact email").fill(CONTACT)
    await shots(desk, "create the organization")
    await desk.get_by_role("button", name="Create the organization").click()
    await see(desk).to_have_url(re.compile(f"/orgs/{SLUG}/first-steps$"))
    await see(desk.get_by_role("heading", level=1)).to_have_text(f"{ORG} is ready")
    await shots(desk, "first steps")
    c.mail.sender = ORG  # from now on, every message is the center's


async def add_venues_groups_and_people(c: Center, new_page) -> None:
    desk, shots = c.desk, c.shots
    await desk.get_by_role("link", name="Add a venue").click()
    venue_form = desk.locator(f"form[action='/orgs/{SLUG}/venues']")
    for name, address in (("Riverside hall", "12 River Road, Springfield"), ("Library annex", "3 Elm Street, Springfield")):
        await desk.locator("#venues summary", has_text="Add a venue").click()
        await venue_form.get_by_label("Name").fill(name)
        await venue_form.get_by_label("Address (in person)").fill(address)
        await venue_form.get_by_role("button", name="Add the venue").click()
        await see(desk.locator("#venues")).to_contain_text(address)
    await shots(desk, "venues")

    for name, visibility, joining, venue in ((WEEKLY, "Private", "By approval", "Riverside hall"),
                                             (MONTHLY, "Public", "Open", "Library annex")):
        await desk.goto(f"/orgs/{SLUG}/coordination#groups")
        await desk.get_by_role("link", name="Create a group").click()
        await see(desk).to_have_url(re.compile(f"/orgs/{SLUG}/groups/new$"))
        await desk.get_by_label("Name", exact=True).fill(name)
        await desk.get_by_label("Description (optional)").fill("A circle to talk and listen, led by people who have been there.")
        await desk.get_by_role("radio", name=re.compile("^Peer-led")).check()
        await desk.get_by_role("radio", name=re.compile(f"^{visibility}:")).check()
        await desk.get_by_role("radio", name=re.compile(f"^{joining}:")).check()
        await desk.get_by_label("Facilitators needed per session").fill("1")
        await desk.get_by_label("Usual venue").select_option(label=f"{venue} (in person)")
        await see(desk.get_by_label("Timezone", exact=True)).to_have_value(ZONE)
        if name == WEEKLY:
            await shots(desk, "group form")
        await desk.get_by_role("button", name="Create the group").click()
        await see(desk).to_have_url(re.compile(r"/groups/[0-9a-f-]{36}\?created=1$"))
        c.groups[name] = re.search(r"/groups/([0-9a-f-]{36})", desk.url).group(1)
    await shots(desk, "group created")

    await desk.goto(f"/orgs/{SLUG}/coordination#invitations")
    invite = desk.locator("#invitations")
    for role, (name, email) in INVITED.items():
        await invite.get_by_label("Email", exact=True).fill(email)
        await invite.get_by_label("Name (optional)").fill(name)
        await invite.get_by_label(role.split()[0].capitalize(), exact=True).check()
        await invite.get_by_role("button", name="Send the invitation", exact=True).click()
        await see(invite.locator("tr", has_text=email)).to_contain_text("Pending")
    await shots(desk, "invited")

    invitations = await c.mail.one_each(*INVITED.values())

    async def accept(role: str, shoot: bool) -> None:
        name = INVITED[role][0]
        assert ORG in invitations[name]["Subject"], invitations[name]["Subject"]
        phone = c.phones[role] = await new_page(PHONE, timezone_id=ZONE)
        await phone.goto(link_in(invitations[name], "/invitations/"))
        await phone.get_by_label("Your name").fill(name)
        await phone.get_by_label("Password").fill(PASSPHRASE)
        await see(phone.get_by_label("Your timezone")).to_have_value(ZONE)  # the phone's, preselected
        if shoot:
            await shots(phone, "invitation on a phone")
        await phone.get_by_role("button", name=f"Create my account and join {ORG}").click()
        await see(phone).to_have_url(re.compile(rf"/orgs/{SLUG}\?welcome=1$"))
        if shoot:
            await shots(phone, "welcome on a phone")
        await no_quiet_hours(phone)

    await accept("facilitator", shoot=True)
    await asyncio.gather(*(accept(role, shoot=False) for role in INVITED if role != "facilitator"))  # at once
    for message in (await c.mail.one_each(*INVITED.values())).values():
        assert message["Subject"] == f"Welcome to {ORG}"


async def staff_the_groups(c: Center) -> None:
    """Femi facilitates both groups; the weekly one meets until further notice with her; the
    monthly one is scheduled with nobody, its sessions are gaps, and one gets her from the gap list."""
    desk, shots = c.desk, c.shots
    for name in (WEEKLY, MONTHLY):
        await desk.goto(f"/groups/{c.groups[name]}#add-people")
        await desk.get_by_label("Person").last.select_option(label=f"{FEMI[0]} (facilitator)")
        await desk.get_by_role("button", name="Add as a facilitator").click()
        await see(desk.get_by_role("status")).to_contain_text("They are in the group now")
        await see(desk.locator("#people + ul")).to_contain_text(FEMI[0])
    await shots(desk, "facilitator added")
    assert await c.mail.new() == []  # nothing scheduled yet: nothing to tell

    await desk.goto(f"/groups/{c.groups[WEEKLY]}")
    await desk.get_by_role("link", name="Schedule sessions").click()
    await see(desk).to_have_url(re.compile(f"/groups/{c.groups[WEEKLY]}/schedule$"))
    await desk.get_by_label("Date of the first session").fill(c.weekly_first.isoformat())
    await desk.get_by_label("Start time").fill("18:30")
    await desk.get_by_label("Length in minutes").fill("90")
    await desk.get_by_label("Repeat").select_option(label="Every week")
    await desk.get_by_role("checkbox", name=re.compile("^Or no end")).check()
    await desk.get_by_role("group", name="Facilitators").get_by_label(FEMI[0]).check()
    await desk.get_by_role("button", name="Preview dates").click()
    await see(desk.get_by_role("status")).to_contain_text(f"Every {c.weekly_first:%A} at 18:30, until further notice")
    await see(desk.locator("#preview-h ~ p", has_text="Facilitated by")).to_contain_text(FEMI[0])
    await shots(desk, "weekly series preview")
    await desk.get_by_role("button", name="Save series").click()
    await see(desk.get_by_role("status")).to_contain_text("sessions scheduled")
    schedule = (await c.mail.one_each(FEMI))[FEMI[0]]
    assert schedule["Subject"].startswith(f"{WEEKLY}: "), schedule["Subject"]
    rule = re.search(r"RRULE:FREQ=WEEKLY[^\r\n]*", mail_text(schedule)).group(0)
    assert "COUNT" not in rule and "UNTIL" not in rule, rule  # until further notice

    await desk.goto(f"/groups/{c.groups[MONTHLY]}/schedule")
    await desk.get_by_label("Date of the first session").fill(today(ZONE, days=4).isoformat())
    await desk.get_by_label("Start time").fill("10:00")
    await desk.get_by_label("Length in minutes").fill("60")
    await desk.get_by_label("Repeat").select_option("monthly")
    await desk.get_by_label("After this many sessions").fill("6")
    await see(desk.get_by_role("group", name="Facilitators").get_by_label(FEMI[0])).not_to_be_checked()
    await desk.get_by_role("button", name="Preview dates").click()
    await see(desk.locator("#preview-h ~ p", has_text="Facilitated by")).to_contain_text("nobody yet")
    await desk.get_by_role("button", name="Save series").click()
    await see(desk.get_by_role("status")).to_contain_text(re.compile(r"\d+ sessions? scheduled"))  # those within the horizon
    schedule = (await c.mail.one_each(FEMI))[FEMI[0]]  # a facilitator of the group gets its schedule
    assert schedule["Subject"].startswith(f"{MONTHLY}: "), schedule["Subject"]

    await desk.goto(f"/orgs/{SLUG}/coordination#gaps")
    gaps = desk.locator("#gaps")
    await see(gaps.get_by_role("link", name=MONTHLY)).to_have_count(1)  # the first month's, within 14 days
    await shots(desk, "gaps")
    await gaps.get_by_label(re.compile(f"^Facilitator for {MONTHLY}")).select_option(label=FEMI[0])
    await gaps.get_by_role("button", name=re.compile(f"^Assign to {MONTHLY}")).click()
    await see(desk.locator(".notice[role=status]")).to_be_visible()
    await see(desk.locator("#gaps").get_by_role("link", name=MONTHLY)).to_have_count(0)
    await shots(desk, "gap assigned")
    assigned = (await c.mail.one_each(FEMI))[FEMI[0]]
    assert assigned["Subject"].startswith(f"{MONTHLY}: you are facilitating on "), assigned["Subject"]


async def hold_a_fair_with_three_shifts(c: Center) -> None:
    desk, shots = c.desk, c.shots
    fair_day = today(ZONE, days=3)
    await desk.goto(f"/orgs/{SLUG}/coordination#events")
    await desk.locator("#events summary", has_text="Create an event").click()
    form = desk.locator(f"form[action='/orgs/{SLUG}/events']")
    await form.get_by_label("Title").fill("Winter Wellness Fair")
    await form.get_by_label("Kind").select_option("community")
    await form.get_by_label(re.compile("^Starts")).fill(f"{fair_day}T10:00")
    await form.get_by_label(re.compile("^Ends")).fill(f"{fair_day}T14:00")
    await form.get_by_label("Venue (optional)").select_option(label="Riverside hall")
    await form.get_by_label("Description (optional)").fill("Free health checks, stalls and a warm lunch.")
    await shots(desk, "event form")
    await form.get_by_role("button", name="Create the event").click()
    await desk.locator("#events").get_by_role("link", name="Winter Wellness Fair").click()
    await see(desk.get_by_role("heading", level=1)).to_have_text("Winter Wellness Fair")

    rows = desk.locator("#add-shifts")
    for i, (role, place, places) in enumerate((("Set-up crew", "Main hall", "3"), ("Welcome table", "Front door", "2"),
                                              ("Lunch servers", "Kitchen", "4"))):
        await rows.get_by_label("Role").nth(i).fill(role)
        await rows.get_by_label("Place (optional)").nth(i).fill(place)
        await rows.get_by_label("Places").nth(i).fill(places)
    await rows.get_by_label("Starts").nth(0).fill(f"{fair_day}T09:00")
    await rows.get_by_label("Ends").nth(0).fill(f"{fair_day}T10:00")
    await rows.get_by_label("Description (optional)").nth(1).fill("Greet people and hand out the map of the stalls.")
    await shots(desk, "three shifts in one form")
    await rows.get_by_role("button", name="Create the shifts").click()
    await see(desk.locator("#shifts .card")).to_have_count(3)
    await shots(desk, "the fair and its shifts")
    assert await c.mail.new() == []

    board = c.phones["volunteer"]
    await board.goto(f"/shifts?org={SLUG}")
    card = board.locator(".card", has_text="Welcome table")
    await card.get_by_role("button", name=re.compile("^Sign up")).click()
    await see(card).to_contain_text("You are confirmed")
    await shots(board, "volunteer signed up")
    confirmed = (await c.mail.one_each(VERA))[VERA[0]]
    text = mail_text(confirmed)
    assert "Welcome table" in confirmed["Subject"], confirmed["Subject"]
    assert long_day(fair_day, "10:00–14:00") in text and "Front door" in text and "map of the stalls" in text


async def bring_people_in_through_the_link(c: Center) -> None:
    """The private group's link: Ana and Bo ask to join; Ana is welcomed, Bo declined kindly;
    Ana's calendar feed serves the group's sessions."""
    desk, shots, group = c.desk, c.shots, c.groups[WEEKLY]
    await desk.goto(f"/groups/{group}#invite-link")
    await desk.get_by_role("button", name="Make an invitation link").click()
    await see(desk.locator(".notice[role=status]")).to_contain_text("The invitation link is ready")
    await desk.get_by_role("button", name="Copy the link").click()
    await see(desk.locator("#invite-link-url-status")).to_have_text("Copied.")
    group_link = await desk.evaluate("navigator.clipboard.readText()")
    assert group_link == await desk.get_by_label("The group's invitation link").input_value()
    assert group_link.startswith(c.served + "/groups/join/"), group_link
    await shots(desk, "invitation link copied")

    for role, (name, _) in (("participant A", ANA), ("participant B", BO)):
        phone = c.phones[role]
        await phone.goto(urlsplit(group_link).path)
        await see(phone.get_by_role("heading", level=1)).to_have_text(WEEKLY)
        if name == ANA[0]:
            await shots(phone, "group link on a phone")
        await phone.get_by_role("button", name="Ask to join").click()
        await see(phone.get_by_role("status")).to_contain_text("Your request to join has been sent")
        note = (await c.mail.one_each(FEMI))[FEMI[0]]  # the group's facilitator hears, nobody named
        assert note["Subject"] == f"{WEEKLY}: a request to join" and name not in mail_text(note)
        assert link_in(note, "/groups/") == f"/groups/{group}"

    await desk.goto(f"/groups/{group}#requests")
    await shots(desk, "requests to join")
    await desk.get_by_role("button", name=f"Approve {ANA[0]}").click()
    await see(desk.locator(".notice[role=status]")).to_contain_text("The request was approved")
    await desk.get_by_role("button", name=f"Decline {BO[0]}").click()
    await see(desk.locator(".notice[role=status]")).to_contain_text("The request was declined")
    answers = await c.mail.one_each(ANA, BO)
    assert answers[ANA[0]]["Subject"] == f"{WEEKLY}: welcome, here is the schedule"
    kind = mail_text(answers[BO[0]])
    assert answers[BO[0]]["Subject"] == f"{WEEKLY}: your request to join", answers[BO[0]]["Subject"]
    assert "cannot offer you a place this time" in kind and "ask again" in kind and "declined" not in kind

    feeds = c.phones["participant A"]
    await feeds.goto("/me/feeds")
    await feeds.get_by_role("button", name="Create feed").click()
    address = await feeds.get_by_label("Your calendar address").input_value()
    assert address.startswith(c.served + "/"), address
    await shots(feeds, "feed address")
    async with httpx.AsyncClient(timeout=10) as http:  # as a calendar app would, outside the browser
        calendar = await http.get(address)
    assert calendar.status_code == 200 and calendar.headers["content-type"].startswith("text/calendar")
    text = calendar.text.replace("\r\n ", "")
    assert f"SUMMARY:{WEEKLY}" in text and f"DTSTART;TZID={ZONE}:{c.weekly_first:%Y%m%d}T183000" in text


async def run_and_move_sessions(c: Center, pool) -> None:
    """Femi takes attendance of a session under way; Maya moves a later one, and its people are
    told from when to when."""
    desk, shots, group = c.desk, c.shots, c.groups[WEEKLY]
    first, second = await pool.fetch("SELECT id FROM sessions WHERE group_id = $1 ORDER BY starts_at LIMIT 2", group)
    await pool.execute("UPDATE sessions SET starts_at = now() - interval '20 minutes', "
                       "ends_at = now() + interval '70 minutes' WHERE id = $1", first["id"])
    register = c.phones["facilitator"]
    await register.goto(f"/sessions/{first['id']}")
    await register.get_by_role("group", name=ANA[0]).get_by_label("Present").check()
    await shots(register, "attendance on a phone")
    await register.get_by_role("button", name="Save attendance").click()
    await see(register.get_by_role("status")).to_contain_text("Attendance saved for 1 person")
    assert await c.mail.new() == []  # the thank-you waits for the session's end and the center's delay

    await desk.goto(f"/groups/{group}")
    await desk.locator("section[aria-labelledby=upcoming-h] a", has_text=f"{c.weekly_first + timedelta(days=7):%a %-d %b}").click()
    await see(desk).to_have_url(re.compile(f"/sessions/{second['id']}$"))
    moved_to = c.weekly_first + timedelta(days=8)
    await desk.get_by_label(re.compile("^New start")).fill(f"{moved_to}T19:00")
    await desk.get_by_role("button", name="Move this session").click()
    await see(desk.get_by_role("status")).to_contain_text("The session was moved")
    await shots(desk, "session moved")
    for message in (await c.mail.one_each(ANA, FEMI)).values():
        text = mail_text(message)
        assert message["Subject"] == (f"{WEEKLY}: the session on {c.weekly_first + timedelta(days=7):%a %-d %B} "
                                      f"moved to {moved_to:%a %-d %B}, 19:00"), message["Subject"]
        assert f"It was on {long_day(c.weekly_first + timedelta(days=7), '18:30–20:00')}" in text, text
        assert f"It is now on {long_day(moved_to, '19:00–20:30')}" in text, text


@pytest.mark.slow
async def test_a_coordinator_runs_a_center_from_the_pages(new_page, served, smtp, mail_settings, pool, redis):
    """Sign up, create the organization, venues, a weekly group until further notice and a
    monthly one, invitations accepted on phones, facilitators per series and from the gap list,
    a fair with three shifts and a volunteer, a private group's link with one request approved
    and one declined, a calendar feed, attendance, and a session moved: every email checked."""
    worker_settings = msgspec.structs.replace(mail_settings, base_url=served)
    mail = Mailbox(smtp, served, lambda: run_jobs(worker_settings, pool, redis))
    desk = await new_page(DESKTOP, permissions=["clipboard-read", "clipboard-write"], timezone_id=ZONE)
    center = Center(desk, mail, Shots("center"), served)

    await sign_up_and_create_the_organization(center)
    await add_venues_groups_and_people(center, new_page)
    await staff_the_groups(center)
    await hold_a_fair_with_three_shifts(center)
    await bring_people_in_through_the_link(center)
    await run_and_move_sessions(center, pool)
