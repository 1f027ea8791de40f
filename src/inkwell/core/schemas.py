"""Shared schema building blocks: strict input models, ORM-readable output models, UTC times."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Protocol, Self, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from inkwell.core.text import UnstorableText, unstorable_path


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _not_a_number(value: Any) -> Any:
    """Pydantic would read a number as Unix time; the document says ISO 8601 text."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("must be an ISO 8601 date and time, e.g. 2026-01-31T12:00:00Z")
    return value


UTCDateTime = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_as_utc)]


def _without_null(schema: dict[str, Any]) -> None:
    options = [option for option in schema.pop("anyOf", []) if option.get("type") != "null"]
    schema.update(options[0] if len(options) == 1 else {"anyOf": options})
    schema.pop("default", None)


# For a field of a partial update that may be left out but not set to null (the model refuses
# null): the document says so, though the field is typed `X | None` to tell "not sent".
NOT_NULL = Field(json_schema_extra=_without_null)


class StorableInput(BaseModel):
    """A request body whose every string, anywhere in it, is text PostgreSQL can store
    (core/text.py): a NUL is a 422 naming the field, never a driver error."""

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        where = unstorable_path(data)
        if where is not None:
            raise UnstorableText(".".join(map(str, where)))
        return data


class InputModel(StorableInput):
    """Request bodies: unknown fields are refused, so nothing is set by accident."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class OutputModel(BaseModel):
    """Response bodies: read from ORM objects or rows, only the declared fields leave."""

    model_config = ConfigDict(from_attributes=True)


class Paged(Protocol):
    """What a numbered page carries besides its items (the services' page records)."""

    @property
    def total(self) -> int: ...
    @property
    def page(self) -> int: ...
    @property
    def page_size(self) -> int: ...


ItemT = TypeVar("ItemT")


class Page(OutputModel, Generic[ItemT]):
    """A numbered page of a list: `items`, how many there are in all, and where this page is.

    Subclass it per list (`class TagList(Page[TagView])`), so each keeps its own name in the
    OpenAPI document.
    """

    items: list[ItemT]
    total: int
    page: int
    page_size: int

    @classmethod
    def of(cls, page: Paged, items: list[Any], **extra: Any) -> Self:
        """The response for a service's page, with its items already converted."""
        return cls(items=items, total=page.total, page=page.page, page_size=page.page_size, **extra)
