"""Errors of series."""

from __future__ import annotations

import uuid

from inkwell.core.errors import Conflict, Forbidden, InvalidInput, NotFound


class SeriesNotFound(NotFound):
    code, title = "series_not_found", "Series not found"


class NotSeriesOwner(Forbidden):
    code, title = "not_series_owner", "Only the series' owner or an admin may do this"


class SeriesSlugTaken(Conflict):
    code, title = "series_slug_taken", "Slug already in use"

    def __init__(self, slug: str) -> None:
        super().__init__(
            f"Another series already uses the slug {slug!r}.",
            errors=[{"field": "slug", "message": "is already taken", "type": "taken"}],
        )


class _PostsRefused(InvalidInput):
    """Some of the posts sent cannot be in this series; `errors` names each by its index."""

    reason = ""

    def __init__(self, refused: list[tuple[int, uuid.UUID]]) -> None:
        super().__init__(
            f"{len(refused)} of the posts {self.reason}.",
            errors=[
                {
                    "field": f"post_ids.{index}",
                    "message": f"{post_id} {self.reason}",
                    "type": self.code,
                }
                for index, post_id in refused
            ],
        )


class DuplicatePosts(_PostsRefused):
    code, title = "series_duplicate_post", "A post is listed twice"
    reason = "is listed more than once"


class UnknownPosts(_PostsRefused):
    code, title = "series_unknown_post", "No such post"
    reason = "is not a post you can see"


class ForeignPosts(_PostsRefused):
    code, title = "series_foreign_post", "Only the owner's own posts go in a series"
    reason = "is not a post of the series' owner"


class PostsInOtherSeries(Conflict):
    code, title = "post_in_other_series", "A post is already in another series"

    def __init__(self, refused: list[tuple[int, uuid.UUID]]) -> None:
        super().__init__(
            "A post is in at most one series: take it out of the other one first.",
            errors=[
                {
                    "field": f"post_ids.{index}",
                    "message": f"{post_id} is in another series",
                    "type": "in_other_series",
                }
                for index, post_id in refused
            ],
        )
