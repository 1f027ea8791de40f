"""Comments on posts: threaded through a materialised path, moderated through a status."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Enum, ForeignKey, Identity, Index, SmallInteger, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base, SoftDelete, Timestamps, UUIDKey


class CommentStatus(enum.StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"
    PENDING = "pending"


# One segment per level: the comment's id as 32 hex digits, joined by ".". UUIDv7 ids are
# time-ordered, so `ORDER BY path` (in the "C" collation, byte order) gives thread order:
# a parent, then its replies oldest first, each followed by its own replies.
PATH_SEPARATOR = "."
PATH_COLLATION = "C"


class Comment(UUIDKey, Timestamps, SoftDelete, Base):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_root_id_path", "root_id", "path"),
        Index(
            "ix_comments_post_roots",
            "post_id",
            "created_at",
            "id",
            postgresql_where=text("parent_id IS NULL"),
        ),
        Index(
            "ix_comments_pending",
            "post_id",
            "created_at",
            postgresql_where=text("status = 'pending' AND deleted_at IS NULL"),
        ),
    )

    # A stable integer id for APIs that want one (the RealWorld API).
    number: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # The thread's root (a root's own id): whole threads are read by equality on it, which the
    # planner estimates well, where ranges of `path` with unknown bounds made it scan the post.
    root_id: Mapped[uuid.UUID] = mapped_column()
    path: Mapped[str] = mapped_column(Text(collation=PATH_COLLATION))
    depth: Mapped[int] = mapped_column(SmallInteger)
    content_raw: Mapped[str] = mapped_column(Text)
    content_html: Mapped[str] = mapped_column(Text)
    status: Mapped[CommentStatus] = mapped_column(
        Enum(CommentStatus, name="comment_status", values_callable=lambda e: [m.value for m in e]),
        default=CommentStatus.VISIBLE,
        server_default=CommentStatus.VISIBLE.value,
    )
    edited_at: Mapped[datetime | None] = mapped_column(default=None)

    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012
