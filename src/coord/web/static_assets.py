"""Static files a phone keeps: versioned addresses, validators that tell encodings apart, 304s.

Pages link `static("coord.css")`, which is `/static/coord.css?v=<fingerprint>`, the start of
the file's SHA-256. Requested with its current fingerprint a file is `immutable` for a year,
so a phone on a slow line asks for it once per release instead of once an hour; a new
release has new fingerprints, so nobody keeps an old stylesheet. Without it (or with an
old one) the file is served as ever, cacheable for an hour.

The ETag is the fingerprint too: strong for the file's own bytes, weak (`W/`) for the
gzipped body, which is the same content but not the same bytes (RFC 9110, 8.8.3; Litestar's
was one strong tag for both). A request that names the current tag in `If-None-Match` gets
304 without the file being read or compressed (Litestar's static files always sent 200).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from litestar.types import ASGIApp, Message, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
PREFIX = "/static/"
IMMUTABLE = b"public, max-age=31536000, immutable"


@cache
def _fingerprints() -> dict[str, str]:
    """Every file under STATIC by its path there, read once (they do not change while coord
    runs). A lookup per request name would remember every made-up name it was asked for."""
    root = STATIC.resolve()
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            for path in sorted(root.rglob("*")) if path.is_file()}


def fingerprint(name: str) -> str | None:
    """The start of the SHA-256 of a file under STATIC, or None when there is no such file."""
    return _fingerprints().get(name)


def static(name: str) -> str:
    """The address a page links a static file by."""
    version = fingerprint(name)
    if version is None:
        raise ValueError(f"no static file {name!r} under {STATIC}")  # a typo in a template: fail loudly
    return f"{PREFIX}{name}?v={version}"


def _header(scope: Scope, name: bytes) -> bytes:
    return next((v for k, v in scope.get("headers") or () if k == name), b"")


def _names_tag(if_none_match: bytes, tag: str) -> bool:
    """Weak comparison, as If-None-Match uses: W/"x" and "x" both name x."""
    wanted = if_none_match.decode("latin-1")
    if wanted.strip() == "*":
        return True
    return any(item.strip().removeprefix("W/") == f'"{tag}"' for item in wanted.split(","))


def static_caching(app: ASGIApp) -> ASGIApp:
    """Middleware for the static files router (outside its compression)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"].removeprefix(PREFIX)
        version = fingerprint(name) if scope["type"] == "http" and scope["path"].startswith(PREFIX) else None
        if version is None:
            await app(scope, receive, send)
            return
        current = _query_version(scope) == version

        if scope["method"] in ("GET", "HEAD") and _names_tag(_header(scope, b"if-none-match"), version):
            headers = [(b"etag", f'"{version}"'.encode()), (b"vary", b"Accept-Encoding")]
            if current:
                headers.append((b"cache-control", IMMUTABLE))
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return

        async def versioned(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [(k, v) for k, v in message.get("headers") or () if k.lower() != b"etag"
                           and not (current and k.lower() == b"cache-control")]
                gzipped = any(k.lower() == b"content-encoding" for k, _v in headers)
                headers.append((b"etag", f'{"W/" if gzipped else ""}"{version}"'.encode()))
                if current:
                    headers.append((b"cache-control", IMMUTABLE))
                message = {**message, "headers": headers}  # type: ignore[typeddict-item]
            await send(message)

        await app(scope, receive, versioned)

    return middleware


def _query_version(scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    return next((part[2:] for part in query.split("&") if part.startswith("v=")), "")
