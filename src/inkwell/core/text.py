"""Text PostgreSQL can store: no NUL characters and no lone UTF-16 surrogates.

Such text is a client's mistake; refusing it at the edge turns what would be a driver error
(a 500) into a 422 with the field named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema


class UnstorableText(ValueError):
    """A string somewhere in a request body cannot be stored; `field` says where."""

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__("must not contain NUL characters or unpaired surrogates")


def is_storable(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def storable(value: str) -> str:
    """Refuse a string PostgreSQL cannot hold, as a validation error."""
    if not is_storable(value):
        raise ValueError("must not contain NUL characters or unpaired surrogates")
    return value


def unstorable_path(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where in a decoded JSON value an unstorable string (or key) sits, if anywhere."""
    if isinstance(value, str):
        return None if is_storable(value) else path
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = list(value.items())
        for key, item in items:
            if isinstance(key, str) and not is_storable(key):
                return (*path, "<key>")
            found = unstorable_path(item, (*path, str(key)))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable_path(item, (*path, index))
            if found is not None:
                return found
    return None


StorableStr = Annotated[str, AfterValidator(storable)]


@dataclass(frozen=True)
class Stripped:
    """Text stored without surrounding whitespace, whose length limits count it as sent.

    The OpenAPI document's `minLength` and `maxLength` count the text a client sends, so they
    are checked first; the text is then stripped, and what remains must still be `min_length`
    long (whitespace alone is too short, with the same error as an empty string).
    """

    max_length: int
    min_length: int = 0

    def __get_pydantic_core_schema__(
        self, _source: Any, _handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        shortest = self.min_length or None
        return core_schema.chain_schema(
            [
                core_schema.str_schema(min_length=shortest, max_length=self.max_length),
                core_schema.str_schema(strip_whitespace=True, min_length=shortest),
            ]
        )
