"""Feed secrets: 256 random bits in the URL, only their SHA-256 in the database.

A token is looked up by its hash (so timing reveals nothing about stored
secrets) and the stored hash is compared again in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 32  # 256 bits
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> tuple[str, bytes]:
    raw = secrets.token_bytes(TOKEN_BYTES)
    token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return token, hash_token(token)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def well_formed(token: str) -> bool:
    return bool(_TOKEN_RE.match(token))


def matches(token: str, stored_hash: bytes) -> bool:
    return hmac.compare_digest(hash_token(token), bytes(stored_hash))
