"""Security headers on every response, added at the outermost ASGI layer.

API answers are JSON and never framed; pages get a strict Content-Security-Policy
(same-origin scripts and styles only). HSTS is sent only when the request came
over TLS (directly or through a proxy that says so), as browsers require.
"""

from __future__ import annotations

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


_CSP = (b"content-security-policy", CSP.encode())
_SCHEMA_CSP = (b"content-security-policy", SCHEMA_CSP.encode())
# Every answer's set, made once: (API documentation?, over TLS?, address with a secret?).
_SETS = {
    (schema, tls, secret): (*STATIC_HEADERS, _SCHEMA_CSP if schema else _CSP, *([HSTS] if tls else []),
                            *([NOINDEX] if secret else []))
    for schema in (False, True) for tls in (False, True) for secret in (False, True)
}


def security_headers(path: str, over_tls: bool) -> tuple[tuple[bytes, bytes], ...]:
    """The headers every answer to a request for `path` carries, unless the route set its own
    (`over_tls`: the request came over TLS, directly or through a proxy that says so)."""
    return _SETS[path.startswith("/schema"), over_tls, holds_secret(path)]
