"""Every query on follows."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.engagement import Follow
from inkwell.models.user import User
from inkwell.users.repository import active

Side = Literal["followers", "following"]


class FollowRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, follower_id: uuid.UUID, followee_id: uuid.UUID) -> bool:
        """Follow; False when the follow was already there (nothing written)."""
        inserted = await self.session.scalar(
            pg_insert(Follow)
            .values(follower_id=follower_id, followee_id=followee_id)
            .on_conflict_do_nothing()
            .returning(Follow.followee_id)
        )
        return inserted is not None

    async def remove(self, follower_id: uuid.UUID, followee_id: uuid.UUID) -> bool:
        """Unfollow; False when there was no follow."""
        removed = await self.session.scalar(
            delete(Follow)
            .where(Follow.follower_id == follower_id, Follow.followee_id == followee_id)
            .returning(Follow.followee_id)
        )
        return removed is not None

    async def list_people(
        self, side: Side, user_id: uuid.UUID, *, limit: int, offset: int
    ) -> tuple[list[User], int]:
        """A user's active followers (or followees), most recent follow first, and how many."""
        mine, theirs = _columns(side)
        conditions = [mine == user_id, active(User)]
        users = await self.session.scalars(
            select(User)
            .join(Follow, theirs == User.id)
            .where(*conditions)
            .order_by(Follow.created_at.desc(), User.id.desc())
            .limit(limit)
            .offset(offset)
        )
        total = await self.session.scalar(
            select(func.count())
            .select_from(Follow)
            .join(User, theirs == User.id)
            .where(*conditions)
        )
        return list(users), int(total or 0)


def _columns(side: Side) -> tuple[Any, Any]:
    """(the listed user's column, the column of the people listed)."""
    if side == "followers":
        return Follow.followee_id, Follow.follower_id
    return Follow.follower_id, Follow.followee_id
