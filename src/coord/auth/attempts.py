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

from coord.i18n import N_, gettext as _, ngettext
from coord.kernel.errors import TooManyRequests

ADDRESS_FACTOR = 10
WINDOW_S = 60
Form = Literal["sign-in", "sign-up"]
# Whole sentences per form (a participle alone would not translate); marked here, translated when said.
_DOING = {
    "sign-in": N_("Many people have signed in from this connection in the last minute. Wait %(seconds)s and try again."),
    "sign-up": N_("Many people have signed up from this connection in the last minute. Wait %(seconds)s and try again."),
}


def client_address(request: Any) -> str:
    """The client's address as the server sees it (the same one Litestar's limits use)."""
    return request.client.host if request.client else "127.0.0.1"


def _seconds(ttl: int) -> str:
    return _("a moment") if ttl <= 1 else ngettext("%(num)d second", "%(num)d seconds", ttl) % {"num": ttl}


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
        _unused, address_count, address_ttl, _unused2, account_count, account_ttl = await pipe.execute()
    if address_count > per_minute * ADDRESS_FACTOR:
        wait = max(int(address_ttl), 1)
        raise TooManyRequests(
            _(_DOING[form]) % {"seconds": _seconds(wait)}, retry_after=wait)
    if account_count > per_minute:
        wait = max(int(account_ttl), 1)
        raise TooManyRequests(
            _("Too many tries for this email address in the last minute. Wait %(seconds)s and try again.") % {"seconds": _seconds(wait)},
            retry_after=wait)
