"""HTTP endpoints of comments (/api/v1/posts/{post}/comments, /api/v1/comments/{id})."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status

from inkwell.auth.dependencies import CommentWriteLimit, CurrentUser, OptionalUser
from inkwell.auth.scopes import Scope, needs
from inkwell.comments.dependencies import CommentServiceDep, comment_service
from inkwell.comments.schemas import (
    CommentCreate,
    CommentList,
    CommentThreads,
    CommentUpdate,
    CommentView,
    ThreadParams,
)
from inkwell.comments.service import CommentService
from inkwell.core.db import SessionRoute, request_session
from inkwell.core.dependencies import Page, PageSize, app_state
from inkwell.core.hot_reads import anonymous_variant
from inkwell.core.http_cache import NOT_MODIFIED, answer
from inkwell.core.openapi import errors
from inkwell.core.query import QueryModel
from inkwell.idempotency.dependencies import Idempotent
from inkwell.models.user import User

posts_router = APIRouter(prefix="/posts", tags=["comments"], route_class=SessionRoute)
router = APIRouter(prefix="/comments", tags=["comments"], route_class=SessionRoute)


LIVE_SEQ_HEADER = "Live-Seq"
PostRef = Annotated[str, Path(max_length=200, description="The post's id or slug")]


_THREAD_PARAMS = QueryModel(ThreadParams)


@posts_router.get(
    "/{post}/comments",
    response_model=CommentThreads,
    responses={**errors(404, 410, 422), **NOT_MODIFIED},
    openapi_extra=needs(Scope.POSTS_READ, _THREAD_PARAMS.openapi),
)
async def list_threads(
    *,
    post: PostRef,
    params: Annotated[ThreadParams, Depends(_THREAD_PARAMS)],
    viewer: OptionalUser,
    service: CommentServiceDep,
    request: Request,
) -> Response:
    """Root comments, newest (or oldest) first, each with its replies nested in thread order;
    with `since`, the comments changed after that live sequence number (docs/live.md)."""
    if params.since is not None:
        return await _changes(post, params.since, viewer, service, request)
    page = await service.threads(post_ref=post, viewer=viewer, params=params)
    return answer(request, page.etag, lambda: CommentThreads.from_page(page))


@anonymous_variant(list_threads)
async def list_threads_anonymously(request: Request, *, post: str) -> Response:
    """`list_threads` for a caller without credentials (core/hot_reads.py)."""
    params = await _THREAD_PARAMS(request)
    service = await comment_service(await request_session(request), await app_state(request))
    return await list_threads(
        post=post, params=params, viewer=None, service=service, request=request
    )


async def _changes(
    post: str, since: int, viewer: User | None, service: CommentService, request: Request
) -> Response:
    page = await service.changes(post_ref=post, viewer=viewer, since=since)
    response = answer(request, page.etag, lambda: CommentThreads.from_page(page), public=False)
    response.headers[LIVE_SEQ_HEADER] = str(page.live_seq)
    return response


@posts_router.post(
    "/{post}/comments",
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 404, 422, 429),
    dependencies=[CommentWriteLimit, Idempotent],
    openapi_extra=needs(Scope.COMMENTS_WRITE),
)
async def create_comment(
    *, post: PostRef, data: CommentCreate, user: CurrentUser, service: CommentServiceDep
) -> CommentView:
    """Comment on a post, or reply to one of its comments with `parent_id`."""
    return CommentView.from_node(await service.create(post_ref=post, author=user, data=data))


@posts_router.get(
    "/{post}/comments/pending",
    responses=errors(401, 403, 404, 422),
    openapi_extra=needs(Scope.POSTS_READ),
)
async def list_pending(
    *,
    post: PostRef,
    user: CurrentUser,
    service: CommentServiceDep,
    page: Page = 1,
    page_size: PageSize = 20,
) -> CommentList:
    """Comments waiting for approval, oldest first (the post's author, moderators, admins)."""
    found = await service.pending(post_ref=post, user=user, page=page, page_size=page_size)
    return CommentList.from_page(found)


@router.get("/{comment_id}", responses=errors(404, 422), openapi_extra=needs(Scope.POSTS_READ))
async def get_comment(
    *, comment_id: uuid.UUID, viewer: OptionalUser, service: CommentServiceDep
) -> CommentView:
    """One comment with its replies."""
    return CommentView.from_node(await service.read(comment_id=comment_id, viewer=viewer))


@router.patch(
    "/{comment_id}",
    responses=errors(401, 403, 404, 422, 429),
    dependencies=[CommentWriteLimit],
    openapi_extra=needs(Scope.COMMENTS_WRITE),
)
async def update_comment(
    *, comment_id: uuid.UUID, data: CommentUpdate, user: CurrentUser, service: CommentServiceDep
) -> CommentView:
    """Change a comment's content (its author only); the reply is without its replies."""
    return CommentView.from_node(
        await service.update(comment_id=comment_id, editor=user, data=data)
    )


@router.delete(
    "/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404),
    openapi_extra=needs(Scope.COMMENTS_WRITE),
)
async def delete_comment(
    *, comment_id: uuid.UUID, user: CurrentUser, service: CommentServiceDep
) -> None:
    """Delete a comment (its author, the post's author, moderators, admins)."""
    await service.delete(comment_id=comment_id, user=user)


@router.post(
    "/{comment_id}/hide",
    responses=errors(401, 403, 404, 409),
    openapi_extra=needs(Scope.COMMENTS_WRITE),
)
async def hide_comment(
    *, comment_id: uuid.UUID, user: CurrentUser, service: CommentServiceDep
) -> CommentView:
    """Hide a comment from readers (the post's author, moderators, admins)."""
    return CommentView.from_node(await service.hide(comment_id=comment_id, user=user))


@router.post(
    "/{comment_id}/unhide",
    responses=errors(401, 403, 404, 409),
    openapi_extra=needs(Scope.COMMENTS_WRITE),
)
async def unhide_comment(
    *, comment_id: uuid.UUID, user: CurrentUser, service: CommentServiceDep
) -> CommentView:
    """Show a hidden comment again (the post's author, moderators, admins)."""
    return CommentView.from_node(await service.unhide(comment_id=comment_id, user=user))


@router.post(
    "/{comment_id}/approve",
    responses=errors(401, 403, 404, 409),
    openapi_extra=needs(Scope.COMMENTS_WRITE),
)
async def approve_comment(
    *, comment_id: uuid.UUID, user: CurrentUser, service: CommentServiceDep
) -> CommentView:
    """Publish a pending comment (the post's author, moderators, admins)."""
    return CommentView.from_node(await service.approve(comment_id=comment_id, user=user))
