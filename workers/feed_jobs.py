"""Feed cache jobs (see coord.feeds). FEED_ROUTING and FEED_FUNCTIONS are merged
into the worker's routing and functions."""

from __future__ import annotations

from typing import Any

FEED_ROUTING: dict[str, tuple[str, ...]] = {}
FEED_FUNCTIONS: list[Any] = []
