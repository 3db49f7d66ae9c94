from __future__ import annotations

from typing import Any

from litestar import Controller, delete, get
from litestar.datastructures import State

from coord.feeds.routes import forget_feeds

from coord.kernel.params import DB, AuthedRequest
from coord.privacy import service


class MyDataController(Controller):
    path = "/me"
    tags = ["privacy"]

    @get("/export", operation_id="exportMe")
    async def export(self, request: AuthedRequest, db: DB) -> dict[str, Any]:
        """Everything coord holds about me, as JSON (audited)."""
        return await service.export(db, request.user.id)

    @delete("", operation_id="eraseMe", status_code=204)
    async def erase(self, request: AuthedRequest, state: State) -> None:
        """Erase my account: identity gone, attendance anonymized, messages stopped, login impossible."""
        # Its own transaction: the feeds' cached renders are dropped after the commit,
        # so no render that read them before can be stored afterwards.
        async with state.pool.acquire() as conn, conn.transaction():
            feed_hashes = await service.erase(conn, request.user.id)
        await forget_feeds(state, feed_hashes)


CONTROLLERS = [MyDataController]
