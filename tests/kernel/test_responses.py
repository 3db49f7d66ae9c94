"""The API's response class sends what Litestar's own would, byte for byte."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import UUID

import msgspec
import pytest
from litestar import Litestar, Response, Router, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import Cookie, ResponseHeader
from litestar.exceptions import ImproperlyConfiguredException
from litestar.testing import AsyncTestClient

from coord.kernel.responses import Answer, APIResponse


class Thing(msgspec.Struct):
    id: UUID
    name: str
    at: datetime
    tags: list[str]


THING = Thing(UUID(int=7), "Grupo de apoyo — مجموعة", datetime(2026, 12, 6, 9, 30, tzinfo=timezone.utc), ["a", "b"])


def routes(cls: type[Response]) -> list:
    @get("/thing")
    async def thing() -> Thing:
        return THING

    @post("/things", status_code=201)
    async def created() -> Thing:
        return THING

    @get("/list")
    async def listing() -> list[Thing]:
        return [THING, THING]

    @get("/none", status_code=204)
    async def nothing() -> None:
        return None

    @get("/text", media_type="text/plain")
    async def text() -> str:
        return "plain words"

    @get("/headed", response_headers=[ResponseHeader(name="cache-control", value="no-store")])
    async def headed() -> Thing:
        return THING

    @get("/own")
    async def own() -> Response[Thing]:
        return cls(THING, headers={"x-own": "1"}, status_code=202)

    @get("/own-type", response_headers=[ResponseHeader(name="x-route", value="r")])
    async def own_type() -> Response[dict]:
        # The response's headers win over the route's; its content type stays its own.
        return cls({"a": 1}, headers={"Content-Type": "application/problem+json", "X-Route": "own"})

    @get("/calendar")
    async def calendar() -> Response[bytes]:
        return cls(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", media_type="text/calendar",
                   headers={"ETag": '"v1"', "Cache-Control": "private, max-age=0"})

    @get("/not-modified")
    async def not_modified() -> Response[bytes]:
        return cls(b"", status_code=304, headers={"ETag": '"v1"', "Last-Modified": "Sun, 06 Dec 2026 09:30:00 GMT"})

    @get("/empty-text", media_type="text/plain")
    async def empty_text() -> str:
        return ""

    return [thing, created, listing, nothing, text, headed, own, own_type, calendar, not_modified, empty_text]


def app() -> Litestar:
    return Litestar([Router("/litestar", route_handlers=routes(Response)),
                     Router("/coord", route_handlers=routes(APIResponse), response_class=APIResponse)])


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/thing"), ("POST", "/things"), ("GET", "/list"), ("GET", "/none"), ("GET", "/text"),
    ("GET", "/headed"), ("GET", "/own"), ("GET", "/own-type"), ("GET", "/calendar"), ("GET", "/not-modified"),
    ("GET", "/empty-text"),
])
async def test_an_api_answer_is_the_same_status_headers_and_bytes_as_litestars(method, path):
    async with AsyncTestClient(app()) as client:
        theirs = await client.request(method, "/litestar" + path)
        ours = await client.request(method, "/coord" + path)
    assert theirs.status_code < 400
    assert (ours.status_code, ours.headers.multi_items(), ours.content) == (
        theirs.status_code, theirs.headers.multi_items(), theirs.content)


def test_cookies_background_tasks_and_head_go_litestars_way():
    def short(response: APIResponse, **kwargs) -> bool:
        return isinstance(response.to_asgi_response(None, None, **kwargs), Answer)

    assert short(APIResponse(THING))
    assert short(APIResponse(THING, status_code=201, headers={"etag": '"1"'}))
    assert short(APIResponse(b"", status_code=304, headers={"etag": '"1"'}))
    assert short(APIResponse("text", media_type="text/plain"), headers={"cache-control": "no-store"})
    assert not short(APIResponse(THING, cookies={"a": "b"}))
    assert not short(APIResponse(THING), cookies=[Cookie(key="a", value="b")])
    assert not short(APIResponse(THING, background=BackgroundTask(print)))
    assert not short(APIResponse(None), is_head_response=True)
    with pytest.raises(ImproperlyConfiguredException):  # Litestar's own refusal, kept
        APIResponse(THING, status_code=304).to_asgi_response(None, None)
