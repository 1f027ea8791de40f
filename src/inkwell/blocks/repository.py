"""Every query on blocks and mutes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import delete, exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.engagement import Follow
from inkwell.models.relation import Block, Mute
from inkwell.models.user import User
from inkwell.users.repository import active

Relation = Literal["block", "mute"]


def _columns(relation: Relation) -> tuple[Any, Any, Any]:
    """(the table, the owner's column, the target's column)."""
    if relation == "block":
        return Block, Block.blocker_id, Block.blocked_id
    return Mute, Mute.muter_id, Mute.muted_id


class BlockRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, relation: Relation, owner_id: uuid.UUID, target_id: uuid.UUID) -> bool:
        """Block (or mute); False when it was there already."""
        table, owner, target = _columns(relation)
        inserted = await self.session.scalar(
            pg_insert(table)
            .values({owner.key: owner_id, target.key: target_id})
            .on_conflict_do_nothing()
            .returning(owner)
        )
        return inserted is not None

    async def remove(self, relation: Relation, owner_id: uuid.UUID, target_id: uuid.UUID) -> bool:
        """Unblock (or unmute); False when there was nothing to remove."""
        table, owner, target = _columns(relation)
        removed = await self.session.scalar(
            delete(table).where(owner == owner_id, target == target_id).returning(owner)
        )
        return removed is not None

    async def list_targets(
        self, relation: Relation, owner_id: uuid.UUID, *, limit: int, offset: int
    ) -> tuple[list[User], int]:
        """The active accounts a user blocked (or muted), most recent first, and how many."""
        table, owner, target = _columns(relation)
        conditions = [owner == owner_id, active(User)]
        users = await self.session.scalars(
            select(User)
            .join(table, target == User.id)
            .where(*conditions)
            .order_by(table.created_at.desc(), User.id.desc())
            .limit(limit)
            .offset(offset)
        )
        total = await self.session.scalar(
            select(func.count()).select_from(table).join(User, target == User.id).where(*conditions)
        )
        return list(users), int(total or 0)

    async def blocked_by_any(self, owner_ids: Sequence[uuid.UUID], user_id: uuid.UUID) -> bool:
        """Whether any of `owner_ids` has blocked `user_id` (one probe per owner)."""
        found = await self.session.scalar(
            select(exists().where(Block.blocker_id.in_(owner_ids), Block.blocked_id == user_id))
        )
        return bool(found)

    async def remove_follow(self, follower_id: uuid.UUID, followee_id: uuid.UUID) -> bool:
        """End a follow (a block ends the blocked account's follow); False when none."""
        removed = await self.session.scalar(
            delete(Follow)
            .where(Follow.follower_id == follower_id, Follow.followee_id == followee_id)
            .returning(Follow.followee_id)
        )
        return removed is not None
