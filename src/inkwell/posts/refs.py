"""How a request names a post: by its id, by its slug, or by a slug it used to have."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from inkwell.core.slugs import is_slug

# A post named by its id, or by a slug (its current one or one it used to have).
PostRef = uuid.UUID | str
_Found = TypeVar("_Found")


@dataclass(frozen=True, slots=True)
class Resolved(Generic[_Found]):
    found: _Found
    by_old_slug: bool


async def resolve_post(
    ref: PostRef,
    *,
    by_id: Callable[[uuid.UUID], Awaitable[_Found | None]],
    by_slug: Callable[[str], Awaitable[_Found | None]],
    slug_owner: Callable[[str], Awaitable[uuid.UUID | None]],
) -> Resolved[_Found] | None:
    """What `ref` names, read by the caller's own lookups: an id (a UUID, or text that is
    one) first; then text that is a slug, as a current slug, then as an old one."""
    post_id = ref if isinstance(ref, uuid.UUID) else _as_id(ref)
    found = await by_id(post_id) if post_id else None
    if found is not None:
        return Resolved(found, by_old_slug=False)
    if isinstance(ref, uuid.UUID) or not is_slug(ref):
        return None
    found = await by_slug(ref)
    if found is not None:
        return Resolved(found, by_old_slug=False)
    owner = await slug_owner(ref)
    found = await by_id(owner) if owner else None
    return Resolved(found, by_old_slug=True) if found is not None else None


def first_key(ref: PostRef) -> uuid.UUID | str | None:
    """What `resolve_post` looks `ref` up by first: an id, else a current slug; None when
    `ref` can name no post."""
    if isinstance(ref, uuid.UUID):
        return ref
    return _as_id(ref) or (ref if is_slug(ref) else None)


def _as_id(text: str) -> uuid.UUID | None:
    if len(text) < 32:  # a UUID has 32 hex digits; most slugs are shorter (no exception)
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
