"""Shared schema building blocks: strict input models, ORM-readable output models, UTC times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UTCDateTime = Annotated[datetime, AfterValidator(_as_utc)]


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused, so nothing is set by accident."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class OutputModel(BaseModel):
    """Response bodies: read from ORM objects or rows, only the declared fields leave."""

    model_config = ConfigDict(from_attributes=True)
