"""Parameter markers shared by every controller (Litestar's explicit style)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import asyncpg
from litestar import Request
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.security.jwt import Token
from redis.asyncio import Redis

from coord.auth.schemas import CurrentUser
from coord.pagination import MAX_LIMIT

T = TypeVar("T")

DB = NamedDependency[asyncpg.Connection]
RedisDep = NamedDependency[Redis]
AuthedRequest = Request[CurrentUser, Token, Any]
PathId = FromPath[UUID]
Body = JSONBody
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="page size, at most 200")]
Cursor = Annotated[str | None, QueryParameter(description="next_cursor of the previous page")]
# Time-window filters of the lists; the services check the offset (see pagination.check_window).
From = Annotated[datetime | None, QueryParameter(name="from", description="starting at or after, ISO 8601 with an offset")]
To = Annotated[datetime | None, QueryParameter(name="to", description="starting before, ISO 8601 with an offset")]
