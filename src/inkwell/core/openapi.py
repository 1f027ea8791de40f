"""Shared OpenAPI descriptions of error responses, so `/docs` shows every route's failures."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class FieldError(BaseModel):
    field: str
    message: str
    type: str = ""
    location: str = ""


class Problem(BaseModel):
    """An RFC 9457 problem document; every error response has this shape."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    request_id: str | None
    errors: list[FieldError] | None = None


_DESCRIPTIONS = {
    401: "Missing, invalid or expired credentials",
    403: "Not allowed for this account",
    404: "Not found",
    409: "Conflicts with existing data",
    412: "The resource changed since the given ETag",
    413: "Request body too large",
    422: "Invalid input (per-field errors)",
    429: "Too many requests (see Retry-After)",
    503: "Temporarily unavailable (see Retry-After)",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the given error statuses."""
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS[status],
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }


BEARER = "bearerAuth"
OPTIONAL_BEARER = "optionalBearerAuth"


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def finish_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Say what the app really does: problem+json errors, and which routes need a token."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            _one_bearer_scheme(operation)
            _problem_errors(operation)
    components = schema.setdefault("components", {})
    components.get("securitySchemes", {}).pop(OPTIONAL_BEARER, None)
    schemas = components.setdefault("schemas", {})
    schemas.setdefault(
        "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    schemas.setdefault("FieldError", FieldError.model_json_schema())
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def _one_bearer_scheme(operation: dict[str, Any]) -> None:
    """A required token, or an optional one (`{}` as the alternative)."""
    names = {name for item in operation.get("security", []) for name in item}
    if BEARER in names:
        operation["security"] = [{BEARER: []}]
    elif OPTIONAL_BEARER in names:
        operation["security"] = [{}, {BEARER: []}]


def _problem_errors(operation: dict[str, Any]) -> None:
    """Every 4xx/5xx answer is application/problem+json; any body may be too large (413)."""
    responses = operation.setdefault("responses", {})
    if "requestBody" in operation:
        responses.setdefault("413", {"description": _DESCRIPTIONS[413]})
    for status, response in responses.items():
        if status[0] in "45":
            response["content"] = {"application/problem+json": {"schema": PROBLEM_REF}}
