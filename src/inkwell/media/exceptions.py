"""Errors of media uploads and of who may touch an upload."""

from __future__ import annotations

from inkwell.core.errors import DomainError, Forbidden, InvalidInput, NotFound, PayloadTooLarge


class UnsupportedMedia(DomainError):
    status_code, code, title = 415, "unsupported_media_type", "Not an accepted image"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            detail
            or "The file is not an image of an accepted type: JPEG, PNG, WebP, GIF, AVIF or "
            "HEIC/HEIF (the type is read from the content, not the name or content type)."
        )


class SvgRefused(UnsupportedMedia):
    code, title = "svg_not_allowed", "SVG is not accepted"

    def __init__(self) -> None:
        super().__init__(
            "SVG files are refused: they are documents that can carry scripts and links to "
            "other hosts. Upload a PNG or WebP rendering instead."
        )


class FileTooLarge(PayloadTooLarge):
    code, title = "file_too_large", "File too large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"An upload may be at most {limit} bytes.")


class TooManyPixels(PayloadTooLarge):
    code, title = "too_many_pixels", "Image dimensions too large"

    def __init__(self, limit: int, size: tuple[int, int] | None = None) -> None:
        found = f"The image is {size[0]} x {size[1]} pixels" if size else "The image is larger"
        super().__init__(f"{found}; at most {limit} pixels are accepted.")


class QuotaExceeded(PayloadTooLarge):
    code, title = "quota_exceeded", "Media quota exceeded"

    def __init__(self, used: int, size: int, quota: int) -> None:
        super().__init__(
            f"Your uploads use {used} of {quota} bytes; this file ({size} bytes) does not fit. "
            "Delete media you no longer use."
        )


class EmptyFile(InvalidInput):
    code, title = "empty_file", "The file is empty"

    def __init__(self) -> None:
        message = "The uploaded file is empty."
        super().__init__(message, errors=[{"field": "file", "message": message, "type": "empty"}])


class MediaNotFound(NotFound):
    code, title = "media_not_found", "Media not found"


class NotMediaOwner(Forbidden):
    code, title = "not_media_owner", "Not your upload"

    def __init__(self) -> None:
        super().__init__("Only the uploader or an admin may delete media.")


class MediaNotUsable(InvalidInput):
    code, title = "media_not_usable", "This upload cannot be used here"

    def __init__(self, why: str, field: str = "avatar_media_id") -> None:
        message = f"The upload {why}."
        super().__init__(message, errors=[{"field": field, "message": message, "type": "media"}])


class ImageBroken(Exception):
    """Processing could not decode or encode the image; the message is the stored reason."""
