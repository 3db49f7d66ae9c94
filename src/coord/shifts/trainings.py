"""Trainings a person completed (self-reported; staff of an org they belong to may verify)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.errors import Forbidden, NotFound, Unprocessable
from coord.outbox.domain_events import TrainingRecorded, TrainingVerified
from coord.outbox.record import record
from coord.kernel.pagination import Page, decode_cursor, page_of
from coord.shifts import queries
from coord.shifts.schemas import TrainingIn, TrainingOut
from coord.shifts.service import training_code


async def record_training(conn: asyncpg.Connection, user_id: UUID, data: TrainingIn) -> TrainingOut:
    if data.expires_on is not None and data.expires_on < data.completed_on:
        raise Unprocessable(_("the date it is valid until must not be before the date it was completed"), field="expires_on")
    row = await conn.fetchrow(
        queries.INSERT_TRAINING, user_id, training_code(data.code), data.completed_on, data.expires_on
    )
    await record(conn, TrainingRecorded(training_id=row["id"], user_id=user_id))
    return TrainingOut(**dict(row))


async def my_trainings(conn: asyncpg.Connection, user_id: UUID, limit: int, cursor: str | None) -> Page[TrainingOut]:
    (after_id,) = decode_cursor(cursor, tuple[UUID]) or (None,)
    rows = await conn.fetch(queries.MY_TRAININGS, user_id, after_id, limit + 1)
    return page_of([TrainingOut(**dict(r)) for r in rows], limit, lambda t: (t.id,))


async def verify_training(conn: asyncpg.Connection, actor_id: UUID, training_id: UUID) -> TrainingOut:
    """A coordinator or admin of an org the person belongs to vouches for the record.

    Someone sharing no organization with the person learns nothing (404)."""
    row = await conn.fetchrow(queries.TRAINING_FOR_VERIFIER, training_id, actor_id)
    if row is None or not row["shares_org"]:
        raise NotFound(_("no such training"))
    if not row["is_staff"]:
        raise Forbidden(_("trainings are verified by a coordinator or admin"))
    if row["user_id"] == actor_id:
        raise Forbidden(_("another coordinator or admin must verify your own training"))
    verified = await conn.fetchrow(queries.VERIFY_TRAINING, training_id, actor_id, clock.now())
    await record(conn, TrainingVerified(training_id=training_id, user_id=verified["user_id"]))
    return TrainingOut(**dict(verified))
