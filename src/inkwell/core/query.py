"""Query-string models read with one validation.

FastAPI reads a `Query()` model field by field, working out anew on every request whether each
field's annotation is a sequence: 0.1 ms of the 1.1 ms `GET /posts` cost (docs/benchmarks.md).
A `QueryModel` works that out once, validates the query string with the model in one call, and
documents the same parameters; its errors are the same 422 field errors.
"""

from __future__ import annotations

from types import UnionType
from typing import Any, Generic, TypeVar, Union, get_args, get_origin

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class QueryModel(Generic[M]):
    """A dependency giving `model` read from the query string. Pass `openapi` as the route's
    `openapi_extra`, so the document lists the model's fields as query parameters."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self.repeated = frozenset(
            name for name, field in model.model_fields.items() if _is_list(field.annotation)
        )
        self.openapi: dict[str, Any] = {"parameters": _parameters(model)}

    async def __call__(self, request: Request) -> M:
        query = request.query_params
        values = {
            name: query.getlist(name) if name in self.repeated else value
            for name, value in query.items()
        }
        try:
            return self.model.model_validate(values)
        except ValidationError as error:
            raise RequestValidationError(
                [{**e, "loc": ("query", *e["loc"])} for e in error.errors(include_url=False)]
            ) from None


def _is_list(annotation: Any) -> bool:
    """`list[X]`, or a union with one (`list[X] | None`): read with every repeated value."""
    origin = get_origin(annotation)
    if origin is Union or origin is UnionType:
        return any(_is_list(arg) for arg in get_args(annotation))
    return origin is list


def _parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema["properties"].items():
        parameter = {"name": name, "in": "query", "required": name in required, "schema": field}
        if "description" in field:
            parameter["description"] = field["description"]
        if field.get("deprecated"):
            parameter["deprecated"] = True
        parameters.append(parameter)
    return parameters
