"""Response models of media: every one carries its files' URLs, ready for `srcset`."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from inkwell.core.config import Settings
from inkwell.core.schemas import OutputModel, Page
from inkwell.media.files import image_files
from inkwell.media.service import MediaPage
from inkwell.models.media import Media


class ImageFile(OutputModel):
    url: str
    width: int
    height: int
    content_type: str
    byte_size: int


class ImageFields(OutputModel):
    width: int | None
    height: int | None
    dominant_color: str | None = Field(description="`#rrggbb`, once processed.")
    animated: bool
    original: ImageFile | None = Field(description="The cleaned original, once ready.")
    variants: list[ImageFile] = Field(description="WebP copies narrower than the original.")
    srcset: str = Field(description="The variants and the original as an HTML `srcset`.")


class Cover(ImageFields):
    """A post's cover image (an upload of its author's)."""

    media_id: uuid.UUID


class MediaView(ImageFields):
    id: uuid.UUID
    status: str = Field(description="`processing`, then `ready` or `failed`.")
    failure_reason: str | None
    content_type: str = Field(description="The type of the upload, read from its content.")
    byte_size: int = Field(description="Bytes of the upload (what counts against the quota).")
    created_at: datetime

    @classmethod
    def of(cls, media: Media, settings: Settings) -> MediaView:
        return cls(
            id=media.id,
            status=media.status,
            failure_reason=media.failure_reason,
            content_type=media.content_type,
            byte_size=media.byte_size,
            created_at=media.created_at,
            **image_files(media, settings),
        )


class MediaList(Page[MediaView]):
    @classmethod
    def from_page(cls, page: MediaPage, settings: Settings) -> MediaList:
        return cls.of(page, [MediaView.of(media, settings) for media in page.items])
