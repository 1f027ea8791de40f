"""HTTP endpoints of series (/api/v1/series)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from inkwell.auth.dependencies import CurrentUser, OptionalUser
from inkwell.auth.scopes import Scope, needs
from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import Page, PageSize
from inkwell.core.openapi import errors
from inkwell.core.routing import url_for
from inkwell.series.dependencies import SeriesServiceDep
from inkwell.series.schemas import (
    SeriesCreate,
    SeriesList,
    SeriesPosts,
    SeriesUpdate,
    SeriesView,
    Username,
)

router = APIRouter(prefix="/series", tags=["series"], route_class=SessionRoute)

IdOrSlug = Annotated[str, Path(max_length=200, description="The series' id or slug")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 409, 422),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def create_series(
    *,
    data: SeriesCreate,
    user: CurrentUser,
    service: SeriesServiceDep,
    request: Request,
    response: Response,
) -> SeriesView:
    """Start a series of your posts (empty; `PUT .../posts` fills it)."""
    record = await service.create(
        owner=user, title=data.title, slug=data.slug, description=data.description
    )
    response.headers["Location"] = url_for(request, "get_series", id_or_slug=record.series.slug)
    return SeriesView.from_record(record)


@router.get("", responses=errors(422))
async def list_series(
    *,
    service: SeriesServiceDep,
    owner: Annotated[Username | None, Query(description="Only this user's series")] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> SeriesList:
    """Series, newest first."""
    return SeriesList.from_page(await service.newest(owner=owner, page=page, page_size=page_size))


@router.get("/{id_or_slug}", responses=errors(404), openapi_extra=needs(Scope.POSTS_READ))
async def get_series(
    *, id_or_slug: IdOrSlug, viewer: OptionalUser, service: SeriesServiceDep
) -> SeriesView:
    """A series and the posts you may see in it, in order."""
    return SeriesView.from_record(await service.read(id_or_slug=id_or_slug, viewer=viewer))


@router.patch(
    "/{id_or_slug}",
    responses=errors(401, 403, 404, 409, 422),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def update_series(
    *, id_or_slug: IdOrSlug, changes: SeriesUpdate, user: CurrentUser, service: SeriesServiceDep
) -> SeriesView:
    """Change the title, slug or description (the owner and admins)."""
    record = await service.update(id_or_slug=id_or_slug, user=user, changes=changes.changes())
    return SeriesView.from_record(record)


@router.delete(
    "/{id_or_slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def delete_series(
    *, id_or_slug: IdOrSlug, user: CurrentUser, service: SeriesServiceDep
) -> None:
    """Delete a series; its posts stay, in no series (the owner and admins)."""
    await service.delete(id_or_slug=id_or_slug, user=user)


@router.put(
    "/{id_or_slug}/posts",
    responses=errors(401, 403, 404, 409, 422),
    openapi_extra=needs(Scope.POSTS_WRITE),
)
async def set_series_posts(
    *, id_or_slug: IdOrSlug, data: SeriesPosts, user: CurrentUser, service: SeriesServiceDep
) -> SeriesView:
    """Set the series' posts, in order (the owner and admins): live posts of the series'
    owner, each once, none in another series. 422 `series_duplicate_post`,
    `series_unknown_post` or `series_foreign_post`; 409 `post_in_other_series`."""
    record = await service.set_posts(id_or_slug=id_or_slug, user=user, post_ids=data.post_ids)
    return SeriesView.from_record(record)
