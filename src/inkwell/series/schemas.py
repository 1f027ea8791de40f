"""Request and response models of series."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from inkwell.core.schemas import NOT_NULL, InputModel, OutputModel, Page, UTCDateTime
from inkwell.core.slugs import SLUG_PATTERN
from inkwell.core.text import Stripped
from inkwell.posts.schemas import PostSummary, summary_fields
from inkwell.series.service import MAX_SERIES_POSTS, SeriesPage, SeriesRecord
from inkwell.users.schemas import USERNAME_PATTERN, PublicProfile

Title = Annotated[str, Stripped(max_length=200, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=200)]
Description = Annotated[str, Stripped(max_length=2000)]
Username = Annotated[str, StringConstraints(pattern=USERNAME_PATTERN)]


class SeriesCreate(InputModel):
    title: Title
    slug: Slug | None = Field(
        default=None, description="Unique on the site; default: from the title"
    )
    description: Description = ""


class SeriesUpdate(InputModel):
    """Partial update: only the fields sent change."""

    title: Annotated[Title | None, NOT_NULL] = None
    slug: Annotated[Slug | None, NOT_NULL] = None
    description: Annotated[Description | None, NOT_NULL] = None

    @model_validator(mode="after")
    def _not_null(self) -> SeriesUpdate:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, str]:
        return self.model_dump(exclude_unset=True)


class SeriesPosts(InputModel):
    post_ids: Annotated[list[uuid.UUID], Field(max_length=MAX_SERIES_POSTS)] = Field(
        description="Every post of the series, in order; an empty list empties it"
    )


class SeriesSummary(OutputModel):
    id: uuid.UUID
    slug: str
    title: str
    description: str
    owner: PublicProfile
    created_at: UTCDateTime
    updated_at: UTCDateTime


class SeriesEntry(PostSummary):
    position: int = Field(description="1 for the first post the caller sees")


class SeriesView(SeriesSummary):
    """A series and the posts the caller may see, in the owner's order."""

    posts: list[SeriesEntry]

    @classmethod
    def from_record(cls, record: SeriesRecord) -> SeriesView:
        return cls.model_validate(
            {
                **_summary(record.series, record.owner),
                "posts": [
                    summary_fields(post) | {"position": n}
                    for n, post in enumerate(record.posts, start=1)
                ],
            }
        )


class SeriesList(Page[SeriesSummary]):
    @classmethod
    def from_page(cls, page: SeriesPage) -> SeriesList:
        return cls.of(page, [_summary(series, owner) for series, owner in page.items])


def _summary(series: Any, owner: Any) -> dict[str, Any]:
    return {
        "id": series.id,
        "slug": series.slug,
        "title": series.title,
        "description": series.description,
        "owner": owner,
        "created_at": series.created_at,
        "updated_at": series.updated_at,
    }
