"""HTTP endpoints of tags (/api/v1/tags)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from inkwell.core.db import SessionRoute
from inkwell.core.dependencies import Page, PageSize
from inkwell.core.openapi import errors
from inkwell.tags.dependencies import TagServiceDep
from inkwell.tags.records import TagSort
from inkwell.tags.schemas import TagList, TagView

router = APIRouter(prefix="/tags", tags=["tags"], route_class=SessionRoute)


@router.get("", responses=errors(422))
async def list_tags(
    service: TagServiceDep,
    sort: TagSort = "name",
    page: Page = 1,
    page_size: PageSize = 20,
) -> TagList:
    """Every tag that a public post uses, with its count of public posts, by name or count."""
    return TagList.from_page(await service.list(sort=sort, page=page, page_size=page_size))


@router.get("/{slug}", responses=errors(404))
async def get_tag(slug: Annotated[str, Path(max_length=60)], service: TagServiceDep) -> TagView:
    """One tag that a public post uses, with its count of public posts."""
    return TagView.model_validate(await service.get(slug=slug))
