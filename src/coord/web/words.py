"""The words pages show for coord's fixed values (a role, a visibility, an invitation's
state, a kind of message), in the reader's language. English keeps the value's own word, as
the pages showed it before they were translated."""

from __future__ import annotations

import re

from coord.i18n import N_
from coord.i18n import gettext as _

# Lowercase, as a list of roles reads ("participant, volunteer"); `| capitalize` for a label.
ROLES = {"participant": N_("participant"), "volunteer": N_("volunteer"), "facilitator": N_("facilitator"),
         "coordinator": N_("coordinator"), "admin": N_("admin")}
VISIBILITY = {"public": N_("public"), "unlisted": N_("unlisted"), "private": N_("private")}
# An invitation's state on the coordination page, and a CSV row's outcome.
STATES = {"pending": N_("pending"), "accepted": N_("accepted"), "expired": N_("expired"), "revoked": N_("revoked"),
          "already_member": N_("already member"), "invited": N_("invited"), "not_invited": N_("not invited"),
          "invalid": N_("invalid")}


def _word(table: dict[str, str], value: str) -> str:
    return _(table[value]) if value in table else value.replace("_", " ")


def role_name(role: str) -> str:
    return _word(ROLES, role)


def role_names(roles: list[str]) -> str:
    """"participant, volunteer" in the reader's language (a comma in Arabic is "،")."""
    return _(", ").join(role_name(r) for r in roles)


def visibility_name(value: str) -> str:
    return _word(VISIBILITY, value)


def state_name(value: str) -> str:
    return _word(STATES, value)


# A kind of message (a failed delivery's): English keeps the kind's own words.
MESSAGE_KINDS = {
    "welcome": N_("welcome"), "invite": N_("invite"), "waitlist": N_("waitlist"), "promotion": N_("promotion"),
    "cancellation": N_("cancellation"), "reminder": N_("reminder"), "followup_present": N_("followup present"),
    "followup_absent": N_("followup absent"), "attendance_reminder": N_("attendance reminder"),
    "roster": N_("roster"), "coverage_alert": N_("coverage alert"), "join_request": N_("join request"),
    "daily_digest": N_("daily digest"), "referral": N_("referral"), "referral_checkin": N_("referral check-in"),
    "referral_answer": N_("referral answer"),
}


def message_kind(kind: str) -> str:
    return _word(MESSAGE_KINDS, kind)


# Why a row of an invitation file was not used (coord.orgs.invitation_import says it in
# English, for the API): the same words in the reader's language.
IMPORT_REASONS = {
    "not an email address": N_("not an email address"),
    "no email address": N_("no email address"),
    "no roles (separate several with ';')": N_("no roles (separate several with ';')"),
    "the name is longer than 120 characters": N_("the name is longer than 120 characters"),
    "only an admin can make someone an admin": N_("only an admin can make someone an admin"),
    "the file has invalid rows, so nobody was invited: fix them, or invite the valid rows":
        N_("the file has invalid rows, so nobody was invited: fix them, or invite the valid rows"),
}
_UNKNOWN_ROLE = re.compile(r"unknown role (.+) \(roles: (.*)\)$")
_SAME_ADDRESS = re.compile(r"the same address as line (\d+)$")


def import_reason(reason: str | None) -> str:
    if not reason:
        return ""
    if reason in IMPORT_REASONS:
        return _(IMPORT_REASONS[reason])
    if found := _UNKNOWN_ROLE.match(reason):
        return _("unknown role %(role)s (roles: %(roles)s)") % {"role": found.group(1), "roles": found.group(2)}
    if found := _SAME_ADDRESS.match(reason):
        return _("the same address as line %(line)s") % {"line": found.group(1)}
    return reason
