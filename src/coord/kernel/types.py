"""Field types shared by schemas across domains."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

# Instants must carry an offset: "2026-05-01T18:30:00-04:00" or "...Z".
Instant = Annotated[datetime, msgspec.Meta(tz=True, description="ISO 8601 with an offset")]
# Wall-clock times of a series, read in the series' IANA timezone.
LocalTime = Annotated[datetime, msgspec.Meta(tz=False, description="local wall-clock time, no offset")]
TimezoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="IANA timezone, e.g. Europe/London")]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=5000)]
