"""Blocking and muting rules: whom one may block or mute, and what a block ends."""

from __future__ import annotations

from dataclasses import dataclass

from inkwell.blocks.exceptions import CannotTargetSelf
from inkwell.blocks.repository import BlockRepository, Relation
from inkwell.events.catalogue import UserUnfollowed
from inkwell.events.outbox import Outbox
from inkwell.models.user import User
from inkwell.users.exceptions import UserNotFound
from inkwell.users.repository import UserRepository


@dataclass(frozen=True, slots=True)
class BlockedPage:
    items: list[User]
    total: int
    page: int
    page_size: int


class BlockService:
    """Blocks and mutes are private: no event records them (docs/architecture.md,
    Notifications); the follow a block ends is an ordinary `user.unfollowed`."""

    def __init__(self, *, blocks: BlockRepository, users: UserRepository, events: Outbox) -> None:
        self.blocks = blocks
        self.users = users
        self.events = events

    async def block(self, *, username: str, user: User) -> None:
        """Block an account; its follow of the user ends. Blocking twice changes nothing."""
        target = await self._other(username, user, "block")
        if await self.blocks.add("block", user.id, target.id) and await self.blocks.remove_follow(
            target.id, user.id
        ):
            await self.events.record(UserUnfollowed(follower_id=target.id, followee_id=user.id))

    async def mute(self, *, username: str, user: User) -> None:
        """Mute an account: no notifications from it. Muting twice changes nothing."""
        target = await self._other(username, user, "mute")
        await self.blocks.add("mute", user.id, target.id)

    async def lift(self, relation: Relation, *, username: str, user: User) -> None:
        """Unblock or unmute an account; lifting what is not there changes nothing."""
        target = await self._other(username, user, relation)
        await self.blocks.remove(relation, user.id, target.id)

    async def listed(
        self, relation: Relation, *, user: User, page: int, page_size: int
    ) -> BlockedPage:
        """The active accounts the user blocked (or muted), most recent first."""
        items, total = await self.blocks.list_targets(
            relation, user.id, limit=page_size, offset=(page - 1) * page_size
        )
        return BlockedPage(items=items, total=total, page=page, page_size=page_size)

    async def _other(self, username: str, user: User, action: str) -> User:
        """The active account named, which must not be the user's own."""
        found = await self.users.get_by_username(username)
        if found is None or not found.is_active:
            raise UserNotFound
        if found.id == user.id:
            raise CannotTargetSelf(action)
        return found
