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
