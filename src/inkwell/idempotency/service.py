"""The rules of an idempotency key: the first request with it runs, a retry gets its answer,
another request with the same key is refused."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.errors import Conflict, DomainError
from inkwell.idempotency.repository import IdempotencyRepository


class IdempotencyKeyReused(DomainError):
    status_code, code, title = 422, "idempotency_key_reused", "Idempotency key reused"

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was used with another request (method, path or body); "
            "use a new key for a new request."
        )


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class Replay(Exception):
    """The key's first request already ran: answer what it answered."""

    def __init__(self, answer: Answer) -> None:
        super().__init__("replayed")
        self.answer = answer


class IdempotencyService:
    def __init__(self, session: AsyncSession, retention: timedelta) -> None:
        self.repository = IdempotencyRepository(session)
        self.retention = retention

    async def begin(self, user_id: uuid.UUID, key: str, request_hash: bytes) -> None:
        """Claim the key for this request, or raise Replay / IdempotencyKeyReused."""
        expires_at = datetime.now(UTC) + self.retention
        if await self.repository.claim(user_id, key, request_hash, expires_at):
            return
        stored = await self.repository.stored(user_id, key)
        if stored is None or stored.status is None or stored.body is None:
            # Changed between the claim and this read (expired and pruned, or claimed again
            # and answerless): nothing ran; the client retries.
            raise Conflict("The request with this Idempotency-Key changed meanwhile; retry.")
        if stored.request_hash != request_hash:
            raise IdempotencyKeyReused
        raise Replay(Answer(stored.status, stored.headers, stored.body))

    async def finish(self, user_id: uuid.UUID, key: str, answer: Answer) -> None:
        await self.repository.save_answer(user_id, key, answer.status, answer.headers, answer.body)
