"""Each person decides which kinds of message they get, when, and how discreetly."""

from __future__ import annotations

from datetime import time
from typing import Literal
from uuid import UUID

import asyncpg
import msgspec

from coord.notify import queries

# Every kind of message coord sends; each can be turned off by its recipient.
MessageKind = Literal[
    "welcome",
    "invite",
    "cancellation",
    "reminder",
    "promotion",
    "followup_present",
    "followup_absent",
    "attendance_reminder",
    "roster",
    "coverage_alert",
]
MESSAGE_KINDS: tuple[str, ...] = MessageKind.__args__  # type: ignore[attr-defined]


class Preferences(msgspec.Struct, forbid_unknown_fields=True):
    disabled_kinds: list[MessageKind] = msgspec.field(default_factory=list)
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(8, 0)
    discreet: bool = False


DEFAULTS = Preferences()


async def get_preferences(conn: asyncpg.Connection, user_id: UUID) -> Preferences:
    row = await conn.fetchrow(queries.PREFS, user_id)
    if row is None:
        return DEFAULTS
    return Preferences(
        disabled_kinds=list(row["disabled_kinds"]),
        quiet_hours_start=row["quiet_start"],
        quiet_hours_end=row["quiet_end"],
        discreet=row["discreet"],
    )


async def set_preferences(conn: asyncpg.Connection, user_id: UUID, prefs: Preferences) -> Preferences:
    await conn.execute(
        queries.UPSERT_PREFS,
        user_id,
        sorted(set(prefs.disabled_kinds)),
        prefs.quiet_hours_start.replace(tzinfo=None),
        prefs.quiet_hours_end.replace(tzinfo=None),
        prefs.discreet,
    )
    return await get_preferences(conn, user_id)
