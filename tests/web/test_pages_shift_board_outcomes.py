"""The shift board says what a sign-up or cancel did (issue 16.10) without JavaScript too: the
post ends with a redirect (303) to the board, whose live region (always on the page) says the
outcome; a refusal is in its alert region; the form's POST-only address opened with GET (a
reload, a bookmark) is the board, never a 405."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.moments import now
from tests.pages import Visitor, text_of
from tests.support.world import make_shift


def region(html: str, region_id: str) -> str:
    found = re.search(rf'<div id="{region_id}"([^>]*)>(.*?)</div>', html, re.S)
    assert found, f"no #{region_id} on the page"
    return found.group(1) + " | " + text_of(found.group(2))


async def test_the_outcome_is_said_after_the_redirect_and_a_refusal_is_an_alert(client, api):
    admin = await api.user("admin")
    org = await api.org(admin)
    ana = await api.user("ana")
    await api.member(org, admin, ana, "volunteer")
    starts = (now() + timedelta(days=2)).replace(microsecond=0)
    shift = await make_shift(client, org, admin, starts_at=starts.isoformat(),
                             ends_at=(starts + timedelta(hours=2)).isoformat())
    other = await make_shift(client, org, admin, role="Kitchen", starts_at=(starts + timedelta(hours=1)).isoformat(),
                             ends_at=(starts + timedelta(hours=3)).isoformat())
    browser = Visitor(client)
    await browser.login(ana)
    week = starts.date().isoformat()
    board = f"/shifts?org={org['slug']}&week={week}"

    empty = (await browser.get(board)).text
    assert 'role="status" aria-live="polite"' in region(empty, "board-status")
    assert region(empty, "board-status").endswith("| ") and 'role="alert"' in region(empty, "board-alert")

    done = await browser.post(f"/shifts/{shift['id']}/signup", {"org": org["slug"], "week": week}, form_page=board)
    assert done.status_code == 303 and done.headers["location"].startswith("/shifts?")
    after = (await browser.get(done.headers["location"])).text
    assert "You are confirmed for this shift." in region(after, "board-status")

    refused = await browser.post(f"/shifts/{other['id']}/signup", {"org": org["slug"], "week": week}, form_page=board)
    assert refused.status_code == 409
    assert "overlapping time" in region(refused.text, "board-alert")
    assert region(refused.text, "board-status").endswith("| ")  # nothing said politely: the alert says it

    # The form's address opened as a page: the board (303), not 405.
    for action in ("signup", "cancel"):
        opened = await browser.get(f"/shifts/{shift['id']}/{action}", follow_redirects=False)
        assert opened.status_code == 303 and opened.headers["location"].startswith("/shifts"), opened.status_code
