"""The API's response class: what a route returns, sent with the least work.

Litestar turns a route's return value into a `Response`, then into an `ASGIResponse` that
builds a header object, merges header dicts and checks cookies on every request: a
twentieth of `GET /me`'s server time, and more of a feed's 304. Most answers have no
cookies or background task: those go out as their two ASGI messages, with the same status,
headers (in the same order) and bytes Litestar would send (tests/kernel/test_responses.py
compares them case by case). Anything else (cookies, a background task, a HEAD request)
goes Litestar's way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Response
from litestar.enums import MediaType
from litestar.serialization import get_serializer
from litestar.utils.helpers import get_enum_string_value

if TYPE_CHECKING:
    from litestar.types import Receive, Scope, Send

_NO_BODY = (204, 304)


class Answer:
    """A status, its headers and a body, as ASGI messages (what `ASGIResponse` sends for them)."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


class APIResponse(Response[Any]):
    """`response_class` of the API router, and the response of the feeds."""

    def to_asgi_response(self, app: Any, request: Any, *, background: Any = None, cookies: Any = None,
                         encoded_headers: Any = None, headers: dict[str, str] | None = None,
                         is_head_response: bool = False, media_type: Any = None, status_code: int | None = None,
                         type_encoders: Any = None) -> Any:
        status = self.status_code or status_code or 200
        if (app is not None or self.cookies or cookies or encoded_headers or is_head_response
                or self.background is not None or background is not None or status < 200):
            return self._litestars(app, request, background, cookies, encoded_headers, headers, is_head_response,
                                   media_type, status_code, type_encoders)
        media = get_enum_string_value(self.media_type or media_type or MediaType.JSON)
        encoders = {**type_encoders, **(self.response_type_encoders or {})} if type_encoders else self.response_type_encoders
        body = self.render(self.content, media, get_serializer(encoders))
        # As ASGIResponse: the route's headers, then the response's own (which win), names in lower case.
        merged = {**headers, **self.headers} if headers else self.headers
        sent = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in merged.items()]
        if status in _NO_BODY:
            if body and body != b"null":  # Litestar refuses this with its own error
                return self._litestars(app, request, background, cookies, encoded_headers, headers,
                                       is_head_response, media_type, status_code, type_encoders)
            return Answer(status, sent, b"")
        present = {name for name, _ in sent} if sent else ()
        if b"content-type" not in present:
            kind = f"{media}; charset={self.encoding}" if media.startswith("text/") else media
            sent.append((b"content-type", kind.encode("latin-1")))
        if b"content-length" not in present:
            sent.append((b"content-length", str(len(body)).encode("latin-1")))
        return Answer(status, sent, body)

    def _litestars(self, app: Any, request: Any, background: Any, cookies: Any, encoded_headers: Any,
                   headers: Any, is_head_response: bool, media_type: Any, status_code: Any, type_encoders: Any) -> Any:
        return super().to_asgi_response(app, request, background=background, cookies=cookies,
                                        encoded_headers=encoded_headers, headers=headers,
                                        is_head_response=is_head_response, media_type=media_type,
                                        status_code=status_code, type_encoders=type_encoders)
