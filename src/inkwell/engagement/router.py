"""HTTP endpoints of likes, bookmarks, views and statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from inkwell.auth.dependencies import ClientDep, CurrentUser, OptionalUser, ViewLimit
from inkwell.auth.scopes import Scope, needs
from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import Page, PageSize
from inkwell.core.http_cache import NOT_MODIFIED, answer
from inkwell.core.openapi import errors
from inkwell.engagement.dependencies import EngagementServiceDep
from inkwell.engagement.schemas import BookmarkState, DailyViews, LikeState, ViewResult
from inkwell.posts.etags import page_etag
from inkwell.posts.schemas import PostList

router = APIRouter(prefix="/posts", tags=["engagement"], route_class=SessionRoute)
users_router = APIRouter(prefix="/users", tags=["engagement"], route_class=SessionRoute)


PostRef = Annotated[str, Path(max_length=200, description="The post's id or slug")]
Days = Annotated[int, Query(ge=1, le=365)]


@router.put("/{post}/like", responses=errors(401, 404), openapi_extra=needs(Scope.POSTS_WRITE))
async def like(post: PostRef, user: CurrentUser, service: EngagementServiceDep) -> LikeState:
    """Like a post (liking twice is still one like)."""
    state = await service.mark(kind="like", id_or_slug=post, user=user)
    return LikeState(liked=state.active, likes_count=state.count)


@router.delete("/{post}/like", responses=errors(401, 404), openapi_extra=needs(Scope.POSTS_WRITE))
async def unlike(post: PostRef, user: CurrentUser, service: EngagementServiceDep) -> LikeState:
    """Take a like back (nothing happens if there was none)."""
    state = await service.unmark(kind="like", id_or_slug=post, user=user)
    return LikeState(liked=state.active, likes_count=state.count)


@router.put("/{post}/bookmark", responses=errors(401, 404), openapi_extra=needs(Scope.POSTS_WRITE))
async def bookmark(
    post: PostRef, user: CurrentUser, service: EngagementServiceDep
) -> BookmarkState:
    """Bookmark a post (bookmarking twice is still one bookmark)."""
    state = await service.mark(kind="bookmark", id_or_slug=post, user=user)
    return BookmarkState(bookmarked=state.active, bookmarks_count=state.count)


@router.delete(
    "/{post}/bookmark", responses=errors(401, 404), openapi_extra=needs(Scope.POSTS_WRITE)
)
async def unbookmark(
    post: PostRef, user: CurrentUser, service: EngagementServiceDep
) -> BookmarkState:
    """Remove a bookmark (nothing happens if there was none)."""
    state = await service.unmark(kind="bookmark", id_or_slug=post, user=user)
    return BookmarkState(bookmarked=state.active, bookmarks_count=state.count)


@router.post(
    "/{post}/views",
    responses=errors(404, 429),
    dependencies=[ViewLimit],
    openapi_extra=needs(Scope.POSTS_READ),
)
async def record_view(
    post: PostRef, viewer: OptionalUser, client: ClientDep, service: EngagementServiceDep
) -> ViewResult:
    """Count a view; the same viewer counts once per post per 30 minutes."""
    found = await service.record_view(id_or_slug=post, viewer=viewer, client=client)
    return ViewResult(counted=found.counted, views_count=found.views_count)


@router.get(
    "/{post}/stats", responses=errors(401, 403, 404, 422), openapi_extra=needs(Scope.POSTS_READ)
)
async def post_stats(
    post: PostRef, user: CurrentUser, service: EngagementServiceDep, days: Days = 30
) -> list[DailyViews]:
    """Views per UTC day over the last `days` days, oldest first (author and admins)."""
    daily = await service.daily_views(id_or_slug=post, user=user, days=days)
    return [DailyViews(day=day, views=views) for day, views in daily]


@users_router.get(
    "/me/bookmarks",
    response_model=PostList,
    responses={**errors(401, 422), **NOT_MODIFIED},
    openapi_extra=needs(Scope.POSTS_READ),
)
async def my_bookmarks(
    *,
    user: CurrentUser,
    service: EngagementServiceDep,
    request: Request,
    page: Page = 1,
    page_size: PageSize = 20,
) -> Response:
    """The caller's bookmarks, most recent first."""
    found = await service.bookmarks(user=user, page=page, page_size=page_size)
    etag = page_etag(found)
    return answer(request, etag, lambda: PostList.from_page(found), public=False)


@users_router.get(
    "/{username}/likes",
    response_model=PostList,
    responses={**errors(404, 422), **NOT_MODIFIED},
    openapi_extra=needs(Scope.POSTS_READ),
)
async def liked_posts(
    *,
    username: Annotated[str, Path(max_length=30)],
    viewer: OptionalUser,
    service: EngagementServiceDep,
    request: Request,
    page: Page = 1,
    page_size: PageSize = 20,
) -> Response:
    """The public posts a user liked, most recently liked first."""
    found = await service.liked_posts(
        username=username, viewer=viewer, page=page, page_size=page_size
    )
    return answer(request, page_etag(found), lambda: PostList.from_page(found))
