from __future__ import annotations

from collections.abc import Iterable

from litestar import Controller, Request, Response, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.params import FromPath

from coord.kernel.errors import NotFound
from coord.feeds import cache, service, serving
from coord.feeds.local import LocalValidators
from coord.feeds.schemas import FeedCreatedOut, FeedIn, FeedOut
from coord.kernel.params import DB, AuthedRequest, Body, PathId
from coord.kernel.responses import APIResponse

CALENDAR = "text/calendar"  # Litestar adds "; charset=utf-8"


class MyFeedsController(Controller):
    path = "/me/feeds"
    tags = ["feeds"]

    @post("", operation_id="createFeed", status_code=201)
    async def create(self, request: AuthedRequest, data: Body[FeedIn], db: DB, state: State) -> FeedCreatedOut:
        """Create a private calendar feed; the returned URL holds its secret and is shown only once."""
        return await service.create_feed(db, state.settings, request.user.id, data)

    @get("", operation_id="listFeeds")
    async def list_feeds(self, request: AuthedRequest, db: DB) -> list[FeedOut]:
        """My feeds (one per device, say) and when each was last fetched; never their URLs."""
        return await service.list_feeds(db, request.user.id)

    @delete("/{feed_id:uuid}", operation_id="revokeFeed", status_code=204)
    async def revoke(self, request: AuthedRequest, feed_id: PathId, state: State) -> None:
        """Revoke a feed: its URL answers 404 from now on."""
        key = await service.revoke_feed(state.pool, state.redis, request.user.id, feed_id)
        validators(state).drop([key])  # this process at once; the others through the channel


def validators(state: State) -> LocalValidators:
    """This app's in-memory feed validators, listening for invalidations from the first use on
    in each lifespan (one started in an earlier lifespan listened through its Redis client,
    closed since, and its listener ended with it)."""
    local = state.get("feed_validators")
    if local is None or local.redis is not state.redis:
        local = state.feed_validators = LocalValidators(state.redis)
        local.start()
    return local


async def forget_feeds(state: State, token_hashes: Iterable[bytes]) -> None:
    """Drop the cached renders of feeds deleted in a transaction just committed (see
    service.end_feeds): from Redis and every API process, this one at once."""
    keys = [cache.private_key(h) for h in token_hashes]
    await cache.forget(state.redis, keys)
    validators(state).drop(keys)


def _if_none_match(request: Request) -> str | None:
    """Every If-None-Match field, as one list (RFC 9110, 5.3), read from the request as it came:
    calendar apps revalidate a feed every few minutes, and Litestar's `request.headers` builds
    an object of every header for the one. A feed route also takes its state from the app rather
    than as a parameter, which Litestar would copy on every request."""
    fields = [value for name, value in request.scope["headers"] if name == b"if-none-match"]
    return b", ".join(fields).decode("latin-1") if fields else None


def _response(served: serving.Served, background: BackgroundTask | None = None) -> Response[bytes]:
    headers = {
        "ETag": served.meta.etag,
        "Last-Modified": served.meta.last_modified,
        "Cache-Control": served.cache_control,
    }
    # APIResponse: a revalidation answered without Litestar's header object (kernel.responses).
    if served.status == 304:
        return APIResponse(b"", status_code=304, headers=headers, background=background)
    return APIResponse(served.body or b"", status_code=200, media_type=CALENDAR, headers=headers, background=background)


@get(
    "/feeds/{filename:str}",
    operation_id="getPrivateFeed",
    exclude_from_auth=True,
    tags=["feeds"],
    cache=False,
    summary="A private calendar feed (GET /feeds/{token}.ics)",
)
async def private_feed(filename: FromPath[str], request: Request) -> Response[bytes]:
    """A private iCalendar feed by the secret in its URL, for calendar apps to subscribe to.

    Answers 304 when If-None-Match holds the current ETag. A malformed, unknown or
    revoked URL gets the same 404."""
    token, dot_ics = filename[:-4], filename[-4:]
    if dot_ics != ".ics":
        raise NotFound(serving.NO_SUCH_FEED)
    state = request.app.state
    served = await serving.private_feed(
        state.pool, state.redis, validators(state), state.settings, token, _if_none_match(request)
    )
    feed_id = served.meta.feed_id
    touch = None
    if feed_id is not None and serving.touch_due(feed_id):
        touch = BackgroundTask(serving.touch, state.pool, state.redis, feed_id)
    return _response(served, touch)


@get(
    "/orgs/{slug:str}/events.ics",
    operation_id="getPublicEventsFeed",
    exclude_from_auth=True,
    tags=["feeds"],
    cache=False,
)
async def public_events_feed(slug: FromPath[str], request: Request) -> Response[bytes]:
    """An organization's public community events as an iCalendar feed; no login needed."""
    state = request.app.state
    served = await serving.public_events(
        state.pool, state.redis, validators(state), state.settings, slug, _if_none_match(request)
    )
    return _response(served)


CONTROLLERS = [MyFeedsController]  # mounted under /api/v1
PUBLIC_ROUTES: list = [private_feed, public_events_feed]  # mounted at the root
