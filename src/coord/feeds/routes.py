from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.datastructures import State

from coord.feeds import service
from coord.feeds.schemas import FeedCreatedOut, FeedIn, FeedOut
from coord.http import DB, AuthedRequest, Body, PathId


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
    async def revoke(self, request: AuthedRequest, feed_id: PathId, db: DB) -> None:
        """Revoke a feed: its URL answers 404 from now on."""
        await service.revoke_feed(db, request.user.id, feed_id)


CONTROLLERS = [MyFeedsController]  # mounted under /api/v1
PUBLIC_ROUTES: list = []  # mounted at the root: /feeds/{token}.ics, /orgs/{slug}/events.ics
