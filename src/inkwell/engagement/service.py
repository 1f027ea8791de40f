"""Engagement rules: who may like, bookmark, count a view or read a post's statistics."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import date, timedelta

from inkwell.auth.service import ClientInfo
from inkwell.core.clock import utcnow
from inkwell.core.ids import uuid7
from inkwell.engagement.repository import COUNTERS, EngagementRepository, Kind, MarkedQuery
from inkwell.events.catalogue import (
    BookmarkAdded,
    BookmarkRemoved,
    EngagementEvent,
    PostLiked,
    PostUnliked,
)
from inkwell.events.outbox import Outbox
from inkwell.models.user import Role, User
from inkwell.posts.exceptions import NotPostAuthor
from inkwell.posts.policy import can_edit
from inkwell.posts.records import PostPage, PostState
from inkwell.posts.service import PostService
from inkwell.users.exceptions import UserNotFound
from inkwell.users.repository import UserRepository

# One viewer counts once per post within this window.
VIEW_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class MarkState:
    """Whether the user now likes (or bookmarks) the post, and the post's count."""

    active: bool
    count: int


@dataclass(frozen=True, slots=True)
class ViewCount:
    counted: bool
    views_count: int


def viewer_hash(key: bytes, viewer: User | None, client: ClientInfo) -> bytes:
    """A keyed hash naming the viewer: the account when signed in, else the address.

    The user agent plays no part: a caller chooses it freely, so each new one would count
    again. People behind one address (an office, a carrier's NAT) count as one viewer.
    """
    material = f"user:{viewer.id}" if viewer else f"ip:{viewer_address(client.ip)}"
    return hmac.new(key, material.encode(), hashlib.sha256).digest()


def _marked_event(
    kind: Kind, active: bool, post: PostState, user: User, count: int
) -> EngagementEvent:
    """The event of a like or bookmark that was added (`active`) or taken back."""
    if kind == "like":
        liked = PostLiked if active else PostUnliked
        return liked(post_id=post.id, user_id=user.id, likes_count=count)
    bookmark = BookmarkAdded if active else BookmarkRemoved
    return bookmark(post_id=post.id, user_id=user.id)


def viewer_address(ip: str | None) -> str:
    """An IPv4 address as it is; an IPv6 one as its /64 network, which one household or
    host holds whole (and can draw fresh addresses from at will)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ip or ""
    if not isinstance(address, ipaddress.IPv6Address):
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.IPv6Network((address, 64), strict=False))


def view_lock_key(post: PostState, hashed_viewer: bytes) -> int:
    """A 64-bit advisory-lock key for one viewer of one post."""
    digest = hashlib.sha256(post.id.bytes + hashed_viewer).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class EngagementService:
    def __init__(
        self,
        *,
        engagement: EngagementRepository,
        posts: PostService,
        users: UserRepository,
        view_key: bytes,
        events: Outbox,
    ) -> None:
        self.engagement = engagement
        self.posts = posts
        self.users = users
        self.view_key = view_key
        self.events = events

    # Likes and bookmarks

    async def mark(self, *, kind: Kind, id_or_slug: str, user: User) -> MarkState:
        """Like or bookmark a post the user may see; doing it twice changes nothing."""
        post = await self.posts.visible(id_or_slug=id_or_slug, viewer=user)
        counter = COUNTERS[kind]
        if await self.engagement.mark(kind, user.id, post.id):
            count = await self.engagement.increment(post.id, counter)
            await self.events.record(_marked_event(kind, True, post, user, count))
            return MarkState(True, count)
        return MarkState(True, await self.engagement.counter(post.id, counter))

    async def unmark(self, *, kind: Kind, id_or_slug: str, user: User) -> MarkState:
        """Take back a like or bookmark; taking back what is not there changes nothing."""
        post = await self.posts.visible(id_or_slug=id_or_slug, viewer=user)
        counter = COUNTERS[kind]
        if await self.engagement.unmark(kind, user.id, post.id):
            count = await self.engagement.increment(post.id, counter, -1)
            await self.events.record(_marked_event(kind, False, post, user, count))
            return MarkState(False, count)
        return MarkState(False, await self.engagement.counter(post.id, counter))

    async def liked_posts(
        self, *, username: str, viewer: User | None, page: int, page_size: int
    ) -> PostPage:
        """The public posts an active user liked, most recently liked first."""
        owner = await self.users.get_by_username(username)
        if owner is None or not owner.is_active:
            raise UserNotFound
        query = self._marked("like", owner, viewer, page, page_size)
        items, total = await self.engagement.marked_posts(query)
        return PostPage(items=items, total=total, page=page, page_size=page_size)

    async def bookmarks(self, *, user: User, page: int, page_size: int) -> PostPage:
        """The caller's bookmarks that they may still see, most recent first."""
        query = self._marked("bookmark", user, user, page, page_size)
        items, total = await self.engagement.marked_posts(query)
        return PostPage(items=items, total=total, page=page, page_size=page_size)

    def _marked(
        self, kind: Kind, owner: User, viewer: User | None, page: int, page_size: int
    ) -> MarkedQuery:
        # A list shows what its reader may see: public posts, their own, or all for staff.
        staff = viewer is not None and viewer.role in {Role.MODERATOR, Role.EDITOR, Role.ADMIN}
        return MarkedQuery(
            kind=kind,
            user_id=owner.id,
            viewer_id=viewer.id if viewer else None,
            now=utcnow(),
            limit=page_size,
            offset=(page - 1) * page_size,
            include_hidden=staff,
        )

    # Views

    async def record_view(
        self, *, id_or_slug: str, viewer: User | None, client: ClientInfo
    ) -> ViewCount:
        """Count a view unless the same viewer was counted for the post in the last 30 minutes.

        An advisory lock on (post, viewer) makes a concurrent double view wait for the first,
        which then is recent: it counts once.
        """
        post = await self.posts.visible(id_or_slug=id_or_slug, viewer=viewer)
        hashed = viewer_hash(self.view_key, viewer, client)
        await self.engagement.lock_viewer(view_lock_key(post, hashed))
        counted = await self.engagement.add_view_unless_recent(
            post_id=post.id,
            user_id=viewer.id if viewer else None,
            viewer_hash=hashed,
            window=VIEW_WINDOW,
            view_id=uuid7(),
        )
        if counted:
            return ViewCount(True, await self.engagement.increment(post.id, "views_count"))
        return ViewCount(False, await self.engagement.counter(post.id, "views_count"))

    async def daily_views(
        self, *, id_or_slug: str, user: User, days: int
    ) -> list[tuple[date, int]]:
        """Views per UTC day over the last `days` days, oldest first (author and admins)."""
        post = await self.posts.visible(id_or_slug=id_or_slug, viewer=user)
        if not can_edit(post, user):
            raise NotPostAuthor
        first = utcnow().date() - timedelta(days=days - 1)
        counts = await self.engagement.views_per_day(post.id, first)
        every_day = (first + timedelta(days=n) for n in range(days))
        return [(day, counts.get(day, 0)) for day in every_day]
