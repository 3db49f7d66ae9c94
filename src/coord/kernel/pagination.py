"""Keyset pagination: `{"items": [...], "next_cursor": "...|null"}`.

The cursor is the sort key of the last item returned, opaque to clients
(base64url of a JSON array), so a page costs the same at row 10 as at row 100,000.
Each list names its sort key's type where it reads its cursor, e.g.
`decode_cursor(cursor, tuple[KeyInstant, UUID])`: that typed decode is the only way a
cursor is read, so a forged one of any shape is one 400 naming `cursor`.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

import msgspec

from coord.i18n import gettext as _
from coord.kernel.errors import BadRequest, FieldError, Unprocessable

T = TypeVar("T")
K = TypeVar("K", bound=tuple)
MAX_LIMIT = 200
DEFAULT_LIMIT = 50

# The parts sort keys are made of, as narrow as the columns they are compared with:
# a forged value fails decoding and never reaches the database.
KeyInstant = Annotated[datetime, msgspec.Meta(tz=True)]
KeyText = Annotated[str, msgspec.Meta(pattern=r"^[^\x00]*$")]  # PostgreSQL text holds no NUL
KeyBigint = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(key: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(key)).decode().rstrip("=")


def decode_cursor(cursor: str | None, key_type: type[K]) -> K | None:
    """The sort key `cursor` holds, as `key_type` (a tuple type); None for the first page.

    Not base64url, not JSON, or JSON of another shape or type: one 400 naming `cursor`."""
    if not cursor:
        return None
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        key = msgspec.json.decode(raw, type=key_type)
        # Instants reach the database in UTC; one at the edge of year 1 or 9999 has no UTC form.
        return tuple(v.astimezone(UTC) if isinstance(v, datetime) else v for v in key)  # type: ignore[return-value]
    except (ValueError, OverflowError, msgspec.DecodeError):
        raise BadRequest(
            _("the cursor is not one this list issued; ask for the first page again without it"),
            errors=[FieldError("cursor", _("not a cursor of this list"))],
        ) from None


def page_of(rows: list[T], limit: int, key_of) -> Page[T]:
    """`rows` was fetched with LIMIT limit+1: the extra row says another page exists.
    `key_of` gives an item's sort key as the tuple its list decodes."""
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
                _("`%(name)s` needs a UTC offset, e.g. 2026-05-01T18:30:00-04:00") % {"name": name}, errors=[FieldError(name, _("offset required"))]
            )
    if from_ is not None and to is not None and to <= from_:
        raise Unprocessable(_("`to` must be after `from`"), field="to")
