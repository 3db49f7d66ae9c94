"""Rendered feeds in Redis, so that a client polling every few minutes costs one lookup.

One Redis hash per feed holds the validators (`m`: ETag, Last-Modified, feed id)
and the body (`b`): a revalidation reads only `m`, a full fetch reads both, each
in one round trip. Entries expire after `TTL` as a safety net; changes drop them
at once through `forget` (the `invalidate_feeds` job, and revocation), which
also tells every API process to drop its in-memory copy of the validators.

A render that read the database before a change committed must not be stored
after that change's `forget` ran. So every key has a generation counter: a
render reads it before touching the database, `forget` increments it (after the
commit) before deleting the entry, and the store is refused unless the
generation is still the one the render started from.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import msgspec
from redis.asyncio import Redis

TTL_SECONDS = 3600
GENERATION_TTL_SECONDS = 2 * 24 * 3600  # outlives any render in flight by far
INVALIDATION_CHANNEL = "coord:feed:invalidated"  # message: the dropped keys, one a line
_PRIVATE = "coord:feed:"
_PUBLIC = "coord:orgfeed:"

# KEYS: entry, generation. ARGV: generation read before rendering, meta, body, ttl.
_STORE = """
local current = redis.call('GET', KEYS[2]) or '0'
if current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'm', ARGV[2], 'b', ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
"""


class Meta(msgspec.Struct, array_like=True, frozen=True):
    etag: str
    last_modified: str  # HTTP date
    feed_id: UUID | None = None  # private feeds only


class Entry(msgspec.Struct, frozen=True):
    meta: Meta
    body: bytes | None  # None when only the validators were read


_encode = msgspec.msgpack.Encoder().encode
_decode_meta = msgspec.msgpack.Decoder(Meta).decode


def private_key(token_hash: bytes) -> str:
    return _PRIVATE + token_hash.hex()


def public_key(slug: str) -> str:
    return _PUBLIC + slug


def _generation_key(key: str) -> str:
    return key + ":gen"


async def lookup(redis: Redis, key: str, *, with_body: bool) -> Entry | None:
    """The cached validators (and body, if asked for), or None."""
    if with_body:
        meta, body = await redis.hmget(key, "m", "b")
    else:
        meta, body = await redis.hget(key, "m"), None
    if meta is None or (with_body and body is None):
        return None
    return Entry(_decode_meta(meta), body)


async def generation(redis: Redis, key: str) -> bytes:
    """Read before rendering; pass to `store`."""
    return await redis.get(_generation_key(key)) or b"0"


async def store(redis: Redis, key: str, started_at: bytes, meta: Meta, body: bytes) -> bool:
    """Cache a render unless the key was invalidated since `started_at` was read."""
    script = redis.register_script(_STORE)
    stored = await script(keys=[key, _generation_key(key)], args=[started_at, _encode(meta), body, TTL_SECONDS])
    return bool(stored)


async def forget(redis: Redis, keys: Iterable[str]) -> int:
    """Invalidate entries: bump each generation, then delete the entry. Call after commit."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return 0
    async with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.incr(_generation_key(key))
            pipe.expire(_generation_key(key), GENERATION_TTL_SECONDS)
            pipe.delete(key)
        pipe.publish(INVALIDATION_CHANNEL, "\n".join(keys))  # API processes drop their copies (coord.feeds.local)
        await pipe.execute()
    return len(keys)
