"""HTTP endpoint of the personal feed (/api/v1/feed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from inkwell.auth.dependencies import CurrentUser
from inkwell.auth.scopes import Scope, needs
from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import PageSize
from inkwell.core.http_cache import NOT_MODIFIED, answer
from inkwell.core.openapi import errors
from inkwell.feeds.dependencies import FeedServiceDep
from inkwell.feeds.schemas import Feed
from inkwell.posts.etags import records_etag
from inkwell.posts.schemas import TagSlug

router = APIRouter(prefix="/feed", tags=["feeds"], route_class=SessionRoute)


@router.get(
    "",
    response_model=Feed,
    responses={**errors(401, 422), **NOT_MODIFIED},
    openapi_extra=needs(Scope.POSTS_READ),
)
async def get_feed(
    *,
    user: CurrentUser,
    service: FeedServiceDep,
    request: Request,
    tag: Annotated[TagSlug | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    page_size: PageSize = 20,
) -> Response:
    """Posts of the authors you follow, newest first; `tag` narrows it, `cursor` pages on."""
    found = await service.feed(user=user, tag=tag, cursor=cursor, page_size=page_size)
    etag = records_etag(found.items, found.next_cursor)
    return answer(request, etag, lambda: Feed.from_page(found), public=False)
