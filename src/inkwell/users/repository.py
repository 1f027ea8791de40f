"""Every query on accounts."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from inkwell.models.engagement import Follow
from inkwell.models.user import User
from inkwell.users.exceptions import AccountTaken

_UNIQUE_FIELDS = {"uq_users_email": "email", "uq_users_username_lower": "username"}


@dataclass(frozen=True, slots=True)
class ProfileRecord:
    """An account with its follower counts and whether the viewer follows it."""

    user: User
    followers_count: int
    following_count: int
    followed_by_me: bool


def active(user: Any) -> ColumnElement[bool]:
    """An account that can sign in and is shown: active and not closed."""
    condition: ColumnElement[bool] = user.is_active.is_(True) & user.deleted_at.is_(None)
    return condition


def _follow_counts(viewer_id: uuid.UUID | None) -> tuple[Any, Any, Any]:
    """Followers, followees (active accounts only, as the lists show them) and the viewer's flag."""
    other = aliased(User)
    followers = (
        select(func.count())
        .select_from(Follow)
        .join(other, other.id == Follow.follower_id)
        .where(Follow.followee_id == User.id, active(other))
        .scalar_subquery()
    )
    following = (
        select(func.count())
        .select_from(Follow)
        .join(other, other.id == Follow.followee_id)
        .where(Follow.follower_id == User.id, active(other))
        .scalar_subquery()
    )
    followed = (
        exists().where(Follow.follower_id == viewer_id, Follow.followee_id == User.id)
        if viewer_id is not None
        else false()
    )
    return followers, following, followed


def _taken_field(error: IntegrityError) -> str | None:
    constraint = getattr(getattr(error.orig, "__cause__", None), "constraint_name", None)
    return _UNIQUE_FIELDS.get(str(constraint))


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        """A live (not deleted) account by id."""
        return await self.session.scalar(
            select(User).where(User.id == user_id, User.deleted_at.is_(None))
        )

    async def get_by_login(self, login: str) -> User | None:
        """A live account by username (any case) or e-mail."""
        return await self.session.scalar(
            select(User).where(
                or_(func.lower(User.username) == login.lower(), User.email == login.lower()),
                User.deleted_at.is_(None),
            )
        )

    async def get_by_username(self, username: str) -> User | None:
        return await self.session.scalar(
            select(User).where(
                func.lower(User.username) == username.lower(), User.deleted_at.is_(None)
            )
        )

    async def get_profile(self, username: str, viewer_id: uuid.UUID | None) -> ProfileRecord | None:
        """An active account by username with its follow counts, in one statement."""
        row = (
            await self.session.execute(
                select(User, *_follow_counts(viewer_id)).where(
                    func.lower(User.username) == username.lower(), active(User)
                )
            )
        ).first()
        if row is None:
            return None
        return ProfileRecord(row[0], int(row[1]), int(row[2]), bool(row[3]))

    async def taken_fields(
        self, *, email: str | None, username: str | None, exclude: uuid.UUID | None = None
    ) -> list[str]:
        """Which of the given e-mail and username belong to another account (deleted ones too)."""
        fields = []
        if email is not None and await self._exists(User.email == email, exclude):
            fields.append("email")
        if username is not None and await self._exists(
            func.lower(User.username) == username.lower(), exclude
        ):
            fields.append("username")
        return fields

    async def _exists(self, condition: Any, exclude: uuid.UUID | None) -> bool:
        query = select(User.id).where(condition)
        if exclude is not None:
            query = query.where(User.id != exclude)
        return await self.session.scalar(query.limit(1)) is not None

    async def add(self, user: User) -> User:
        self.session.add(user)
        await self.flush_unique()
        return user

    async def flush_unique(self) -> None:
        """Flush, turning a lost race on e-mail or username into AccountTaken."""
        try:
            await self.session.flush()
        except IntegrityError as error:
            field = _taken_field(error)
            if field is None:
                raise
            raise AccountTaken([field]) from error

    async def set_fields(self, user: User, values: Mapping[str, Any]) -> list[str]:
        """Set these fields and flush; the names of those whose value changed."""
        changed = [name for name, value in values.items() if getattr(user, name) != value]
        for name, value in values.items():
            setattr(user, name, value)
        await self.flush_unique()
        return changed

    async def bump_token_version(self, user_id: uuid.UUID) -> None:
        """Invalidate every access token issued to the user so far."""
        await self.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(token_version=User.token_version + 1)
            .execution_options(synchronize_session="fetch")
        )
