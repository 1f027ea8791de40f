"""Response models of the tags domain."""

from __future__ import annotations

from inkwell.core.schemas import OutputModel
from inkwell.posts.records import TagPage


class TagView(OutputModel):
    name: str
    slug: str
    description: str | None
    post_count: int


class TagList(OutputModel):
    items: list[TagView]
    total: int
    page: int
    page_size: int

    @classmethod
    def from_page(cls, page: TagPage) -> TagList:
        return cls(
            items=[TagView.model_validate(t) for t in page.items],
            total=page.total,
            page=page.page,
            page_size=page.page_size,
        )
