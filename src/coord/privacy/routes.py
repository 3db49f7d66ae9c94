from __future__ import annotations

from typing import Any

from litestar import Controller, delete, get

from coord.http import DB, AuthedRequest
from coord.privacy import service


class MyDataController(Controller):
    path = "/me"
    tags = ["privacy"]

    @get("/export", operation_id="exportMe")
    async def export(self, request: AuthedRequest, db: DB) -> dict[str, Any]:
        """Everything coord holds about me, as JSON (audited)."""
        return await service.export(db, request.user.id)

    @delete("", operation_id="eraseMe", status_code=204)
    async def erase(self, request: AuthedRequest, db: DB) -> None:
        """Erase my account: identity gone, attendance anonymized, messages stopped, login impossible."""
        await service.erase(db, request.user.id)


CONTROLLERS = [MyDataController]
