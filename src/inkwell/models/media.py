"""Uploaded images: one row per upload, its stored files named by a random key."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base, Timestamps, UUIDKey


class MediaStatus(StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class Media(UUIDKey, Timestamps, Base):
    """An image its uploader owns. `key` names its files (never the client's file name);
    `meta` holds what processing found: width, height, colour, the variants made."""

    __tablename__ = "media"
    __table_args__ = (
        CheckConstraint("status IN ('processing', 'ready', 'failed')", name="status"),
        Index("ix_media_owner_created", "owner_id", "created_at"),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32), unique=True)
    content_type: Mapped[str] = mapped_column(String(50))
    byte_size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), server_default=text("'processing'"))
    failure_reason: Mapped[str | None] = mapped_column(Text, default=None)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    ready_at: Mapped[datetime | None] = mapped_column(default=None)
