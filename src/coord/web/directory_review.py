"""The directory's part of the coordination page (issue 17.2, 17.5): past imports with their
status and progress, open reports that an entry is wrong, and entries not verified for six
months, for the curating organization's staff."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from coord.directory import reports
from coord.directory import service as directory_service
from coord.i18n import gettext as _
from coord.kernel.errors import Forbidden

IMPORTS_SHOWN = 10


def status_names() -> dict[str, str]:
    return {"queued": _("waiting for its turn"), "running": _("being imported"), "applied": _("imported"),
            "rejected": _("rejected: nothing saved"), "dry_run": _("checked only"), "failed": _("failed: nothing saved")}


def problem_names() -> dict[str, str]:
    return {"phone": _("the phone number does not work"), "address": _("the address is wrong"),
            "hours": _("the opening hours are wrong"), "closed": _("it has closed"), "other": _("something else")}


async def directory_review(db: asyncpg.Connection, viewer_id: UUID, org_id: UUID) -> dict[str, Any] | None:
    """None for a reader who is not staff (the section's lists are theirs alone)."""
    try:
        return {"imports": await directory_service.list_imports(db, viewer_id, org_id, IMPORTS_SHOWN),
                "queue": await reports.queue(db, viewer_id, org_id), "statuses": status_names(),
                "problems": problem_names()}
    except Forbidden:
        return None
