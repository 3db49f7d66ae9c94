"""Parameter markers shared by every controller (Litestar's explicit style)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec
from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.security.jwt import Token
from redis.asyncio import Redis

from coord.kernel.access import CurrentUser
from coord.kernel.pagination import DEFAULT_LIMIT, MAX_LIMIT, check_window

T = TypeVar("T")

DB = NamedDependency[asyncpg.Connection]
RedisDep = NamedDependency[Redis]
AuthedRequest = Request[CurrentUser, Token, Any]
PathId = FromPath[UUID]
Body = JSONBody
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="page size, at most 200")]
Cursor = Annotated[str | None, QueryParameter(description="next_cursor of the previous page")]
From = Annotated[datetime | None, QueryParameter(name="from", description="starting at or after, ISO 8601 with an offset")]
To = Annotated[datetime | None, QueryParameter(name="to", description="starting before, ISO 8601 with an offset")]
# `?language=es` on the lists of groups and events: only those held in it (the service checks the code).
LanguageFilter = Annotated[str | None, QueryParameter(max_length=35, description="an ISO 639 language code, e.g. es")]


class PageQuery(msgspec.Struct, frozen=True):
    """`limit` and `cursor` of a list; the service reads the cursor as its own sort key."""

    limit: int
    cursor: str | None


class Window(msgspec.Struct, frozen=True):
    """`from`/`to` of a list, checked: instants with an offset, `to` after `from`."""

    from_: datetime | None
    to: datetime | None


def provide_page(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> PageQuery:
    return PageQuery(limit, cursor)


def provide_window(from_: From = None, to: To = None) -> Window:
    check_window(from_, to)
    return Window(from_, to)


# Every list takes `page: Paging` (and a time-windowed one `window: TimeWindow`): one
# declaration of the query parameters, provided by the API router (LIST_DEPENDENCIES).
Paging = NamedDependency[PageQuery]
TimeWindow = NamedDependency[Window]
LIST_DEPENDENCIES = {
    "page": Provide(provide_page, sync_to_thread=False),
    "window": Provide(provide_window, sync_to_thread=False),
}
