"""OpenAPI descriptions of the RealWorld error responses, so /docs shows them."""

from __future__ import annotations

from typing import Any

from inkwell.realworld.schemas import ConduitErrorBody

_DESCRIPTIONS = {
    401: "Missing or invalid token",
    403: "Not allowed for this user",
    404: "Not found",
    409: "Already taken",
    422: "Invalid input (per-field messages)",
    429: "Too many writes in a short time (see Retry-After)",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the given error statuses, in the RealWorld error format."""
    return {
        status: {"model": ConduitErrorBody, "description": _DESCRIPTIONS[status]}
        for status in statuses
    }
