"""Which jobs each domain event drives. The relay enqueues one job per entry."""

from __future__ import annotations

from coord.outbox.events import MemberAdded, event_kind

ROUTING: dict[str, tuple[str, ...]] = {
    event_kind(MemberAdded): ("send_welcome",),
}
