"""Response models of the tags domain."""

from __future__ import annotations

from inkwell.core.schemas import OutputModel, Page
from inkwell.tags.records import TagPage


class TagView(OutputModel):
    name: str
    slug: str
    description: str | None
    post_count: int


class TagList(Page[TagView]):
    @classmethod
    def from_page(cls, page: TagPage) -> TagList:
        return cls.of(page, [TagView.model_validate(t) for t in page.items])
