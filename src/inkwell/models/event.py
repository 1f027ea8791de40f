"""The transactional outbox: every domain event, written in the transaction of its change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base

# The channel the outbox's insert trigger notifies (once per inserting transaction, at commit).
OUTBOX_CHANNEL = "inkwell_outbox"
_PENDING = "published_at IS NULL"
# The id of the transaction that wrote a row (xid8 as bigint: 64 bits, it never wraps).
CURRENT_XACT_ID = "((pg_current_xact_id())::text)::bigint"


class OutboxEvent(Base):
    """One CloudEvent waiting to be relayed (published_at NULL), or relayed and kept a while.

    `position` orders the rows: a relay takes pending rows by position, and one key's rows by
    position too. A row of a key is written by the transaction that changed that aggregate,
    which held the aggregate's row lock, so one key's positions follow its commits.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        # The relay's batch: pending rows in position order (FOR UPDATE SKIP LOCKED).
        Index("ix_outbox_events_pending", "position", postgresql_where=text(_PENDING)),
        # The rows waiting for a retry: a later row of the same key waits behind them.
        Index(
            "ix_outbox_events_retrying",
            "key",
            "position",
            postgresql_where=text(f"{_PENDING} AND attempts > 0"),
        ),
        # In-process consumers read committed rows in (xact_id, position) order.
        Index("ix_outbox_events_xact_id_position", "xact_id", "position"),
        # Pruning relayed rows older than the retention.
        Index(
            "ix_outbox_events_published_at",
            "published_at",
            postgresql_where=text("published_at IS NOT NULL"),
        ),
    )

    position: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    topic: Mapped[str] = mapped_column(String(249))
    key: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    next_attempt_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The writing transaction: a consumer reads only rows of transactions older than every
    # running one, so no row can commit behind its cursor (docs/events.md).
    xact_id: Mapped[int] = mapped_column(BigInteger, server_default=text(CURRENT_XACT_ID))


class OutboxConsumer(Base):
    """How far one in-process consumer of the outbox has read: the (xact_id, position) of the
    last row it handled. Pruning keeps every row a consumer has not passed."""

    __tablename__ = "outbox_consumers"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    xact_id: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    position: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class OutboxConsumerAhead(Base):
    """A row a consumer that reads ahead of the horizon has handled above its cursor: the
    cursor passes it later, once every older transaction has ended, and it is not read twice."""

    __tablename__ = "outbox_consumer_ahead"

    consumer: Mapped[str] = mapped_column(
        String(100), ForeignKey("outbox_consumers.name", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    xact_id: Mapped[int] = mapped_column(BigInteger)
