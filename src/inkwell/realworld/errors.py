"""Errors in the RealWorld format: `{"errors": {"<field or resource>": ["<message>"]}}`.

core/errors.py renders every error once; this is the renderer it uses for paths under /api
that are not /api/v1. Statuses stay Inkwell's; only the body's shape and words change.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from inkwell.core.errors import ErrorInfo

# Inkwell's field names where the contract uses others.
_FIELDS = {
    "content_raw": "body",
    "content": "body",
    "summary": "description",
    "tags": "tagList",
    "avatar_url": "image",
    "new_password": "password",
    "current_password": "password",
}
_ENVELOPES = {"user", "article", "comment"}
# Which resource a not-found or forbidden error is about, by Inkwell's error code.
_RESOURCES = {
    "post_not_found": "article",
    "not_post_author": "article",
    "review_required": "article",
    "user_not_found": "profile",
    "comment_not_found": "comment",
    "not_comment_author": "comment",
    "cannot_delete_comment": "comment",
    "comments_closed": "comment",
}
_CODE_ERRORS = {
    "invalid_credentials": ("credentials", "invalid"),
    "token_missing": ("token", "is missing"),
    "invalid_token": ("token", "is invalid"),
    "comments_closed": ("comment", "comments are closed on this article"),
}
_STATUS_WORDS = {403: "forbidden", 404: "not found"}


def _field_name(field: str) -> str:
    """`user.email` -> `email`, `article.tagList.0` -> `tagList`, `` or `12` -> `body`."""
    parts = [part for part in field.split(".") if part and not part.isdigit()]
    if len(parts) > 1 and parts[0] in _ENVELOPES:
        parts = parts[1:]
    name = parts[0] if parts else "body"
    return _FIELDS.get(name, name)


def _message(error: dict[str, Any]) -> str:
    kind, message = error.get("type", ""), str(error.get("message", ""))
    if kind == "missing" or (kind == "string_too_short" and "at least 1 character" in message):
        return "can't be blank"
    if kind == "taken":
        return "has already been taken"
    return message.removeprefix("Value error, ")


def _field_errors(errors: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in errors:
        found.setdefault(_field_name(str(error.get("field", ""))), []).append(_message(error))
    return found


def conduit_errors(info: ErrorInfo) -> dict[str, list[str]]:
    """The `errors` object for an error."""
    if info.code in _CODE_ERRORS:
        key, message = _CODE_ERRORS[info.code]
        return {key: [message]}
    if info.errors:
        return _field_errors(info.errors)
    if info.status in _STATUS_WORDS:
        return {_RESOURCES.get(info.code, "resource"): [_STATUS_WORDS[info.status]]}
    key = "server" if info.status >= 500 else "request"
    return {key: [info.detail or info.title]}


def render_conduit_error(_request: Request, info: ErrorInfo) -> JSONResponse:
    """The RealWorld renderer (registered for /api in main.py)."""
    return JSONResponse(
        {"errors": conduit_errors(info)}, status_code=info.status, headers=info.headers
    )
