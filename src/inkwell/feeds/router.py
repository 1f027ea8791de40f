"""HTTP endpoint of the personal feed (/api/v1/feed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from inkwell.auth.dependencies import CurrentUser
from inkwell.core.db import SessionDep, SessionRoute
from inkwell.core.openapi import errors
from inkwell.feeds.repository import FeedRepository
from inkwell.feeds.schemas import Feed
from inkwell.feeds.service import FeedService
from inkwell.posts.router import PageSize
from inkwell.posts.schemas import TagSlug
from inkwell.tags.repository import TagRepository

router = APIRouter(prefix="/feed", tags=["feeds"], route_class=SessionRoute)


async def feed_service(session: SessionDep) -> FeedService:
    return FeedService(feeds=FeedRepository(session), tags=TagRepository(session))


ServiceDep = Annotated[FeedService, Depends(feed_service)]


@router.get("", responses=errors(401, 422))
async def get_feed(
    user: CurrentUser,
    service: ServiceDep,
    tag: Annotated[TagSlug | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    page_size: PageSize = 20,
) -> Feed:
    """Posts of the authors you follow, newest first; `tag` narrows it, `cursor` pages on."""
    found = await service.feed(user=user, tag=tag, cursor=cursor, page_size=page_size)
    return Feed.from_page(found)
