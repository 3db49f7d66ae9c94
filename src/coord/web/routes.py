"""Every page controller, in one list for the router in setup.py."""

from __future__ import annotations

from typing import Any

from coord.web.account_pages import CONTROLLERS as ACCOUNT
from coord.web.directory_pages import CONTROLLERS as DIRECTORY
from coord.web.event_shift_pages import CONTROLLERS as EVENT_SHIFTS
from coord.web.group_admin_pages import CONTROLLERS as GROUP_ADMIN
from coord.web.group_link_pages import CONTROLLERS as GROUP_LINKS
from coord.web.group_pages import CONTROLLERS as GROUPS
from coord.web.home_pages import CONTROLLERS as HOME
from coord.web.invitation_pages import CONTROLLERS as INVITATIONS
from coord.web.language import CONTROLLERS as LANGUAGE
from coord.web.me_pages import CONTROLLERS as ME
from coord.web.member_pages import CONTROLLERS as MEMBERS
from coord.web.org_pages import CONTROLLERS as ORGS
from coord.web.org_setup_pages import CONTROLLERS as ORG_SETUP
from coord.web.report_pages import CONTROLLERS as REPORTS
from coord.web.resource_pages import CONTROLLERS as RESOURCES
from coord.web.referral_pages import CONTROLLERS as REFERRALS
from coord.web.shift_pages import CONTROLLERS as SHIFTS
from coord.web.staffing_pages import CONTROLLERS as STAFFING

PAGE_CONTROLLERS: list[Any] = [*HOME, *ACCOUNT, *SHIFTS, *ME, *GROUPS, *GROUP_ADMIN, *GROUP_LINKS, *ORGS, *EVENT_SHIFTS, *ORG_SETUP,
                               *MEMBERS, *INVITATIONS, *STAFFING, *LANGUAGE, *DIRECTORY, *REFERRALS,
                               *REPORTS, *RESOURCES]
