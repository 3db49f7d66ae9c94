"""A group held in one language is announced in it (issue 16.7): a message about the group
(its sessions, its series) or an event held in exactly one language goes out in that
language to whoever saved none, while a saved language always wins."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID

import pytest

from coord import i18n
from coord.notify.delivery import DeliveryKey, _language
from tests.support import expect
from tests.support.world import make_event, make_group


@pytest.fixture
def every_language(monkeypatch):
    monkeypatch.setattr(i18n, "PREVIEW", {"es", "ar"})


async def test_a_message_about_a_group_held_in_spanish_is_in_spanish_unless_the_reader_chose(
        client, api, pool, every_language):
    admin = await api.user("admin")
    org = await api.org(admin)
    spanish = await make_group(client, org, admin, languages=["es"])
    both = await make_group(client, org, admin, languages=["en", "es"])
    event = await make_event(client, org, admin, languages=["ar"])
    org_id = UUID(org["id"])

    async def language(about, saved=None) -> str:
        key = DeliveryKey(None, None, "invite", org_id, about=about)
        async with pool.acquire() as conn:
            # What the delivery's LOCK_DELIVERY reads along (test_messages_in_the_readers_language.py
            # sends real mail in the organization's language).
            org_locale = await conn.fetchval("SELECT default_locale FROM orgs WHERE id = $1", org_id)
            return (await _language(conn, key, {"locale": saved}, org_locale)).code

    assert await language(SimpleNamespace(group_id=UUID(spanish["id"]))) == "es"
    assert await language(SimpleNamespace(group_id=UUID(spanish["id"])), saved="en") == "en"
    assert await language(SimpleNamespace(group_id=UUID(both["id"]))) == "en"  # two: the organization's
    assert await language(SimpleNamespace(item="event", item_id=UUID(event["id"]))) == "ar"  # a reminder
    assert await language(None) == "en"
    expect(await client.patch(f"/api/v1/orgs/{org['id']}", json={"default_locale": "ar"}, headers=admin.headers), 200)
    assert await language(SimpleNamespace(group_id=UUID(both["id"]))) == "ar"
    assert await language(SimpleNamespace(group_id=UUID(spanish["id"]))) == "es"
