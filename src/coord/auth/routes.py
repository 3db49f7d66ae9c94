from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State

from coord.auth import attempts, service
from coord.auth.schemas import MeOut, RegisterIn, TokenIn, TokenOut, UserOut
from coord.kernel.db.deps import READ_ONLY
from coord.kernel.params import DB, AuthedRequest, Body, RedisDep


class AuthController(Controller):
    path = "/auth"
    tags = ["identity"]

    @post("/register", operation_id="register", status_code=201, exclude_from_auth=True)
    async def register(self, request: Request[Any, Any, Any], data: Body[RegisterIn], db: DB, redis: RedisDep,
                       state: State) -> UserOut:
        """Create an account. 409 if the email is taken. The address gets a confirmation link;
        until it is used the account cannot join groups, sign up for shifts or register for
        events, and coord sends it nothing else. 429 past the sign-up budgets (per address typed
        and client, and a larger one per client; see README, COORD_LOGIN_ATTEMPTS_PER_MINUTE)."""
        await attempts.take(redis, "sign-up", attempts.client_address(request), data.email,
                            state.settings.login_attempts_per_minute)
        return await service.register(db, data, settings=state.settings)

    @post("/token", operation_id="createToken", status_code=200, exclude_from_auth=True)
    async def token(self, request: Request[Any, Any, Any], data: Body[TokenIn], db: DB, redis: RedisDep,
                    state: State) -> TokenOut:
        """Exchange email and password for a bearer token. 429 past the sign-in budgets (per
        account and client, a larger one per client) or while failed tries lock the account."""
        await attempts.take(redis, "sign-in", attempts.client_address(request), data.email,
                            state.settings.login_attempts_per_minute)
        user_id, version = await service.authenticate(db, redis, data.email, data.password)
        auth = state.jwt_auth
        encoded = auth.create_token(identifier=str(user_id), token_extras={"tv": version})
        return TokenOut(access_token=encoded, expires_in=int(auth.default_token_expiration.total_seconds()))

    @post("/logout-all", operation_id="revokeTokens", status_code=204)
    async def logout_all(self, request: AuthedRequest, db: DB) -> None:
        """Log out everywhere: every token issued so far stops working."""
        await service.revoke_tokens(db, request.user.id)


class MeController(Controller):
    path = "/me"
    tags = ["identity"]

    @get("", operation_id="getMe", opt={READ_ONLY: True})
    async def me(self, request: AuthedRequest, db: DB) -> MeOut:
        """The caller's profile and organization memberships."""
        return await service.me(db, request.user.id)
