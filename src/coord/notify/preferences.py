"""Each person decides which kinds of message they get, when, and how discreetly."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal
from uuid import UUID

import asyncpg
import msgspec

from coord.notify import queries

# Every kind of message coord sends; each can be turned off by its recipient.
MessageKind = Literal[
    "welcome",
    "invite",
    "waitlist",
    "cancellation",
    "reminder",
    "promotion",
    "followup_present",
    "followup_absent",
    "referral",  # to the person referred: someone suggests a service or group (coord.notify.referral_mail)
    "referral_checkin",  # to the person referred, days later: "Did you get connected?"
    "attendance_reminder",
    "roster",
    "coverage_alert",
    "join_request",
    "referral_answer",  # to the referrer (staff): the person's answer to their referral
    "daily_digest",
]
MESSAGE_KINDS: tuple[str, ...] = MessageKind.__args__  # type: ignore[attr-defined]


# "HH:MM" in the person's own timezone (a plain string: OpenAPI has no time-of-day type).
ClockTime = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["21:00"])]


class Preferences(msgspec.Struct, forbid_unknown_fields=True):
    disabled_kinds: list[MessageKind] = msgspec.field(default_factory=list)
    quiet_hours_start: ClockTime = "21:00"
    quiet_hours_end: ClockTime = "08:00"
    discreet: bool = False

    @property
    def quiet_start(self) -> time:
        return time.fromisoformat(self.quiet_hours_start)

    @property
    def quiet_end(self) -> time:
        return time.fromisoformat(self.quiet_hours_end)


DEFAULTS = Preferences()


async def get_preferences(conn: asyncpg.Connection, user_id: UUID) -> Preferences:
    return preferences_of(await conn.fetchrow(queries.PREFS, user_id))


async def turn_off(conn: asyncpg.Connection, user_id: UUID, kind: MessageKind) -> None:
    """The "stop these" link of a message: that kind off, as the settings page would turn it off."""
    await conn.execute(queries.TURN_OFF_KIND, user_id, kind)


def preferences_of(row: asyncpg.Record | None) -> Preferences:
    """A PREFS row (or a LOCK_DELIVERY row, which carries them) as Preferences; the defaults for none."""
    if row is None or not row.get("has_prefs", True):
        return DEFAULTS
    return Preferences(
        disabled_kinds=list(row["disabled_kinds"]),
        quiet_hours_start=row["quiet_start"].strftime("%H:%M"),
        quiet_hours_end=row["quiet_end"].strftime("%H:%M"),
        discreet=row["discreet"],
    )


async def set_preferences(conn: asyncpg.Connection, user_id: UUID, prefs: Preferences) -> Preferences:
    await conn.execute(
        queries.UPSERT_PREFS,
        user_id,
        sorted(set(prefs.disabled_kinds)),
        prefs.quiet_start,
        prefs.quiet_end,
        prefs.discreet,
    )
    return await get_preferences(conn, user_id)
