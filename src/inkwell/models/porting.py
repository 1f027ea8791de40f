"""What imports brought in: each imported thing's key in its source and the row it became."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import PrimaryKeyConstraint, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base


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
