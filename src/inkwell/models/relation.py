"""Blocks and mutes: one user's private choices about another."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, PrimaryKeyConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base


class Block(Base):
    """`blocker` refuses `blocked`: no comments on their posts, replies to their comments,
    follows or notifications from them."""

    __tablename__ = "blocks"
    __table_args__ = (
        PrimaryKeyConstraint("blocker_id", "blocked_id", name="pk_blocks"),
        Index("ix_blocks_blocked_id", "blocked_id"),
        Index("ix_blocks_blocker_id_created_at", "blocker_id", text("created_at DESC")),
    )

    blocker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    blocked_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Mute(Base):
    """`muter` hears nothing from `muted`: no notifications; everything else is allowed."""

    __tablename__ = "mutes"
    __table_args__ = (
        PrimaryKeyConstraint("muter_id", "muted_id", name="pk_mutes"),
        Index("ix_mutes_muted_id", "muted_id"),
        Index("ix_mutes_muter_id_created_at", "muter_id", text("created_at DESC")),
    )

    muter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    muted_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
