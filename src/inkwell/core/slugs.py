"""URL slugs: transliterated to ASCII, lower case, words joined by hyphens."""

from __future__ import annotations

import re

from anyascii import anyascii

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_SLUG_LENGTH = 80
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, max_length: int = MAX_SLUG_LENGTH) -> str:
    """`Crème Brûlée: 101!` -> `creme-brulee-101`; empty when nothing is left."""
    slug = _NOT_ALNUM.sub("-", anyascii(text).lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug.strip("-")


def is_slug(value: str) -> bool:
    return len(value) <= 200 and re.fullmatch(SLUG_PATTERN, value) is not None
