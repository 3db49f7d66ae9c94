"""The demo organization's pages: every page a person can reach, with the demo's own
objects in place of the placeholders (after coord.demo.load_demo)."""

from __future__ import annotations

from urllib.parse import urlencode

from coord.demo import DEMO_SLUG
from coord.sessions.recurrence import MAX_OCCURRENCES
from tests.moments import NY, today

# Every GET page the app serves (tests/web/test_page_weight.py checks none is left out).
PAGES = (
    "/", "/login", "/register", "/logout", "/shifts", "/shifts?org={org}", "/me", "/me/feeds", "/me/notifications",
    "/me/trainings", "/me/groups", "/me/delete", "/me/deleted", "/orgs/{org}", "/orgs/{org}/coordination",
    "/groups/{group}", "/groups/{group}/schedule", "/groups/{group}/schedule?{preview}", "/sessions/{session}",
    "/events/{event}", "/forgot-password", "/reset-password", "/confirm-email", "/me/account",
    "/orgs/{org}/leave", "/orgs/{org}/members/{member}/remove", "/invitations/{invitation}",
    "/orgs/new", "/orgs/{org}/first-steps", "/orgs/{org}/settings", "/coordination",
    "/orgs/{org}/groups/new", "/groups/{group}/edit", "/groups/{group}/archive", "/groups/join/{invitation}",
    "/orgs/{org}/reports", "/orgs/{org}/referrals", "/me/referrals", "/referrals/new", "/referrals/{referral}/checkin",
    "/referrals/checkins/stop", "/resources", "/resources/{service}",
)


def biggest_preview() -> str:
    """The schedule form's preview of the longest series it allows, from tomorrow."""
    return urlencode({"preview": "1", "start_date": today(NY, days=1).isoformat(), "start_time": "18:30",
                      "timezone": NY, "duration_minutes": "90", "freq": "daily", "count": str(MAX_OCCURRENCES)})


async def demo_objects(pool) -> dict[str, str]:
    """What PAGES' placeholders stand for in the demo organization."""
    row = await pool.fetchrow(
        """SELECT (SELECT g.id FROM groups g WHERE g.visibility = 'public' ORDER BY g.name LIMIT 1) AS group,
                  (SELECT s.id FROM sessions s JOIN session_facilitators f ON f.session_id = s.id
                   JOIN users u ON u.id = f.user_id
                   WHERE u.email = 'facilitator@demo.coord.test' ORDER BY s.starts_at LIMIT 1) AS session,
                  (SELECT e.id FROM events e WHERE e.kind = 'workshop' LIMIT 1) AS event,
                  (SELECT u.id FROM users u WHERE u.email = 'participant@demo.coord.test') AS member"""
    )
    return {**{key: str(value) for key, value in row.items()}, "org": DEMO_SLUG, "preview": biggest_preview(),
            "invitation": "not-a-link-token",  # the page that says a link cannot be used
            "referral": "00000000-0000-0000-0000-000000000004", "service": "00000000-0000-0000-0000-000000000005"}
