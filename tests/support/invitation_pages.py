"""Invitations as a browser sees them: the link mailed to a person, and staff signed in to the coordination page."""

from __future__ import annotations

import re

from tests.pages import Visitor
from tests.support import mail_text

LINK = re.compile(r"http://coord\.test(/invitations/[A-Za-z0-9_-]{43})")


def link_to(smtp, address: str) -> str:
    """The newest invitation link mailed to `address` (a path)."""
    links = [p for m in smtp.messages if m["To"] == address for p in LINK.findall(mail_text(m))]
    assert links, f"no invitation was mailed to {address}"
    return links[-1]


async def staff(api, role: str = "coordinator"):
    admin = await api.user("admin")
    org = await api.org(admin)
    person = await api.user(role)
    await api.member(org, admin, person, role)
    return org, admin, person


async def coordinator_browser(client, api):
    """An organization, its admin, and a browser signed in as a coordinator (and the
    coordination page's path)."""
    org, admin, coordinator = await staff(api)
    browser = Visitor(client)
    await browser.login(coordinator)
    return org, admin, browser, f"/orgs/{org['slug']}/coordination"
