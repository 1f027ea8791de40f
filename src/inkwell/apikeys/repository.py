"""Every query on API keys as their owner manages them (auth.repository authenticates them)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from inkwell.models.api_key import ApiKey


def _live(user_id: uuid.UUID) -> ColumnElement[bool]:
    return (
        (ApiKey.user_id == user_id)
        & ApiKey.revoked_at.is_(None)
        & or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > func.now())
    )


class ApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        user_id: uuid.UUID,
        name: str,
        prefix: str,
        secret_hash: bytes,
        scopes: list[str],
        expires_at: datetime | None,
    ) -> ApiKey:
        key = ApiKey(
            user_id=user_id,
            name=name,
            prefix=prefix,
            secret_hash=secret_hash,
            scopes=scopes,
            expires_at=expires_at,
        )
        self.session.add(key)
        await self.session.flush()
        await self.session.refresh(key, ["created_at"])
        return key

    async def count_live(self, user_id: uuid.UUID) -> int:
        """The user's keys that still work (unrevoked, unexpired)."""
        count = await self.session.scalar(select(func.count()).where(_live(user_id)))
        return int(count or 0)

    async def lock_owner(self, user_id: uuid.UUID) -> None:
        """Serialise one user's key creations, so two at once cannot pass the limit."""
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(f"api_keys:{user_id}", 0)))
        )

    async def list_live(self, user_id: uuid.UUID) -> Sequence[ApiKey]:
        """The user's working keys, newest first."""
        result = await self.session.scalars(
            select(ApiKey).where(_live(user_id)).order_by(ApiKey.created_at.desc(), ApiKey.id)
        )
        return result.all()

    async def revoke(self, key_id: uuid.UUID, *, user_id: uuid.UUID) -> bool:
        """Revoke one of the user's keys; False when the user has no such unrevoked key."""
        revoked = await self.session.scalar(
            update(ApiKey)
            .where(ApiKey.id == key_id, ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=func.now())
            .returning(ApiKey.id)
        )
        return revoked is not None
