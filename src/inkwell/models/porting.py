"""What imports brought in: each imported thing's key in its source and the row it became."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, PrimaryKeyConstraint, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base, UUIDKey


class ImportedRecord(Base):
    """`external_id` of `kind` (author, post, comment) in `source` became row `target_id`: a
    second run of the same import finds it here and skips it instead of writing it again."""

    __tablename__ = "import_sources"
    __table_args__ = (
        PrimaryKeyConstraint("source", "kind", "external_id", name="pk_import_sources"),
    )

    source: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(255))
    target_id: Mapped[uuid.UUID] = mapped_column()
    # The address the thing had on the old site, when it had one (for redirects).
    url: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ImportJob(UUIDKey, Base):
    """An import an admin uploaded, run by a job; `progress` holds the run's counts."""

    __tablename__ = "imports"

    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="queued", server_default="queued")
    file_name: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    progress: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    errors: Mapped[list[str]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class ExportJob(UUIDKey, Base):
    """An export archive asked for by `user_id` (their own data, or the site for an admin),
    made by a job and deleted once `expires_at` has passed."""

    __tablename__ = "exports"
    __table_args__ = (
        Index(
            "ix_exports_expires_at", "expires_at", postgresql_where=text("expires_at IS NOT NULL")
        ),
    )

    kind: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="queued", server_default="queued")
    file_name: Mapped[str | None] = mapped_column(String(200), default=None)
    size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
