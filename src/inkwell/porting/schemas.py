"""Bodies of the import and export endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from inkwell.core.schemas import OutputModel

ImportSource = Literal["wordpress", "ghost", "inkwell"]


class ImportView(OutputModel):
    """An import: `queued`, `running`, `done` or `failed`; `progress` counts what it did so far
    (authors created and matched, posts created and skipped, comments, relations); `errors`
    names what was left out, or why the file was refused."""

    id: uuid.UUID
    source: str
    status: str
    progress: dict[str, int]
    errors: list[str]
    created_at: datetime
    finished_at: datetime | None


class ExportView(OutputModel):
    """An export: `queued`, `running` or `ready`; a ready archive can be downloaded from
    `.../archive` until `expires_at`."""

    id: uuid.UUID
    kind: Literal["user", "site"]
    status: str
    size: int | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
