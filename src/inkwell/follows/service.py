"""Follow rules: whom one may follow, and the follower lists."""

from __future__ import annotations

from dataclasses import dataclass

from inkwell.blocks.exceptions import BlockedByUser
from inkwell.blocks.repository import BlockRepository
from inkwell.events.catalogue import UserFollowed, UserUnfollowed
from inkwell.events.outbox import Outbox
from inkwell.follows.exceptions import CannotFollowSelf
from inkwell.follows.repository import FollowRepository, Side
from inkwell.models.user import User
from inkwell.users.exceptions import UserNotFound
from inkwell.users.repository import ProfileRecord, UserRepository


@dataclass(frozen=True, slots=True)
class UserPage:
    items: list[User]
    total: int
    page: int
    page_size: int


class FollowService:
    def __init__(
        self,
        *,
        follows: FollowRepository,
        users: UserRepository,
        blocks: BlockRepository,
        events: Outbox,
    ) -> None:
        self.follows = follows
        self.blocks = blocks
        self.users = users
        self.events = events

    async def follow(self, *, username: str, user: User) -> ProfileRecord:
        """Follow an active account (not oneself, nor one that blocked the user); following
        twice changes nothing."""
        target = await self._active(username)
        if target.id == user.id:
            raise CannotFollowSelf
        if await self.blocks.blocked_by_any([target.id], user.id):
            raise BlockedByUser
        if await self.follows.add(user.id, target.id):
            await self.events.record(UserFollowed(follower_id=user.id, followee_id=target.id))
        return await self._profile(target, user)

    async def unfollow(self, *, username: str, user: User) -> ProfileRecord:
        """Stop following an account; unfollowing one not followed changes nothing."""
        target = await self._active(username)
        if await self.follows.remove(user.id, target.id):
            await self.events.record(UserUnfollowed(follower_id=user.id, followee_id=target.id))
        return await self._profile(target, user)

    async def people(self, *, side: Side, username: str, page: int, page_size: int) -> UserPage:
        """An active account's followers or the accounts it follows, newest follow first."""
        target = await self._active(username)
        items, total = await self.follows.list_people(
            side, target.id, limit=page_size, offset=(page - 1) * page_size
        )
        return UserPage(items=items, total=total, page=page, page_size=page_size)

    async def _active(self, username: str) -> User:
        found = await self.users.get_by_username(username)
        if found is None or not found.is_active:
            raise UserNotFound
        return found

    async def _profile(self, target: User, viewer: User) -> ProfileRecord:
        found = await self.users.get_profile(target.username, viewer.id)
        if found is None:  # pragma: no cover - the account was active in this transaction
            raise UserNotFound
        return found
