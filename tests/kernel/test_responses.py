"""The API's response class sends what Litestar's own would, byte for byte."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import UUID

import msgspec
import pytest
from litestar import Litestar, Response, Router, get, post
from litestar.datastructures import ResponseHeader
from litestar.testing import AsyncTestClient

from coord.kernel.responses import APIResponse, JSONAnswer


class Thing(msgspec.Struct):
    id: UUID
    name: str
    at: datetime
    tags: list[str]


THING = Thing(UUID(int=7), "Grupo de apoyo — مجموعة", datetime(2026, 12, 6, 9, 30, tzinfo=timezone.utc), ["a", "b"])


def routes() -> list:
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
        return Response(THING, headers={"x-own": "1"}, status_code=202)

    return [thing, created, listing, nothing, text, headed, own]


def app() -> Litestar:
    return Litestar([Router("/litestar", route_handlers=routes()),
                     Router("/coord", route_handlers=routes(), response_class=APIResponse)])


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/thing"), ("POST", "/things"), ("GET", "/list"), ("GET", "/none"), ("GET", "/text"),
    ("GET", "/headed"), ("GET", "/own"),
])
async def test_an_api_answer_is_the_same_status_headers_and_bytes_as_litestars(method, path):
    async with AsyncTestClient(app()) as client:
        theirs = await client.request(method, "/litestar" + path)
        ours = await client.request(method, "/coord" + path)
    assert theirs.status_code < 300
    assert (ours.status_code, ours.headers.multi_items(), ours.content) == (
        theirs.status_code, theirs.headers.multi_items(), theirs.content)


def test_only_a_plain_json_answer_takes_the_short_way():
    def short(response: APIResponse, **kwargs) -> bool:
        return isinstance(response.to_asgi_response(None, None, **kwargs), JSONAnswer)

    assert short(APIResponse(THING))
    assert short(APIResponse(THING, status_code=201))
    assert not short(APIResponse(THING, headers={"etag": '"1"'}))
    assert not short(APIResponse(THING), headers={"cache-control": "no-store"})
    assert not short(APIResponse(THING, cookies={"a": "b"}))
    assert not short(APIResponse(None), is_head_response=True)
    assert not short(APIResponse(None, status_code=204))
    assert not short(APIResponse(b"{}"))
    assert not short(APIResponse("text", media_type="text/plain"))
