"""Every query on accounts (auth.repository holds the ones sign-in needs)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, false, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from inkwell.auth.repository import AccountRepository
from inkwell.models.engagement import Follow
from inkwell.models.user import AccountToken, User
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


class UserRepository(AccountRepository):
    async def get_by_email(self, email: str) -> User | None:
        """A live account by its e-mail address (stored in lower case)."""
        return await self.session.scalar(
            select(User).where(User.email == email.lower(), User.deleted_at.is_(None))
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
        await self.flush()
        return user

    async def flush(self) -> None:
        """Flush, turning a lost race on e-mail or username into AccountTaken."""
        try:
            await self.session.flush()
        except IntegrityError as error:
            field = _taken_field(error)
            if field is None:
                raise
            raise AccountTaken([field]) from error


class AccountTokenRepository:
    """The single-use tokens of mailed links, found by their hash."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, token: AccountToken) -> AccountToken:
        self.session.add(token)
        await self.session.flush()
        return token

    async def retire_unused(self, user_id: uuid.UUID, purpose: str, now: datetime) -> None:
        """Mark the user's unused tokens of a purpose used: only the newest link works."""
        await self.session.execute(
            update(AccountToken)
            .where(
                AccountToken.user_id == user_id,
                AccountToken.purpose == purpose,
                AccountToken.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )

    async def get_for_update(self, token_hash: bytes) -> AccountToken | None:
        """A token by its hash, locked until the transaction ends (two uses cannot both win)."""
        return await self.session.scalar(
            select(AccountToken).where(AccountToken.token_hash == token_hash).with_for_update()
        )

    async def mark_used(self, token: AccountToken, now: datetime) -> None:
        token.used_at = now
        await self.session.flush()
