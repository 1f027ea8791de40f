"""Live updates: single-use tickets for WebSocket connections, each channel's sequence
counter, and the messages sent on post channels (kept for resuming through REST)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, PrimaryKeyConstraint, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base

POST_CHANNEL = "post:"
USER_CHANNEL = "user:"
MY_CHANNEL = "user:me"  # what a signed-in client subscribes to; only its own is ever sent


def post_channel(post_id: uuid.UUID) -> str:
    """The live channel of a post's comments and counts."""
    return f"{POST_CHANNEL}{post_id}"


def user_channel(user_id: uuid.UUID) -> str:
    """The live channel of a user's notifications (subscribed to as `user:me`)."""
    return f"{USER_CHANNEL}{user_id}"


class LiveTicket(Base):
    """A ticket from POST /live/ticket, stored as its SHA-256; deleted when it is used."""

    __tablename__ = "live_tickets"
    __table_args__ = (Index("ix_live_tickets_expires_at", "expires_at"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column()


class LiveChannel(Base):
    """The last sequence number given to a message of a channel."""

    __tablename__ = "live_channels"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)


class LiveMessage(Base):
    """A message sent on a channel, as its moderators saw it (subscribers with less right
    got the redacted form it carries)."""

    __tablename__ = "live_messages"
    __table_args__ = (
        PrimaryKeyConstraint("channel", "seq", name="pk_live_messages"),
        Index("ix_live_messages_created_at", "created_at"),
    )

    channel: Mapped[str] = mapped_column(String(100))
    seq: Mapped[int] = mapped_column(BigInteger)
    comment_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
