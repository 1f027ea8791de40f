"""Names of the stored files of one upload, and the URLs clients fetch them from."""

from __future__ import annotations

import re
import secrets
from typing import Any

from inkwell.core.config import Settings
from inkwell.models.media import Media

KEY_BYTES = 16  # 128 random bits
KEY_LENGTH = 22  # their URL-safe base64 characters
SERVED_NAME = re.compile(r"[A-Za-z0-9_-]{22}(?:-[0-9]{2,4})?\.(?:jpg|png|webp|gif|avif)")
INCOMING_NAME = re.compile(r"incoming/([A-Za-z0-9_-]{22})")
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "avif": "image/avif",
}


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def incoming_name(key: str) -> str:
    """Where the upload waits for its job, as sent; never served (the name has a slash)."""
    return f"incoming/{key}"


def original_name(key: str, extension: str) -> str:
    return f"{key}.{extension}"


def variant_name(key: str, width: int) -> str:
    return f"{key}-{width}.webp"


def content_type_of(name: str) -> str:
    return CONTENT_TYPES[name.rpartition(".")[2]]


def stored_names(media: Media) -> list[str]:
    """Every file an upload may have in storage."""
    meta: dict[str, Any] = media.meta or {}
    processed = [meta["original"]["name"]] if "original" in meta else []
    variants = [variant["name"] for variant in meta.get("variants", [])]
    return [incoming_name(media.key), *processed, *variants]


def media_url(settings: Settings, name: str) -> str:
    """The public URL of a stored file: under INKWELL_MEDIA_PUBLIC_URL, else /media/ here."""
    if settings.media_public_url:
        return f"{settings.media_public_url.rstrip('/')}/{name}"
    return f"{settings.site_url or ''}/media/{name}"


def image_file(stored: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """One stored file as responses show it."""
    return {
        "url": media_url(settings, stored["name"]),
        "width": stored["width"],
        "height": stored["height"],
        "content_type": content_type_of(stored["name"]),
        "byte_size": stored["bytes"],
    }


def image_files(media: Media, settings: Settings) -> dict[str, Any]:
    """What responses show of an upload's image: size, colour, files and their `srcset`."""
    meta: dict[str, Any] = media.meta or {}
    original = image_file(meta["original"], settings) if "original" in meta else None
    variants = [image_file(variant, settings) for variant in meta.get("variants", [])]
    widths = [*variants, *([original] if original else [])]
    return {
        "width": meta.get("width"),
        "height": meta.get("height"),
        "dominant_color": meta.get("dominant_color"),
        "animated": bool(meta.get("animated", False)),
        "original": original,
        "variants": variants,
        "srcset": ", ".join(f"{image['url']} {image['width']}w" for image in widths),
    }
