"""The feed service a route needs, over the request's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from inkwell.core.db import SessionDep
from inkwell.feeds.repository import FeedRepository
from inkwell.feeds.service import FeedService
from inkwell.tags.repository import TagRepository


async def feed_service(session: SessionDep) -> FeedService:
    return FeedService(feeds=FeedRepository(session), tags=TagRepository(session))


FeedServiceDep = Annotated[FeedService, Depends(feed_service)]
