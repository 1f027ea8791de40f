"""Posts, their tags, their saved versions and the slugs they used to have."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Computed,
    Enum,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inkwell.models.base import Base, SoftDelete, Timestamps, UUIDKey
from inkwell.models.user import User


class PostStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    ARCHIVED = "archived"
    PENDING_REVIEW = "pending_review"  # submitted by its authors, waiting for an editor


# Scheduled posts count as published once their time has come: visibility is decided by the
# query, so no job has to flip them.
# posts.policy builds who sees which post from these; the partial indexes below cover them.
LISTED_STATUSES = ("published", "scheduled")
_LISTED = f"status IN ({', '.join(map(repr, LISTED_STATUSES))}) AND deleted_at IS NULL"
_SEARCH_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(content_raw, '')), 'C')"
)


class Post(UUIDKey, Timestamps, SoftDelete, Base):
    __tablename__ = "posts"
    __table_args__ = (
        Index(
            "uq_posts_slug_live", "slug", unique=True, postgresql_where=text("deleted_at IS NULL")
        ),
        Index(
            "ix_posts_feed",
            text("published_at DESC"),
            text("id DESC"),
            postgresql_where=text(_LISTED),
        ),
        Index(
            "ix_posts_popular",
            text("likes_count DESC"),
            text("published_at DESC"),
            text("id DESC"),
            postgresql_where=text(_LISTED),
        ),
        Index(
            "ix_posts_author_feed",
            "author_id",
            text("published_at DESC"),
            text("id DESC"),
            postgresql_where=text(_LISTED),
        ),
        Index(
            "ix_posts_author_created",
            "author_id",
            text("created_at DESC"),
            text("id DESC"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        # The publishing sweep: scheduled posts whose time has come (migration 0008).
        Index(
            "ix_posts_scheduled",
            "published_at",
            postgresql_where=text("status = 'scheduled' AND deleted_at IS NULL"),
        ),
        # Featured listed posts in the lists' order: the `featured=true` filter (migration 0022).
        Index(
            "ix_posts_featured",
            text("published_at DESC"),
            text("id DESC"),
            postgresql_where=text(f"featured_at IS NOT NULL AND {_LISTED}"),
        ),
        Index("ix_posts_search_vector", "search_vector", postgresql_using="gin"),
        Index(
            "ix_posts_metadata",
            "metadata",
            postgresql_using="gin",
            postgresql_ops={"metadata": "jsonb_path_ops"},
        ),
        Index(
            "ix_posts_cover_media_id",
            "cover_media_id",
            postgresql_where=text("cover_media_id IS NOT NULL"),
        ),
        # Long values go to TOAST from 128 bytes on, so searches and lists scan a narrow heap
        # (migration 0005).
        {"postgresql_with": {"toast_tuple_target": 128}},
    )

    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200))
    status: Mapped[PostStatus] = mapped_column(
        Enum(PostStatus, name="post_status", values_callable=lambda e: [m.value for m in e]),
        default=PostStatus.DRAFT,
        server_default=PostStatus.DRAFT.value,
    )
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    summary: Mapped[str] = mapped_column(String(500))
    content_raw: Mapped[str] = mapped_column(Text)
    content_html: Mapped[str] = mapped_column(Text)
    content_json: Mapped[dict[str, Any] | None] = mapped_column(JSONB, default=None)
    # `metadata` is reserved on declarative classes, hence the attribute name.
    meta: Mapped[dict[str, Any]] = mapped_column(
        "metadata", JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    reading_time: Mapped[int] = mapped_column(SmallInteger, default=1, server_default=text("1"))
    search_vector: Mapped[Any] = mapped_column(
        TSVECTOR, Computed(_SEARCH_VECTOR, persisted=True), deferred=True, deferred_raiseload=True
    )
    comments_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    likes_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    bookmarks_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    views_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Comment settings: closed posts take no new comments; moderated ones hold them as pending.
    allow_comments: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    moderate_comments: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Bumped by every saved change; the ETag is built from it.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # The cover image: an upload of the author's, and a copy of what responses show of it
    # (URLs, size, colour, variants), so reads need no join (docs/media.md).
    cover_media_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL"), default=None
    )
    cover: Mapped[dict[str, Any] | None] = mapped_column(JSONB, default=None)
    # When an editor featured the post; NULL: not featured (posts.policy.can_feature).
    featured_at: Mapped[datetime | None] = mapped_column(default=None)

    author: Mapped[User] = relationship(lazy="raise")

    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012


class PostAuthor(Base):
    """A co-author of a post, at its place in the order shown (from 1: the primary author,
    first, is `posts.author_id` alone)."""

    __tablename__ = "post_authors"
    __table_args__ = (
        PrimaryKeyConstraint("post_id", "user_id", name="pk_post_authors"),
        Index("ix_post_authors_user_id_post_id", "user_id", "post_id"),
    )

    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)


class PostReview(UUIDKey, Base):
    """An editor's decision on a post in review: `approved` or `changes_requested` (with a
    note for the authors); never rewritten."""

    __tablename__ = "post_reviews"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Tag(UUIDKey, Base):
    __tablename__ = "tags"
    __table_args__ = (
        Index("uq_tags_name_lower", func.lower(text("name")), unique=True),
        UniqueConstraint("slug", name="uq_tags_slug"),
    )

    name: Mapped[str] = mapped_column(String(50))
    slug: Mapped[str] = mapped_column(String(60))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PostTag(Base):
    """A tag on a post, at the position the author gave it."""

    __tablename__ = "post_tags"
    __table_args__ = (
        PrimaryKeyConstraint("post_id", "tag_id", name="pk_post_tags"),
        Index("ix_post_tags_tag_id_post_id", "tag_id", "post_id"),
        # A tag's listed posts, newest first: its list page and capped count (migration 0013).
        Index(
            "ix_post_tags_listed",
            "tag_id",
            text("listed_at DESC"),
            text("post_id DESC"),
            postgresql_where=text("listed_at IS NOT NULL"),
        ),
    )

    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    tag_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    # The post's published_at while it is listed (live, published or scheduled), else NULL.
    # Kept by the database's triggers (migration 0013); never written by the app.
    listed_at: Mapped[datetime | None] = mapped_column(
        server_default=FetchedValue(), server_onupdate=FetchedValue()
    )


class PostCount(Base):
    """Numbers of posts kept by the database's triggers (migration 0013); `listed`: live posts
    in a listed status with a publication time, including scheduled ones still in the future."""

    __tablename__ = "post_counts"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class PostVersion(UUIDKey, Base):
    """A saved state of a post's title, summary, content and metadata; never rewritten."""

    __tablename__ = "post_versions"
    __table_args__ = (
        UniqueConstraint("post_id", "version", name="uq_post_versions_post_id_version"),
    )

    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    content_raw: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB)
    editor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PostSlug(Base):
    """A slug a post used to have; requests for it are redirected to the current one."""

    __tablename__ = "post_slugs"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PostPreviewLink(UUIDKey, Base):
    """A secret link that shows a post (a draft, a scheduled post) to whoever holds it, read
    only; the token is stored as its SHA-256. Revoked links are kept (revoked_at), so the
    author's list shows them."""

    __tablename__ = "post_preview_links"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
