"""The group form (create and change a group) read into the services' fields, in plain
words; and what a group's page adds for its coordinators (people to add, the invitation
link). Shared by group_pages.py and group_admin_pages.py."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from babel.numbers import format_decimal
from litestar import Request

from coord import i18n
from coord.groups import links
from coord.groups.schemas import GroupOut
from coord.i18n import N_
from coord.i18n import gettext as _
from coord.kernel.access import CurrentUser
from coord.kernel.params import DB
from coord.views.group_page import GroupView, people_to_add
from coord.web.forms import FormInvalid

# The form's choices (marked here, translated where the form is shown: translated()).
FORMATS = {"peer_led": N_("Peer-led: run by people with lived experience"),
           "professional_led": N_("Led by a professional")}
VISIBILITIES = {
    "public": N_("Public: listed on the organization's page; anyone can see it, and members of the organization "
                 "can ask to join."),
    "unlisted": N_("Unlisted: not listed anywhere; people who have its address or its invitation link can see it "
                   "and ask to join."),
    "private": N_("Private: only its members and the coordinators know it exists; people come in through its "
                  "invitation link or when a coordinator adds them."),
}
JOIN_POLICIES = {
    "open": N_("Open: members of the organization join straight away."),
    "approval": N_("By approval: a facilitator or coordinator says yes or no to each request."),
}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_TEXTS = {"name": (N_("The name"), 200), "topic": (N_("The topic"), 200), "audience": (N_("Who it is for"), 200),
          "discreet_title": (N_("The discreet name"), 200), "description": (N_("The description"), 5000)}


def translated(choices: dict[str, str]) -> dict[str, str]:
    """A table of choices in the reader's language."""
    return {value: _(text) for value, text in choices.items()}


def _whole(value: Any, low: int, high: int) -> int | None:
    text = str(value)
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def read_group_form(fields: dict[str, Any]) -> dict[str, Any]:
    """The form's answers as the fields of createGroup and updateGroup (an emptied optional
    field is null: cleared); FormInvalid says what to change, field by field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, (label, longest) in _TEXTS.items():
        value = fields.get(name)
        if isinstance(value, list):
            value = " ".join(value)
        if value and len(value) > longest:
            errors[name] = _("%(what)s can be at most %(num)s characters long.") % {
                "what": _(label), "num": format_decimal(longest, locale=i18n.current())}
        out[name] = value or None
    if not out["name"]:
        errors["name"] = _("Give the group a name.")
    for name, choices, question in (("format", FORMATS, _("Choose who leads the group.")),
                                    ("visibility", VISIBILITIES, _("Choose who can see the group.")),
                                    ("join_policy", JOIN_POLICIES, _("Choose how people join."))):
        if fields.get(name) not in choices:
            errors[name] = question
        out[name] = fields.get(name)
    out["capacity"] = None
    if fields.get("capacity"):
        out["capacity"] = _whole(fields["capacity"], 1, 10_000)
        if out["capacity"] is None:
            errors["capacity"] = _("Places per session: a whole number from 1 to 10,000, or leave it empty for no limit.")
    out["facilitators_required"] = _whole(fields.get("facilitators_required", "1"), 0, 50)
    if out["facilitators_required"] is None:
        errors["facilitators_required"] = _("Facilitators needed: a whole number from 0 to 50.")
    out["venue_id"] = None
    if fields.get("venue_id"):
        try:
            out["venue_id"] = UUID(str(fields["venue_id"]))
        except ValueError:
            errors["venue_id"] = _("Choose a venue from the list.")
    out["timezone"] = fields.get("timezone")
    if not out["timezone"]:
        errors["timezone"] = _("Choose a timezone.")
    raw = fields.get("languages") or ""
    languages = [x for x in re.split(r"[\s,;]+", " ".join(raw) if isinstance(raw, list) else raw) if x]
    if any(not _LANGUAGE.match(x) for x in languages) or len(languages) > 20:
        errors["languages"] = _("Write each language as its short code, like en for English or es for Spanish, "
                                "separated by commas.")
    out["languages"] = list(dict.fromkeys(x.lower() for x in languages))
    if errors:
        raise FormInvalid(errors, "; ".join(errors.values()))
    return out


def group_values(group: GroupOut) -> dict[str, Any]:
    """A group as the form shows it."""
    return {
        "name": group.name, "description": group.description or "", "topic": group.topic or "",
        "audience": group.audience or "", "discreet_title": group.discreet_title or "", "format": group.format,
        "visibility": group.visibility, "join_policy": group.join_policy,
        "capacity": str(group.capacity) if group.capacity else "",
        "facilitators_required": str(group.facilitators_required), "venue_id": str(group.venue_id or ""),
        "timezone": group.timezone, "languages": ", ".join(group.languages),
    }


async def staff_context(request: Request, db: DB, viewer: CurrentUser | None, view: GroupView) -> dict[str, Any]:
    """What the group's page shows its coordinators beyond the roster: the organization's
    members to add (`find` narrows them by name) and the group's invitation link."""
    if viewer is None or view.access is None or not view.access.is_staff:
        return {"staff": False, "people": [], "find": "", "invite_link": None}
    find = (request.query_params.get("find") or "").strip()[:100]
    invite_link = await links.get_link(db, request.app.state.settings, viewer.id, view.group.id)
    return {"staff": True, "people": await people_to_add(db, view, find), "find": find, "invite_link": invite_link}


# The notices of the forms in group_admin_pages.py, by the flag their redirect sets.
ADMIN_NOTICES = {
    "created": N_("The group was created. Schedule its sessions and add its people below."),
    "changed": N_("The group was changed."),
    "archived": N_("The group is archived: its sessions ahead are cancelled and its members are being told."),
    "reopened": N_("The group is open again. Schedule its sessions when it is ready to meet."),
    "added": N_("They are in the group now, and get its schedule for their calendar."),
    "removed": N_("They are no longer in the group; its sessions come off their calendar."),
    "declined": N_("The request was declined. They get a kind message and may ask again later."),
    "link": N_("The invitation link is ready: copy it below and share it with the people you want to invite."),
    "link_revoked": N_("The invitation link was revoked: it no longer works."),
}
