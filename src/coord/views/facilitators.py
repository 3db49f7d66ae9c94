"""Whom the pages offer to staff a session or a series: a group's active facilitators.

The callers have checked access already (the coordination page: staff; the schedule
page: staff and the group's facilitators); names of facilitators are for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import asyncpg
import msgspec

from coord.views import queries


class Facilitator(msgspec.Struct, frozen=True):
    user_id: UUID
    display_name: str


async def group_facilitators(conn: asyncpg.Connection, group_id: UUID) -> list[Facilitator]:
    """The group's active facilitators, by name."""
    return [Facilitator(r["user_id"], r["display_name"]) for r in await conn.fetch(queries.GROUP_FACILITATORS, group_id)]


async def facilitators_to_assign(conn: asyncpg.Connection, session_ids: Iterable[UUID]) -> dict[UUID, list[Facilitator]]:
    """For each session, its group's active facilitators not on it yet (none: no entry)."""
    choices: dict[UUID, list[Facilitator]] = {}
    for r in await conn.fetch(queries.FACILITATORS_TO_ASSIGN, list(session_ids)):
        choices.setdefault(r["session_id"], []).append(Facilitator(r["user_id"], r["display_name"]))
    return choices
