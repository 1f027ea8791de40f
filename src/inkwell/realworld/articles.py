"""RealWorld articles, favorites and comments: /api/articles..."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import AfterValidator

from inkwell.auth.dependencies import write_limit
from inkwell.comments.dependencies import CommentServiceDep
from inkwell.comments.schemas import CommentCreate
from inkwell.core.db import SessionRoute
from inkwell.core.hot_reads import anonymous_variant
from inkwell.core.http_cache import NOT_MODIFIED, answer
from inkwell.core.text import storable
from inkwell.engagement.dependencies import EngagementServiceDep
from inkwell.feeds.dependencies import FeedServiceDep
from inkwell.models.post import PostStatus
from inkwell.posts.dependencies import PostServiceDep, post_service
from inkwell.posts.etags import page_etag, record_etag
from inkwell.posts.records import PostPage
from inkwell.posts.schemas import PostCreate, PostUpdate
from inkwell.realworld.adapters import article, article_summary, comment
from inkwell.realworld.dependencies import CurrentUser, LenientUser, OptionalUser, current_user
from inkwell.realworld.openapi import responses
from inkwell.realworld.schemas import (
    ConduitArticleList,
    ConduitArticleResponse,
    ConduitCommentList,
    ConduitCommentResponse,
    ConduitNewArticleRequest,
    ConduitNewCommentRequest,
    ConduitUpdateArticleRequest,
)
from inkwell.realworld.translate import to_domain

router = APIRouter(prefix="/articles", tags=["RealWorld"], route_class=SessionRoute)
# The same per-user write limits as /api/v1, counted for the RealWorld caller.
PostWrites = write_limit("post write", "rate_limit_post_writes_per_user", current_user)
CommentWrites = write_limit("comment write", "rate_limit_comment_writes_per_user", current_user)

Slug = Annotated[str, Path(max_length=200)]
CommentId = Annotated[int, Path(alias="id", ge=1, le=2**63 - 1)]


def _filter(value: str | None) -> str | None:
    """An empty filter (`?tag=`) is no filter."""
    return storable(value) if value else None


Filter = Annotated[str | None, Query(max_length=100), AfterValidator(_filter)]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _list(page: PostPage) -> ConduitArticleList:
    return ConduitArticleList(
        articles=[article_summary(record) for record in page.items], articles_count=page.total
    )


@router.get(
    "",
    response_model=ConduitArticleList,
    responses={**responses(401, 422), **NOT_MODIFIED},
)
async def list_articles(
    *,
    viewer: OptionalUser,
    service: PostServiceDep,
    request: Request,
    tag: Filter = None,
    author: Filter = None,
    favorited: Filter = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """Public articles, newest first; `articlesCount` is the number of all matches."""
    page = await service.list_slice(
        limit=limit, offset=offset, author=author, tag=tag, liked_by=favorited, viewer=viewer
    )
    return answer(request, page_etag(page), lambda: _list(page))


@anonymous_variant(list_articles)
async def list_articles_anonymously(
    request: Request,
    *,
    tag: str | None,
    author: str | None,
    favorited: str | None,
    limit: int,
    offset: int,
) -> Response:
    """`list_articles` for a caller without credentials (core/hot_reads.py)."""
    return await list_articles(
        viewer=None,
        service=await post_service(request),
        request=request,
        tag=tag,
        author=author,
        favorited=favorited,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/feed",
    response_model=ConduitArticleList,
    responses={**responses(401, 422), **NOT_MODIFIED},
)
async def feed(
    *,
    user: CurrentUser,
    service: FeedServiceDep,
    request: Request,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """Articles of the users you follow, newest first."""
    page = await service.feed_slice(user=user, limit=limit, offset=offset)
    return answer(request, page_etag(page), lambda: _list(page), public=False)


@router.get(
    "/{slug}",
    response_model=ConduitArticleResponse,
    responses={**responses(404), **NOT_MODIFIED},
)
async def get_article(
    slug: Slug, viewer: LenientUser, service: PostServiceDep, request: Request
) -> Response:
    """One article (an old slug still finds it); an expired token reads it anonymously."""
    record = await service.read_current(id_or_slug=slug, viewer=viewer, content="source")
    return answer(
        request, record_etag(record), lambda: ConduitArticleResponse(article=article(record))
    )


@anonymous_variant(get_article)
async def get_article_anonymously(request: Request, *, slug: str) -> Response:
    """`get_article` for a caller without credentials (core/hot_reads.py)."""
    return await get_article(
        slug=slug, viewer=None, service=await post_service(request), request=request
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=responses(401, 403, 409, 422, 429),
    dependencies=[PostWrites],
)
async def create_article(
    data: ConduitNewArticleRequest, user: CurrentUser, service: PostServiceDep
) -> ConduitArticleResponse:
    """Write an article; it is published at once (a post with status `published`), so a
    contributor, whose posts go through review, is refused (403)."""
    sent = data.article
    post = to_domain(
        PostCreate,
        {
            "title": sent.title,
            "content_raw": sent.body,
            "summary": sent.description,
            "tags": sent.tag_list,
            "status": PostStatus.PUBLISHED,
        },
    )
    record = await service.create(author=user, data=post)
    return ConduitArticleResponse(article=article(record))


def _post_changes(sent: dict[str, Any]) -> PostUpdate:
    names = {"body": "content_raw", "description": "summary", "tag_list": "tags"}
    values = {names.get(name, name): value for name, value in sent.items()}
    if "title" in values:
        values["slug"] = None  # a new title makes a new slug (the old one keeps redirecting)
    return to_domain(PostUpdate, values)


@router.put("/{slug}", responses=responses(401, 403, 404, 422, 429), dependencies=[PostWrites])
async def update_article(
    slug: Slug, data: ConduitUpdateArticleRequest, user: CurrentUser, service: PostServiceDep
) -> ConduitArticleResponse:
    """Change the fields sent (the author or an admin); a new title gives a new slug."""
    changes = _post_changes(data.article.model_dump(exclude_unset=True))
    record = await service.update(post_ref=slug, editor=user, changes=changes, if_match=None)
    return ConduitArticleResponse(article=article(record))


@router.delete(
    "/{slug}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(401, 403, 404)
)
async def delete_article(slug: Slug, user: CurrentUser, service: PostServiceDep) -> None:
    """Delete an article (the author or an admin)."""
    await service.delete(post_ref=slug, user=user, if_match=None)


@router.post("/{slug}/favorite", responses=responses(401, 404))
async def favorite(
    slug: Slug, user: CurrentUser, likes: EngagementServiceDep, posts: PostServiceDep
) -> ConduitArticleResponse:
    """Favorite (like) an article; favoriting twice is one favorite. Answers the article."""
    await likes.mark(kind="like", id_or_slug=slug, user=user)
    record = await posts.read_current(id_or_slug=slug, viewer=user, content="source")
    return ConduitArticleResponse(article=article(record))


@router.delete("/{slug}/favorite", responses=responses(401, 404))
async def unfavorite(
    slug: Slug, user: CurrentUser, likes: EngagementServiceDep, posts: PostServiceDep
) -> ConduitArticleResponse:
    """Take back a favorite (a like). Answers the article."""
    await likes.unmark(kind="like", id_or_slug=slug, user=user)
    record = await posts.read_current(id_or_slug=slug, viewer=user, content="source")
    return ConduitArticleResponse(article=article(record))


@router.get("/{slug}/comments", responses=responses(401, 404))
async def list_comments(
    slug: Slug, viewer: OptionalUser, service: CommentServiceDep
) -> ConduitCommentList:
    """Every comment of the article the caller may read, replies too, newest first."""
    nodes = await service.flat(post_ref=slug, viewer=viewer)
    return ConduitCommentList(comments=[comment(node) for node in nodes])


@router.post(
    "/{slug}/comments",
    status_code=status.HTTP_201_CREATED,
    responses=responses(401, 403, 404, 422, 429),
    dependencies=[CommentWrites],
)
async def add_comment(
    slug: Slug, data: ConduitNewCommentRequest, user: CurrentUser, service: CommentServiceDep
) -> ConduitCommentResponse:
    """Comment on an article (a top-level comment)."""
    new = to_domain(CommentCreate, {"content": data.comment.body})
    node = await service.create(post_ref=slug, author=user, data=new)
    return ConduitCommentResponse(comment=comment(node))


@router.delete(
    "/{slug}/comments/{id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 422),
)
async def delete_comment(
    slug: Slug, comment_id: CommentId, user: CurrentUser, service: CommentServiceDep
) -> None:
    """Delete a comment (its author, the article's author, moderators, admins)."""
    await service.delete_numbered(post_ref=slug, number=comment_id, user=user)
