"""Series rules: who makes and changes a series, which posts it may hold, who sees them."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from inkwell.core.clock import utcnow
from inkwell.core.slugs import slugify
from inkwell.models.series import Series
from inkwell.models.user import Role, User
from inkwell.posts.policy import can_see
from inkwell.posts.records import PostRecord
from inkwell.posts.repository import PostRepository
from inkwell.series.exceptions import (
    DuplicatePosts,
    ForeignPosts,
    NotSeriesOwner,
    PostsInOtherSeries,
    SeriesNotFound,
    SeriesSlugTaken,
    UnknownPosts,
)
from inkwell.series.repository import SeriesRepository

MAX_SERIES_POSTS = 500


@dataclass(frozen=True, slots=True)
class SeriesRecord:
    """A series, its owner and the posts the caller may see, in order."""

    series: Series
    owner: User
    posts: list[PostRecord]


@dataclass(frozen=True, slots=True)
class SeriesPage:
    items: list[tuple[Series, User]]
    total: int
    page: int
    page_size: int


def can_change(series: Series, user: User) -> bool:
    """The owner changes a series, and admins."""
    return user.id == series.owner_id or user.role == Role.ADMIN


def _refused(post_ids: list[uuid.UUID], bad: set[uuid.UUID]) -> list[tuple[int, uuid.UUID]]:
    return [(index, post_id) for index, post_id in enumerate(post_ids) if post_id in bad]


class SeriesService:
    def __init__(self, *, series: SeriesRepository, posts: PostRepository) -> None:
        self.series = series
        self.posts = posts

    async def create(
        self, *, owner: User, title: str, slug: str | None, description: str
    ) -> SeriesRecord:
        """A new, empty series of the caller's."""
        found = Series(owner_id=owner.id, title=title, description=description)
        found.slug = wanted = await self._free_slug(slug, title)
        if not await self.series.add(found):
            raise SeriesSlugTaken(wanted)
        return SeriesRecord(series=found, owner=owner, posts=[])

    async def read(self, *, id_or_slug: str, viewer: User | None) -> SeriesRecord:
        """A series with the posts the viewer may see, in the owner's order."""
        return await self._record(await self._find(id_or_slug), viewer)

    async def newest(self, *, owner: str | None, page: int, page_size: int) -> SeriesPage:
        """Series, newest first; only one owner's (a username) when `owner` is given."""
        items, total = await self.series.newest(
            owner=owner, limit=page_size, offset=(page - 1) * page_size
        )
        return SeriesPage(items=items, total=total, page=page, page_size=page_size)

    async def update(self, *, id_or_slug: str, user: User, changes: dict[str, str]) -> SeriesRecord:
        """Change a series' title, slug or description (owner and admins)."""
        found = await self._changeable(id_or_slug, user)
        for name, value in changes.items():
            setattr(found, name, value)
        if not await self.series.save(found):
            raise SeriesSlugTaken(changes.get("slug", ""))
        await self.series.touch_posts(await self.series.post_ids(found.id))
        return await self._record(found, user)

    async def delete(self, *, id_or_slug: str, user: User) -> None:
        """Delete a series; its posts stay, in no series (owner and admins)."""
        found = await self._changeable(id_or_slug, user)
        await self.series.touch_posts(await self.series.post_ids(found.id))
        await self.series.delete(found)

    async def set_posts(
        self, *, id_or_slug: str, user: User, post_ids: list[uuid.UUID]
    ) -> SeriesRecord:
        """Make `post_ids` the series' posts, in that order (owner and admins): each one a live
        post of the series' owner, listed once, in no other series."""
        found = await self._changeable(id_or_slug, user)
        await self._check_posts(found, user, post_ids)
        before = await self.series.post_ids(found.id)
        if not await self.series.replace_posts(found.id, post_ids):
            raise PostsInOtherSeries(
                _refused(post_ids, await self.series.in_other_series(found.id, post_ids))
            )
        await self.series.touch_posts(list({*before, *post_ids}))
        return await self._record(found, user)

    async def _check_posts(self, found: Series, user: User, post_ids: list[uuid.UUID]) -> None:
        repeats = [(n, i) for n, i in enumerate(post_ids) if i in post_ids[:n]]
        if repeats:
            raise DuplicatePosts(repeats)
        posts = await self.series.live_posts(post_ids)
        now = utcnow()
        unseen = {i for i in post_ids if i not in posts or not can_see(posts[i], user, now)}
        if unseen:
            raise UnknownPosts(_refused(post_ids, unseen))
        foreign = {i for i in post_ids if posts[i].author_id != found.owner_id}
        if foreign:
            raise ForeignPosts(_refused(post_ids, foreign))
        elsewhere = await self.series.in_other_series(found.id, post_ids)
        if elsewhere:
            raise PostsInOtherSeries(_refused(post_ids, elsewhere))

    async def _record(self, found: Series, viewer: User | None) -> SeriesRecord:
        owner = await self.series.owner(found.owner_id)
        if owner is None:  # pragma: no cover - a series goes with its owner (ON DELETE CASCADE)
            raise SeriesNotFound
        chosen, order = self.series.in_order(found.id)
        records = await self.posts.records_for(chosen, order, viewer.id if viewer else None)
        now = utcnow()
        visible = [record for record in records if can_see(record.post, viewer, now)]
        return SeriesRecord(series=found, owner=owner, posts=visible)

    async def _find(self, id_or_slug: str, *, lock: bool = False) -> Series:
        try:
            found = await self.series.get(uuid.UUID(id_or_slug), lock=lock)
        except ValueError:
            found = await self.series.get_by_slug(id_or_slug, lock=lock)
        if found is None:
            raise SeriesNotFound
        return found

    async def _changeable(self, id_or_slug: str, user: User) -> Series:
        found = await self._find(id_or_slug, lock=True)
        if not can_change(found, user):
            raise NotSeriesOwner
        return found

    async def _free_slug(self, explicit: str | None, title: str) -> str:
        """The slug asked for, else one from the title (with a random tail when taken)."""
        if explicit is not None:
            return explicit
        slug = slugify(title, max_length=190) or "series"
        if await self.series.slug_taken(slug):
            slug = f"{slug}-{secrets.token_hex(3)}"
        return slug
