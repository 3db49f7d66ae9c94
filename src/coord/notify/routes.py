from __future__ import annotations

from litestar import Controller, get, put

from coord.kernel.params import DB, AuthedRequest, Body, PathId
from coord.notify.rosters import Roster, roster_on_demand
from coord.notify.preferences import Preferences, get_preferences, set_preferences


class NotificationSettingsController(Controller):
    path = "/me/notifications"
    tags = ["notifications"]

    @get("", operation_id="getNotificationSettings")
    async def get_settings(self, request: AuthedRequest, db: DB) -> Preferences:
        """Which kinds of message I get, my quiet hours (in my timezone) and discreet mode."""
        return await get_preferences(db, request.user.id)

    @put("", operation_id="setNotificationSettings")
    async def set_settings(self, request: AuthedRequest, data: Body[Preferences], db: DB) -> Preferences:
        """Replace my notification settings; kinds listed in disabled_kinds are never sent to me."""
        return await set_preferences(db, request.user.id, data)



class RosterController(Controller):
    path = "/orgs/{org_id:uuid}/roster"
    tags = ["notifications"]

    @get("", operation_id="getRoster")
    async def roster(self, request: AuthedRequest, org_id: PathId, db: DB) -> Roster:
        """My roster for the next 14 days, on demand (the weekly email holds the same).

        Coordinators and admins get the organization view, coverage gaps first."""
        return await roster_on_demand(db, org_id, request.user.id)


CONTROLLERS = [NotificationSettingsController, RosterController]
