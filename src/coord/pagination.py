"""Keyset pagination: `{"items": [...], "next_cursor": "...|null"}`.

The cursor is the sort key of the last item returned, opaque to clients
(base64url of a JSON array), so a page costs the same at row 10 as at row 100,000.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import msgspec

from coord.errors import BadRequest, FieldError, Unprocessable

T = TypeVar("T")
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(key)).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = msgspec.json.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise BadRequest("the cursor is not one this service issued", errors=[FieldError("cursor", "invalid cursor")]) from None
    if not isinstance(key, list):
        raise BadRequest("the cursor is not one this service issued", errors=[FieldError("cursor", "invalid cursor")])
    return key


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}", errors=[FieldError("limit", f"1..{MAX_LIMIT}")])
    return limit


def page_of(rows: list[T], limit: int, key_of) -> Page[T]:
    """`rows` was fetched with LIMIT limit+1: the extra row says another page exists."""
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(items=rows, next_cursor=encode_cursor(key_of(rows[-1])))
    return Page(items=rows, next_cursor=None)


def check_window(from_: datetime | None, to: datetime | None) -> None:
    """`from`/`to` filters: instants with an offset (query parameters escape the
    body's Instant type, so it is checked here), and `to` after `from`."""
    for name, value in (("from", from_), ("to", to)):
        if value is not None and value.utcoffset() is None:
            raise BadRequest(
                f"`{name}` needs a UTC offset, e.g. 2026-05-01T18:30:00-04:00", errors=[FieldError(name, "offset required")]
            )
    if from_ is not None and to is not None and to <= from_:
        raise Unprocessable("`to` must be after `from`", field="to")


def keyset_after(cursor: str | None) -> tuple[datetime | None, UUID | None]:
    """A (starts_at, id) cursor as query parameters; (None, None) for the first page."""
    after = decode_cursor(cursor)
    if after is None:
        return None, None
    try:
        return datetime.fromisoformat(after[0]), UUID(after[1])
    except (ValueError, TypeError, IndexError):
        raise BadRequest("the cursor is not one this service issued", errors=[FieldError("cursor", "invalid cursor")]) from None
