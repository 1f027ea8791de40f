"""Likes, bookmarks, follows and the views of posts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, PrimaryKeyConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base, UUIDKey


class Like(Base):
    """A user likes a post; at most one row per pair, so liking twice is still one like."""

    __tablename__ = "likes"
    __table_args__ = (
        PrimaryKeyConstraint("user_id", "post_id", name="pk_likes"),
        Index("ix_likes_post_id", "post_id"),
        Index("ix_likes_user_id_created_at", "user_id", text("created_at DESC")),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Bookmark(Base):
    """A user keeps a post to read later; private to that user."""

    __tablename__ = "bookmarks"
    __table_args__ = (
        PrimaryKeyConstraint("user_id", "post_id", name="pk_bookmarks"),
        Index("ix_bookmarks_post_id", "post_id"),
        Index("ix_bookmarks_user_id_created_at", "user_id", text("created_at DESC")),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Follow(Base):
    """`follower` reads the posts of `followee` in their feed."""

    __tablename__ = "follows"
    __table_args__ = (
        PrimaryKeyConstraint("follower_id", "followee_id", name="pk_follows"),
        Index("ix_follows_followee_id", "followee_id"),
    )

    follower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    followee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PostViewEvent(UUIDKey, Base):
    """One counted view of a post. `viewer_hash` is a keyed hash: no raw IP is ever stored."""

    __tablename__ = "post_views"
    __table_args__ = (
        Index("ix_post_views_post_id_seen_at", "post_id", "seen_at"),
        # "Has this viewer seen this post in the last 30 minutes?" is one index probe.
        Index("ix_post_views_post_id_viewer_hash_seen_at", "post_id", "viewer_hash", "seen_at"),
    )

    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    viewer_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    seen_at: Mapped[datetime] = mapped_column(server_default=func.now())
