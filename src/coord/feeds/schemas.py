from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec


class FeedIn(msgspec.Struct, forbid_unknown_fields=True):
    scope: Literal["mine", "org"]
    org_id: UUID | None = None
    discreet: bool = False
    label: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class FeedCreatedOut(msgspec.Struct):
    """The URL holds the secret: it is shown this once and never again."""

    id: UUID
    url: str
    scope: str
    org_id: UUID | None
    discreet: bool


class FeedOut(msgspec.Struct):
    id: UUID
    scope: str
    org_id: UUID | None
    discreet: bool
    label: str | None
    created_at: datetime
    last_fetched_at: datetime | None
