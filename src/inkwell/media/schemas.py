"""Response models of media: every one carries its files' URLs, ready for `srcset`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from inkwell.core.config import Settings
from inkwell.core.schemas import OutputModel, Page
from inkwell.media.files import content_type_of, media_url
from inkwell.media.service import MediaPage
from inkwell.models.media import Media


class ImageFile(OutputModel):
    url: str
    width: int
    height: int
    content_type: str
    byte_size: int


class MediaView(OutputModel):
    id: uuid.UUID
    status: str = Field(description="`processing`, then `ready` or `failed`.")
    failure_reason: str | None
    content_type: str = Field(description="The type of the upload, read from its content.")
    byte_size: int = Field(description="Bytes of the upload (what counts against the quota).")
    width: int | None
    height: int | None
    dominant_color: str | None = Field(description="`#rrggbb`, once processed.")
    animated: bool
    original: ImageFile | None = Field(description="The cleaned original, once ready.")
    variants: list[ImageFile] = Field(description="WebP copies narrower than the original.")
    srcset: str = Field(description="The variants and the original as an HTML `srcset`.")
    created_at: datetime

    @classmethod
    def of(cls, media: Media, settings: Settings) -> MediaView:
        meta: dict[str, Any] = media.meta or {}
        original = _file(meta["original"], settings) if "original" in meta else None
        variants = [_file(variant, settings) for variant in meta.get("variants", [])]
        widths = [*variants, *([original] if original else [])]
        return cls(
            id=media.id,
            status=media.status,
            failure_reason=media.failure_reason,
            content_type=media.content_type,
            byte_size=media.byte_size,
            width=meta.get("width"),
            height=meta.get("height"),
            dominant_color=meta.get("dominant_color"),
            animated=bool(meta.get("animated", False)),
            original=original,
            variants=variants,
            srcset=", ".join(f"{image.url} {image.width}w" for image in widths),
            created_at=media.created_at,
        )


def _file(stored: dict[str, Any], settings: Settings) -> ImageFile:
    return ImageFile(
        url=media_url(settings, stored["name"]),
        width=stored["width"],
        height=stored["height"],
        content_type=content_type_of(stored["name"]),
        byte_size=stored["bytes"],
    )


class MediaList(Page[MediaView]):
    @classmethod
    def from_page(cls, page: MediaPage, settings: Settings) -> MediaList:
        return cls.of(page, [MediaView.of(media, settings) for media in page.items])
