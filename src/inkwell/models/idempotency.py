"""Idempotency keys: the first answer to a creating request, replayed to its retries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, PrimaryKeyConstraint, SmallInteger, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base


class IdempotencyKey(Base):
    """A user's `Idempotency-Key`, written in the same transaction as the request's changes.

    `request_hash` tells a retry (the same method, path and body) from a reuse of the key for
    another request. The response columns are filled before that transaction commits, so a key
    that is visible to other transactions always has its answer, unless the request failed in
    a way that kept changes (then they are empty and the key may be claimed again)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        PrimaryKeyConstraint("user_id", "key", name="pk_idempotency_keys"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    response_status: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    # [[name, value], ...]: the answer's headers that describe it (type, location, ETag).
    response_headers: Mapped[list[Any] | None] = mapped_column(JSONB, default=None)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    expires_at: Mapped[datetime] = mapped_column()
