"""Security headers on every response, added at the outermost ASGI layer.

API answers are JSON and never framed; pages get a strict Content-Security-Policy
(same-origin scripts and styles only). HSTS is sent only when the request came
over TLS (directly or through a proxy that says so), as browsers require.
"""

from __future__ import annotations

from litestar.types import Scope

from coord.kernel.secret_paths import holds_secret

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
# An address that holds a secret, pasted somewhere public, must still not put a group's
# name in a search index.
NOINDEX = (b"x-robots-tag", b"noindex, nofollow")


def _over_tls(scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    return any(k == b"x-forwarded-proto" and v.lower() == b"https" for k, v in scope.get("headers") or ())


_CSP = (b"content-security-policy", CSP.encode())
_SCHEMA_CSP = (b"content-security-policy", SCHEMA_CSP.encode())


def security_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The headers every answer to this request carries, unless the route set its own."""
    extra = [*STATIC_HEADERS, _SCHEMA_CSP if scope["path"].startswith("/schema") else _CSP]
    if _over_tls(scope):
        extra.append(HSTS)
    if holds_secret(scope["path"]):
        extra.append(NOINDEX)
    return extra
