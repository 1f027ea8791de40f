"""Response models of likes, bookmarks, views and statistics."""

from __future__ import annotations

from datetime import date

from inkwell.core.schemas import OutputModel


class LikeState(OutputModel):
    liked: bool
    likes_count: int


class BookmarkState(OutputModel):
    bookmarked: bool
    bookmarks_count: int


class ViewResult(OutputModel):
    """Whether this request was counted as a new view, and the post's count after it."""

    counted: bool
    views_count: int


class DailyViews(OutputModel):
    day: date
    views: int
