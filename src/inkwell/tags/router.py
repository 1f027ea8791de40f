"""HTTP endpoints of tags (/api/v1/tags)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import Page, PageSize
from inkwell.core.http_cache import NOT_MODIFIED, answer
from inkwell.core.openapi import errors
from inkwell.tags.dependencies import TagServiceDep
from inkwell.tags.etags import page_etag, tags_etag
from inkwell.tags.records import TagSort
from inkwell.tags.schemas import TagList, TagView

router = APIRouter(prefix="/tags", tags=["tags"], route_class=SessionRoute)


@router.get("", response_model=TagList, responses={**errors(422), **NOT_MODIFIED})
async def list_tags(
    *,
    service: TagServiceDep,
    request: Request,
    sort: TagSort = "name",
    page: Page = 1,
    page_size: PageSize = 20,
) -> Response:
    """Every tag that a public post uses, with its count of public posts, by name or count."""
    found = await service.list(sort=sort, page=page, page_size=page_size)
    return answer(request, page_etag(found), lambda: TagList.from_page(found))


@router.get("/{slug}", response_model=TagView, responses={**errors(404), **NOT_MODIFIED})
async def get_tag(
    slug: Annotated[str, Path(max_length=60)],
    service: TagServiceDep,
    request: Request,
) -> Response:
    """One tag that a public post uses, with its count of public posts."""
    tag = await service.get(slug=slug)
    return answer(request, tags_etag([tag]), lambda: TagView.model_validate(tag))
