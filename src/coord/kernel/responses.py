"""The API's response class: what a route returns, sent as JSON with the least work.

Litestar turns a route's return value into a `Response`, then into an `ASGIResponse` that
builds a header object, merges header dicts and checks cookies on every request: a
twentieth of `GET /me`'s server time. An API answer is mostly a JSON body and a status,
with no headers or cookies of its own: such an answer goes out as those two messages,
with the same bytes and headers Litestar would send (tests/app/test_api_basics.py
compares them). Anything else (headers, cookies, a background task, a HEAD request,
another media type) goes Litestar's way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Response
from litestar.serialization import get_serializer

if TYPE_CHECKING:
    from litestar.types import Receive, Scope, Send

JSON = "application/json"
_NO_BODY = (204, 304)


class JSONAnswer:
    """A JSON body and its status, as ASGI messages (what `ASGIResponse` sends for one)."""

    __slots__ = ("status", "body")

    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body = status, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(self.body)).encode("latin-1"))]})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


class APIResponse(Response[Any]):
    """`response_class` of the API router."""

    def to_asgi_response(self, app: Any, request: Any, *, background: Any = None, cookies: Any = None,
                         encoded_headers: Any = None, headers: dict[str, str] | None = None,
                         is_head_response: bool = False, media_type: Any = None, status_code: int | None = None,
                         type_encoders: Any = None) -> Any:
        status = self.status_code or status_code or 200
        if (app is None and not (self.headers or headers or self.cookies or cookies or encoded_headers)
                and self.background is None and background is None and not is_head_response
                and (self.media_type or media_type or JSON) == JSON and 200 <= status and status not in _NO_BODY
                and not isinstance(self.content, (bytes, str))):
            encoders = {**type_encoders, **(self.response_type_encoders or {})} if type_encoders else self.response_type_encoders
            return JSONAnswer(status, self.render(self.content, JSON, get_serializer(encoders)))
        return super().to_asgi_response(app, request, background=background, cookies=cookies,
                                        encoded_headers=encoded_headers, headers=headers,
                                        is_head_response=is_head_response, media_type=media_type,
                                        status_code=status_code, type_encoders=type_encoders)
