"""HTTP endpoint of the personal feed (/api/v1/feed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from inkwell.auth.dependencies import CurrentUser
from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import PageSize
from inkwell.core.openapi import errors
from inkwell.feeds.dependencies import FeedServiceDep
from inkwell.feeds.schemas import Feed
from inkwell.posts.schemas import TagSlug

router = APIRouter(prefix="/feed", tags=["feeds"], route_class=SessionRoute)


@router.get("", responses=errors(401, 422))
async def get_feed(
    user: CurrentUser,
    service: FeedServiceDep,
    tag: Annotated[TagSlug | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    page_size: PageSize = 20,
) -> Feed:
    """Posts of the authors you follow, newest first; `tag` narrows it, `cursor` pages on."""
    found = await service.feed(user=user, tag=tag, cursor=cursor, page_size=page_size)
    return Feed.from_page(found)
