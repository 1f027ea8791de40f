"""HTTP endpoints of posts (/api/v1/posts, /api/v1/users/me/posts)."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from inkwell.auth.dependencies import CurrentUser, OptionalUser, PostWriteLimit
from inkwell.auth.scopes import Scope, needs
from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import Page, PageSize
from inkwell.core.hot_reads import anonymous_variant
from inkwell.core.http_cache import NOT_MODIFIED, answer, read_headers
from inkwell.core.openapi import errors
from inkwell.core.query import QueryModel
from inkwell.core.routing import url_for
from inkwell.idempotency.dependencies import Idempotent
from inkwell.models.post import PostStatus
from inkwell.posts.dependencies import PostServiceDep, PreviewLinksDep, post_service
from inkwell.posts.diffs import DiffFormat
from inkwell.posts.etags import page_etag
from inkwell.posts.policy import etag, etag_matches
from inkwell.posts.previews import expires_in
from inkwell.posts.records import PostRecord, PostRow, Redirect
from inkwell.posts.refs import PostRef
from inkwell.posts.schemas import (
    ApproveRequest,
    AuthorsUpdate,
    ChangesRequest,
    PostCreate,
    PostList,
    PostListParams,
    PostUpdate,
    PostView,
    PreviewLinkCreate,
    PreviewLinkCreated,
    PreviewLinkView,
    ReviewView,
    SearchResults,
    SearchText,
    VersionDiffView,
    VersionSummary,
    VersionView,
)
from inkwell.posts.seo import PageLinks

router = APIRouter(prefix="/posts", tags=["posts"], route_class=SessionRoute)
me_router = APIRouter(prefix="/users/me/posts", tags=["posts"], route_class=SessionRoute)
preview_router = APIRouter(prefix="/preview", tags=["posts"], route_class=SessionRoute)
review_router = APIRouter(prefix="/review-queue", tags=["posts"], route_class=SessionRoute)
# A preview is for the link's holder only: no index, no cache, no Referer to other sites.
PREVIEW_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
}


IfMatch = Annotated[str | None, Header(max_length=1000)]
VersionNumber = Annotated[int, Path(ge=1, le=2_147_483_647)]
IdOrSlug = Annotated[str, Path(max_length=200, description="The post's id or slug")]


def _links(request: Request) -> PageLinks:
    return PageLinks.of(request.app.state.inkwell.settings)


def _view(request: Request, response: Response, record: PostRecord) -> PostView:
    response.headers["ETag"] = etag(record.post)
    return PostView.from_post(record, _links(request))


def _view_response(request: Request, record: PostRecord, headers: dict[str, str]) -> Response:
    """The post as a finished response: the most read endpoint skips FastAPI's second pass
    over a model it has just validated (the OpenAPI document still says PostView)."""
    view = PostView.from_post(record, _links(request))
    return Response(
        view.__pydantic_serializer__.to_json(view), media_type="application/json", headers=headers
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 409, 422, 429),
    dependencies=[PostWriteLimit, Idempotent],
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def create_post(
    *,
    data: PostCreate,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    response: Response,
) -> PostView:
    """Write a new post (a draft unless `status` says otherwise)."""
    record = await service.create(author=user, data=data)
    response.headers["Location"] = _location(request, record.post)
    return _view(request, response, record)


_LIST_PARAMS = QueryModel(PostListParams)


@router.get(
    "",
    response_model=PostList,
    responses={**errors(422), **NOT_MODIFIED},
    openapi_extra=needs(Scope.POSTS_READ, _LIST_PARAMS.openapi),
)
async def list_posts(
    *,
    params: Annotated[PostListParams, Depends(_LIST_PARAMS)],
    viewer: OptionalUser,
    service: PostServiceDep,
    request: Request,
) -> Response:
    """Public posts, newest first unless sorted otherwise; `cursor` for keyset paging."""
    page = await service.list_public(params=params, viewer=viewer)
    return answer(request, page_etag(page), lambda: PostList.from_page(page))


@anonymous_variant(list_posts)
async def list_posts_anonymously(request: Request) -> Response:
    """`list_posts` for a caller without credentials (core/hot_reads.py)."""
    params = await _LIST_PARAMS(request)
    service = await post_service(request)
    return await list_posts(params=params, viewer=None, service=service, request=request)


@router.get(
    "/search",
    response_model=SearchResults,
    responses={**errors(422), **NOT_MODIFIED},
    openapi_extra=needs(Scope.POSTS_READ),
)
async def search_posts(
    *,
    q: Annotated[SearchText, Query()],
    viewer: OptionalUser,
    service: PostServiceDep,
    request: Request,
    page: Page = 1,
    page_size: PageSize = 20,
) -> Response:
    """Full-text search (web-search syntax: "quoted phrases", -excluded, or), best first.

    A query with more than 1,000 matches ranks its newest 1,000 (`total_is_exact` is false).
    """
    found = await service.search(q=q, page=page, page_size=page_size, viewer=viewer)
    return answer(request, page_etag(found), lambda: SearchResults.from_page(found))


@router.get(
    "/{id_or_slug}",
    response_model=PostView,
    responses={
        **errors(404),
        301: {"description": "The post has a new slug"},
        **NOT_MODIFIED,
    },
    openapi_extra=needs(Scope.POSTS_READ),
)
async def get_post(
    *,
    id_or_slug: IdOrSlug,
    viewer: OptionalUser,
    service: PostServiceDep,
    request: Request,
    if_none_match: IfMatch = None,
) -> Response:
    """One post by id or slug; an old slug answers 301 to the current one."""
    found = await service.read(id_or_slug=id_or_slug, viewer=viewer)
    if isinstance(found, Redirect):
        url = url_for(request, "get_post", id_or_slug=found.slug)
        return RedirectResponse(url, status_code=status.HTTP_301_MOVED_PERMANENTLY)
    headers = read_headers(request, etag(found.post), public=viewer is None)
    if etag_matches(if_none_match, found.post):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return _view_response(request, found, headers)


@anonymous_variant(get_post)
async def get_post_anonymously(
    request: Request, *, id_or_slug: str, if_none_match: str | None
) -> Response:
    """`get_post` for a caller without credentials (core/hot_reads.py)."""
    service = await post_service(request)
    return await get_post(
        id_or_slug=id_or_slug,
        viewer=None,
        service=service,
        request=request,
        if_none_match=if_none_match,
    )


@router.patch(
    "/{id_or_slug}",
    responses=errors(401, 403, 404, 409, 412, 422, 429),
    dependencies=[PostWriteLimit],
    openapi_extra=needs(Scope.POSTS_WRITE),
)
@router.put(
    "/{id_or_slug}",
    responses=errors(401, 403, 404, 409, 412, 422, 429),
    dependencies=[PostWriteLimit],
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def update_post(
    *,
    id_or_slug: IdOrSlug,
    changes: PostUpdate,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    response: Response,
    if_match: IfMatch = None,
) -> PostView:
    """Change the fields sent (PUT means the same); `If-Match` guards against lost updates."""
    post = _post_ref(id_or_slug)
    record = await service.update(post_ref=post, editor=user, changes=changes, if_match=if_match)
    return _view(request, response, record)


@router.delete(
    "/{id_or_slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404, 412),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def delete_post(
    *, id_or_slug: IdOrSlug, user: CurrentUser, service: PostServiceDep, if_match: IfMatch = None
) -> None:
    """Delete a post (it can no longer be read; its slug is free again)."""
    await service.delete(post_ref=_post_ref(id_or_slug), user=user, if_match=if_match)


@router.post(
    "/{post_id}/publish",
    responses=errors(401, 403, 404, 422),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def publish_post(
    *,
    post_id: uuid.UUID,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    response: Response,
) -> PostView:
    """Publish now."""
    return _view(request, response, await service.publish(post_id=post_id, user=user))


@router.post(
    "/{post_id}/unpublish", responses=errors(401, 403, 404), openapi_extra=needs(Scope.POSTS_WRITE)
)
async def unpublish_post(
    *,
    post_id: uuid.UUID,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    response: Response,
) -> PostView:
    """Turn back into a draft."""
    return _view(request, response, await service.unpublish(post_id=post_id, user=user))


@router.put(
    "/{post_id}/featured", responses=errors(401, 403, 404), openapi_extra=needs(Scope.POSTS_WRITE)
)
async def feature_post(
    *,
    post_id: uuid.UUID,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    response: Response,
) -> PostView:
    """Feature a post (editors and admins); featuring it again keeps its time."""
    return _view(request, response, await service.feature(post_id=post_id, user=user))


@router.delete(
    "/{post_id}/featured", responses=errors(401, 403, 404), openapi_extra=needs(Scope.POSTS_WRITE)
)
async def unfeature_post(
    *,
    post_id: uuid.UUID,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    response: Response,
) -> PostView:
    """Take a post off the featured list (editors)."""
    return _view(request, response, await service.unfeature(post_id=post_id, user=user))


@router.post(
    "/{post_id}/submit",
    responses=errors(401, 403, 404, 409),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def submit_post(
    *,
    post_id: uuid.UUID,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    response: Response,
) -> PostView:
    """Send a draft to the editors for review (its authors; a contributor's way to publish)."""
    return _view(request, response, await service.submit(post_id=post_id, user=user))


@router.post(
    "/{post_id}/withdraw",
    responses=errors(401, 403, 404, 409),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def withdraw_post(
    *,
    post_id: uuid.UUID,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    response: Response,
) -> PostView:
    """Take a post back out of review, as a draft (its authors)."""
    return _view(request, response, await service.withdraw(post_id=post_id, user=user))


@router.post(
    "/{post_id}/approve",
    responses=errors(401, 403, 404, 409, 422),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def approve_post(
    *,
    post_id: uuid.UUID,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    response: Response,
    data: ApproveRequest | None = None,
) -> PostView:
    """Publish a post in review now, or schedule it for a future `publish_at` (editors and
    admins)."""
    publish_at = data.publish_at if data else None
    return _view(
        request, response, await service.approve(post_id=post_id, user=user, publish_at=publish_at)
    )


@router.post(
    "/{post_id}/request-changes",
    responses=errors(401, 403, 404, 409, 422),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def request_changes(
    *,
    post_id: uuid.UUID,
    data: ChangesRequest,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    response: Response,
) -> PostView:
    """Send a post in review back to its authors as a draft, with a note (editors and admins)."""
    record = await service.request_changes(post_id=post_id, user=user, note=data.note)
    return _view(request, response, record)


@router.get(
    "/{post_id}/reviews", responses=errors(401, 403, 404), openapi_extra=needs(Scope.POSTS_READ)
)
async def list_reviews(
    *, post_id: uuid.UUID, user: CurrentUser, service: PostServiceDep
) -> list[ReviewView]:
    """The editors' decisions on the post and their notes, newest first (its authors, editors
    and admins)."""
    found = await service.reviews(post_id=post_id, user=user)
    return [ReviewView.from_review(review, reviewer) for review, reviewer in found]


@router.put(
    "/{post_id}/authors",
    responses=errors(401, 403, 404, 422),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def set_post_authors(
    *,
    post_id: uuid.UUID,
    data: AuthorsUpdate,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    response: Response,
) -> PostView:
    """Replace the post's authors, in order; the first becomes the primary author (the
    primary author, editors and admins)."""
    record = await service.set_authors(post_id=post_id, user=user, usernames=data.authors)
    return _view(request, response, record)


@review_router.get(
    "", response_model=PostList, responses=errors(401, 403), openapi_extra=needs(Scope.POSTS_READ)
)
async def review_queue(
    *, user: CurrentUser, service: PostServiceDep, page: Page = 1, page_size: PageSize = 20
) -> PostList:
    """Posts waiting for review, the longest waiting first (editors and admins)."""
    found = await service.review_queue(user=user, page=page, page_size=page_size)
    return PostList.from_page(found)


@router.get(
    "/{post_id}/versions", responses=errors(401, 403, 404), openapi_extra=needs(Scope.POSTS_READ)
)
async def list_versions(
    *, post_id: uuid.UUID, user: CurrentUser, service: PostServiceDep
) -> list[VersionSummary]:
    """Every saved version, newest first (author and admins)."""
    records = await service.versions(post_id=post_id, user=user)
    return [VersionSummary.from_record(r) for r in records]


@router.get(
    "/{post_id}/versions/{number}",
    responses=errors(401, 403, 404),
    openapi_extra=needs(Scope.POSTS_READ),
)
async def get_version(
    *, post_id: uuid.UUID, number: VersionNumber, user: CurrentUser, service: PostServiceDep
) -> VersionView:
    """One saved version with its content (author and admins)."""
    return VersionView.from_version(
        await service.version(post_id=post_id, number=number, user=user)
    )


@router.get(
    "/{post_id}/versions/{before}/diff/{after}",
    responses=errors(401, 403, 404, 422),
    openapi_extra=needs(Scope.POSTS_READ),
)
async def diff_versions(
    *,
    post_id: uuid.UUID,
    before: VersionNumber,
    after: VersionNumber,
    user: CurrentUser,
    service: PostServiceDep,
    diff_format: Annotated[DiffFormat, Query(alias="format")] = DiffFormat.UNIFIED,
    context: Annotated[int, Query(ge=0, le=100, description="Lines around each change")] = 3,
) -> VersionDiffView:
    """What changed from version `before` to version `after` (either may be the newer):
    title and summary before and after, the content as a unified diff of its lines or as
    runs of equal, deleted and inserted words, and the metadata keys that differ."""
    compared = await service.compare(
        post_id=post_id, before=before, after=after, user=user, fmt=diff_format, context=context
    )
    return VersionDiffView.from_diff(compared)


@router.post(
    "/{post_id}/preview-links",
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 404),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def create_preview_link(
    *,
    post_id: uuid.UUID,
    data: PreviewLinkCreate,
    user: CurrentUser,
    links: PreviewLinksDep,
    request: Request,
) -> PreviewLinkCreated:
    """A secret link that shows this post, read only, to whoever has it (a draft to a
    reviewer, say), until it expires or is revoked (author and admins). The token is shown
    only in this answer."""
    new = await links.create(
        post_id=post_id, user=user, expires_in=expires_in(data.expires_in_hours)
    )
    url = f"{url_for(request, 'read_preview')}?{urlencode({'token': new.token})}"
    return PreviewLinkCreated.model_validate(
        {**PreviewLinkView.model_validate(new.link).model_dump(), "token": new.token, "url": url}
    )


@router.get(
    "/{post_id}/preview-links",
    responses=errors(401, 403, 404),
    openapi_extra=needs(Scope.POSTS_READ),
)
async def list_preview_links(
    *, post_id: uuid.UUID, user: CurrentUser, links: PreviewLinksDep
) -> list[PreviewLinkView]:
    """The post's preview links, newest first, revoked and expired ones too (no tokens)."""
    return [
        PreviewLinkView.model_validate(link)
        for link in await links.list(post_id=post_id, user=user)
    ]


@router.delete(
    "/{post_id}/preview-links/{link_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def revoke_preview_link(
    *, post_id: uuid.UUID, link_id: uuid.UUID, user: CurrentUser, links: PreviewLinksDep
) -> None:
    """The link stops working at once."""
    await links.revoke(post_id=post_id, link_id=link_id, user=user)


@preview_router.get("", response_model=PostView, responses=errors(404, 422))
async def read_preview(
    *,
    token: Annotated[str, Query(min_length=1, max_length=200)],
    links: PreviewLinksDep,
    request: Request,
) -> Response:
    """The post a preview link shows, to anyone holding it: a draft or scheduled post as it
    is now, read only. An unknown, expired or revoked link answers 404."""
    return _view_response(request, await links.read(token), PREVIEW_HEADERS)


@router.post(
    "/{post_id}/versions/{number}/restore",
    responses=errors(401, 403, 404, 412),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def restore_version(
    *,
    post_id: uuid.UUID,
    number: VersionNumber,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    response: Response,
    if_match: IfMatch = None,
) -> PostView:
    """Make an old version current again (saved as a new version)."""
    record = await service.restore(post_id=post_id, number=number, user=user, if_match=if_match)
    return _view(request, response, record)


@me_router.get(
    "",
    response_model=PostList,
    responses={**errors(401, 422), **NOT_MODIFIED},
    openapi_extra=needs(Scope.POSTS_READ),
)
async def list_my_posts(
    *,
    user: CurrentUser,
    service: PostServiceDep,
    request: Request,
    post_status: Annotated[PostStatus | None, Query(alias="status")] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> Response:
    """The caller's own posts in every status (or the one asked for)."""
    found = await service.list_own(user=user, status=post_status, page=page, page_size=page_size)
    tag = page_etag(found)
    return answer(request, tag, lambda: PostList.from_page(found), public=False)


def _post_ref(id_or_slug: str) -> PostRef:
    """An id when the text is one, else a slug (current or old)."""
    try:
        return uuid.UUID(id_or_slug)
    except ValueError:
        return id_or_slug


def _location(request: Request, post: PostRow) -> str:
    return url_for(request, "get_post", id_or_slug=post.slug)
