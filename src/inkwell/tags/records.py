"""What the tags repository hands back: a tag with its count of public posts, and list pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The orders a list of tags comes in.
TagSort = Literal["name", "count"]


@dataclass(frozen=True, slots=True)
class TagRecord:
    name: str
    slug: str
    description: str | None
    post_count: int


@dataclass(frozen=True, slots=True)
class TagPage:
    items: list[TagRecord]
    total: int
    page: int
    page_size: int
