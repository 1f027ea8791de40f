"""The idempotency_keys table: claim a key, read its stored answer, store the answer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.idempotency import IdempotencyKey


@dataclass(frozen=True)
class StoredKey:
    request_hash: bytes
    status: int | None
    headers: list[tuple[str, str]]
    body: bytes | None


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(
        self, user_id: uuid.UUID, key: str, request_hash: bytes, expires_at: datetime
    ) -> bool:
        """Take the key for this request, in the request's transaction: true when it was free,
        had expired or holds no answer. A transaction that holds the same key uncommitted makes
        this wait for its end (the primary key's lock), so concurrent retries run one by one."""
        fresh = {"request_hash": request_hash, "expires_at": expires_at}
        statement = (
            insert(IdempotencyKey)
            .values(user_id=user_id, key=key, **fresh)
            .on_conflict_do_update(
                constraint="pk_idempotency_keys",
                set_={
                    **fresh,
                    "response_status": None,
                    "response_headers": None,
                    "response_body": None,
                },
                where=or_(
                    IdempotencyKey.expires_at <= datetime.now(expires_at.tzinfo),
                    IdempotencyKey.response_status.is_(None),
                ),
            )
            .returning(IdempotencyKey.key)
        )
        return (await self.session.execute(statement)).first() is not None

    async def stored(self, user_id: uuid.UUID, key: str) -> StoredKey | None:
        row = (
            await self.session.execute(
                select(
                    IdempotencyKey.request_hash,
                    IdempotencyKey.response_status,
                    IdempotencyKey.response_headers,
                    IdempotencyKey.response_body,
                ).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
            )
        ).first()
        if row is None:
            return None
        headers: list[Any] = row.response_headers or []
        return StoredKey(
            request_hash=row.request_hash,
            status=row.response_status,
            headers=[(str(name), str(value)) for name, value in headers],
            body=row.response_body,
        )

    async def save_answer(
        self,
        user_id: uuid.UUID,
        key: str,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
    ) -> None:
        await self.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
            .values(
                response_status=status,
                response_headers=[list(pair) for pair in headers],
                response_body=body,
            )
        )
