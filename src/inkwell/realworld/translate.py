"""Turning a RealWorld request into the input model of an Inkwell service."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def to_domain(model: type[Model], values: dict[str, Any]) -> Model:
    """Validate `values` as `model`; a refusal is a 422 like any request validation error.

    The RealWorld schemas use the same field types, so this refuses only what they cannot
    see (a rule across fields); the error names Inkwell's field, which the renderer renames.
    """
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from error
