"""The least a Litestar app does for a shift signup and for `GET /me`, as the floor under
coord's own routes (benchmarks `signup_floor`, `me_floor`): the same service calls on the
same pool settings under the same server, each process on a core of its own as coord's
(coord.kernel.cpu_slots), but no authentication, middleware, access log,
metrics, language or error mapping. The person comes from the path, so never serve this."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from litestar import Litestar, get, post
from litestar.datastructures import State

from coord.auth.schemas import MeOut
from coord.auth.service import me as profile
from coord.kernel.cpu_slots import pin_this_worker, run_as_batch
from coord.kernel.db.pool import create_pool
from coord.shifts.schemas import SignupOut
from coord.shifts.signups import sign_up


@get("/ready")
async def ready() -> str:
    return "ready"


@post("/signups/{user_id:uuid}/{shift_id:uuid}", status_code=201)
async def signup(state: State, user_id: UUID, shift_id: UUID) -> SignupOut:
    async with state.pool.acquire() as conn, conn.transaction():
        return await sign_up(conn, user_id, shift_id)


@get("/me/{user_id:uuid}")
async def me(state: State, user_id: UUID) -> MeOut:
    async with state.pool.acquire() as conn:
        return await profile(conn, user_id)


def app() -> Litestar:
    pin_this_worker()  # as coord.app's factory does, from the slots the benchmark made
    run_as_batch()  # as coord serve's workers run with a process per core (COORD_WEB_SCHED_BATCH)
    @asynccontextmanager
    async def pool(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await create_pool(os.environ["COORD_DATABASE_URL"])
        try:
            yield
        finally:
            await app.state.pool.close()

    return Litestar([ready, signup, me], lifespan=[pool], logging_config=None)
