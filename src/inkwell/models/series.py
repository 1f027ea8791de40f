"""Series: an ordered collection of one owner's posts."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base, Timestamps, UUIDKey


class Series(UUIDKey, Timestamps, Base):
    """A named, ordered collection of posts; its slug is unique across the site, so
    `/series/{slug}` names one series without its owner."""

    __tablename__ = "series"
    __table_args__ = (
        UniqueConstraint("slug", name="uq_series_slug"),
        Index("ix_series_owner_id_created_at", "owner_id", text("created_at DESC")),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))


class SeriesPost(Base):
    """A post's place in a series. The post is the key: a post is in at most one series."""

    __tablename__ = "series_posts"
    __table_args__ = (
        # The series' posts in order: the series read and a post's neighbours.
        UniqueConstraint("series_id", "position", name="uq_series_posts_series_id_position"),
    )

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    series_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, ... in the owner's order
