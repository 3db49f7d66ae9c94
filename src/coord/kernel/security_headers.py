"""Security headers on every response, added at the outermost ASGI layer.

API answers are JSON and never framed; pages get a strict Content-Security-Policy
(same-origin scripts and styles only). HSTS is sent only when the request came
over TLS (directly or through a proxy that says so), as browsers require.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)
# The API documentation (Swagger UI, served by coord itself: web/api_docs.py) runs coord's own
# scripts only; its widgets set inline styles, so only its pages allow those.
SCHEMA_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)
STATIC_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def _over_tls(scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    return any(k == b"x-forwarded-proto" and v.lower() == b"https" for k, v in scope.get("headers") or ())


async def with_security_headers(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        await app(scope, receive, send)
        return
    csp = SCHEMA_CSP if scope["path"].startswith("/schema") else CSP
    extra = [*STATIC_HEADERS, (b"content-security-policy", csp.encode())]
    if _over_tls(scope):
        extra.append(HSTS)

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers") or []}
            headers = list(message.get("headers") or [])
            headers.extend(header for header in extra if header[0] not in present)
            message["headers"] = headers  # type: ignore[typeddict-unknown-key]
        await send(message)

    await app(scope, receive, send_with_headers)
