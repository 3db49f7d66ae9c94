"""An in-process copy of cached feed validators, so a revalidation (304) needs no I/O.

Entries are only trusted while this process is subscribed to the invalidation
channel that `cache.forget` publishes on: every invalidation reaches every API
process within milliseconds and drops its copy. When the subscription is down
(not yet up, or lost), nothing is served from here and the copy is emptied, so
a missed message can never leave a stale entry. Entries also expire after
`TTL_SECONDS` as a safety net. A copy is only kept if no invalidation arrived
between the Redis read it came from and the moment it is kept (`epoch`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict

from redis.asyncio import Redis

from coord.feeds.cache import INVALIDATION_CHANNEL, Meta

log = logging.getLogger("coord.feeds")

TTL_SECONDS = 30.0
MAX_ENTRIES = 20_000
RETRY_SECONDS = 1.0


class LocalValidators:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.live = False
        self.epoch = 0  # bumped by every invalidation and every (re)subscription
        self._entries: OrderedDict[str, tuple[float, Meta]] = OrderedDict()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen(), name="feed-invalidations")

    def get(self, key: str) -> Meta | None:
        if not self.live:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            del self._entries[key]
            return None
        return entry[1]

    def put(self, key: str, meta: Meta, epoch: int) -> None:
        """Keep `meta`, read from Redis when the epoch was `epoch`, unless something changed since."""
        if not self.live or epoch != self.epoch:
            return
        self._entries[key] = (time.monotonic() + TTL_SECONDS, meta)
        self._entries.move_to_end(key)
        if len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

    def drop(self, keys: list[str]) -> None:
        self.epoch += 1
        for key in keys:
            self._entries.pop(key, None)

    def _reset(self, live: bool) -> None:
        self.live = live
        self.epoch += 1
        self._entries.clear()

    async def _listen(self) -> None:
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(INVALIDATION_CHANNEL)
                    async for message in pubsub.listen():
                        if message["type"] == "subscribe":
                            self._reset(live=True)
                        elif message["type"] == "message":
                            self.drop(message["data"].decode().split("\n"))
            except asyncio.CancelledError:
                self._reset(live=False)
                raise
            except Exception as exc:  # Redis gone: trust nothing local until subscribed again
                self._reset(live=False)
                log.warning("feed invalidation channel lost (%s); retrying", type(exc).__name__)
                await asyncio.sleep(RETRY_SECONDS)
            else:
                self._reset(live=False)
