"""Domain events: tagged msgspec Structs carrying ids only.

Past-tense names. A payload holds ids and the minimum needed to act (never a
name, email, note or attendance status): the outbox, job arguments and logs must
hold no personal data. Decode with `decode_event`, then `match` on the type.
"""

from __future__ import annotations

from uuid import UUID

import msgspec


class Event(msgspec.Struct, tag_field="kind", frozen=True, forbid_unknown_fields=True):
    """Base of every domain event; `kind` is the tag stored in outbox.kind."""


class MemberAdded(Event, tag="org.member_added"):
    org_id: UUID
    user_id: UUID


# Every concrete event type. A new event is added here and in workers' routing.
EVENT_TYPES: tuple[type[Event], ...] = (MemberAdded,)

AnyEvent = MemberAdded

_decoder = msgspec.json.Decoder(AnyEvent)
_encoder = msgspec.json.Encoder()


def event_kind(event: Event | type[Event]) -> str:
    cls = event if isinstance(event, type) else type(event)
    return cls.__struct_config__.tag  # type: ignore[return-value]


def encode_event(event: Event) -> bytes:
    return _encoder.encode(event)


def decode_event(raw: bytes | str) -> Event:
    return _decoder.decode(raw)
