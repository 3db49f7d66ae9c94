"""How often one may try to sign in or sign up, made for a sign-up evening on a community
center's shared Wi-Fi (many people behind one address) while one account cannot be guessed at.

With `per_minute` = COORD_LOGIN_ATTEMPTS_PER_MINUTE (default 10), for each form (signing in,
signing up), the API and the pages alike (same Redis keys):
- per account and address: `per_minute` tries a minute for one email address from one client;
- per address: ADDRESS_FACTOR x `per_minute` tries a minute from one client, whatever the
  addresses typed (signing in and signing up count apart);
- per account from anywhere: failed sign-ins lock the account (service.check_not_locked).
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from redis.asyncio import Redis

from coord.kernel.errors import TooManyRequests

ADDRESS_FACTOR = 10
WINDOW_S = 60
Form = Literal["sign-in", "sign-up"]
_DOING = {"sign-in": "signed in", "sign-up": "signed up"}


def client_address(request: Any) -> str:
    """The client's address as the server sees it (the same one Litestar's limits use)."""
    return request.client.host if request.client else "127.0.0.1"


def _seconds(ttl: int) -> str:
    return "a moment" if ttl <= 1 else f"{ttl} seconds"


async def take(redis: Redis, form: Form, client: str, email: str, per_minute: int) -> None:
    """Count one try of `form` for `email` from `client`; 429 (with Retry-After) past a budget."""
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]  # no addresses in Redis keys
    by_address = f"coord:attempts:{form}:address:{client}"
    by_account = f"coord:attempts:{form}:account:{account}:{client}"
    async with redis.pipeline(transaction=True) as pipe:
        for key in (by_address, by_account):
            pipe.set(key, 0, ex=WINDOW_S, nx=True)  # a fixed window from the first try
            pipe.incr(key)
            pipe.ttl(key)
        _, address_count, address_ttl, _, account_count, account_ttl = await pipe.execute()
    if address_count > per_minute * ADDRESS_FACTOR:
        wait = max(int(address_ttl), 1)
        raise TooManyRequests(
            f"Many people have {_DOING[form]} from this connection in the last minute. "
            f"Wait {_seconds(wait)} and try again.", retry_after=wait)
    if account_count > per_minute:
        wait = max(int(account_ttl), 1)
        raise TooManyRequests(
            f"Too many tries for this email address in the last minute. Wait {_seconds(wait)} and try again.",
            retry_after=wait)
