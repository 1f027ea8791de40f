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
    400: "The request cannot be carried out as sent (see `code`)",
    401: "Missing, invalid or expired credentials",
    403: "Not allowed for this account",
    404: "Not found",
    409: "Conflicts with existing data",
    410: "Gone: what was asked for is no longer kept (see `code`)",
    412: "The resource changed since the given ETag",
    413: "Request body too large",
    415: "The content is of a type not accepted here (see `code`)",
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


_OPTIONAL_TOKEN_401 = "The token sent is invalid or expired (send none to read signed out)"  # noqa: S105
BEARER = "bearerAuth"
API_KEY = "apiKey"
# An operation's `openapi_extra` key naming the scope an API key needs there (auth/scopes.py);
# finish_openapi turns it into the operation's security requirement.
API_KEY_SCOPE = "x-api-key-scope"
SIGN_IN_ONLY_SCOPE = "sign-in-only"  # its value where no API key is taken (no key holds it)
OPTIONAL_BEARER = "optionalBearerAuth"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_CONTENT = {"application/problem+json": {"schema": PROBLEM_REF}}
# Security schemes that only mark a token as optional, and the scheme they stand for.
OPTIONAL_SCHEMES = {OPTIONAL_BEARER: BEARER}
# The same bearer token, got by signing in with the OAuth2 password form: /docs's Authorize
# button offers it beside pasting a token.
PASSWORD_SIGN_IN = "passwordSignIn"  # noqa: S105 - a scheme name, not a password
PASSWORD_SIGN_IN_SCHEME = {
    "type": "oauth2",
    "description": "Sign in with a username (or e-mail) and password; the access token is then "
    "sent as `Authorization: Bearer <token>`",
    "flows": {"password": {"tokenUrl": "/api/v1/auth/token", "scopes": {}}},
}


def api_key_scheme(scopes: dict[str, str]) -> dict[str, Any]:
    """The API-key security scheme, listing the scopes a key may hold."""
    listed = "\n".join(f"- `{name}`: {text}" for name, text in scopes.items())
    return {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "ink_...",
        "description": "A personal API key (`Authorization: Bearer ink_...`) from "
        "/api/v1/users/me/api-keys. Each operation names the scope a key needs there; a key "
        "is refused (403 `insufficient_scope`) where it lacks it and on operations that list "
        f"no `apiKey` requirement. Scopes:\n\n{listed}",
    }


def finish_openapi(
    schema: dict[str, Any],
    error_content: dict[str, dict[str, Any]] | None = None,
    optional_schemes: dict[str, str] | None = None,
    api_key_scopes: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Say what the app really does: each part's error format, and which routes need a token.

    `error_content` maps a path prefix to the content of its error responses (the longest
    prefix wins; problem+json elsewhere); `optional_schemes` adds optional-token markers;
    `api_key_scopes` describes the API keys' scopes, which operations name.
    """
    optional = {**OPTIONAL_SCHEMES, **(optional_schemes or {})}
    for path, operations in schema.get("paths", {}).items():
        content = _error_content(path, error_content or {})
        for operation in operations.values():
            _one_scheme(operation, optional)
            _api_key_requirement(operation)
            _document_errors(operation, content)
    components = schema.setdefault("components", {})
    for marker in optional:
        components.get("securitySchemes", {}).pop(marker, None)
    if BEARER in components.get("securitySchemes", {}):
        components["securitySchemes"][PASSWORD_SIGN_IN] = PASSWORD_SIGN_IN_SCHEME
        if api_key_scopes:
            components["securitySchemes"][API_KEY] = api_key_scheme(api_key_scopes)
    schemas = components.setdefault("schemas", {})
    template = "#/components/schemas/{model}"
    schemas.setdefault("Problem", Problem.model_json_schema(ref_template=template))
    schemas.setdefault("FieldError", FieldError.model_json_schema())
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def _error_content(path: str, by_prefix: dict[str, dict[str, Any]]) -> dict[str, Any]:
    matches = [p for p in by_prefix if path == p or path.startswith(p.rstrip("/") + "/")]
    return by_prefix[max(matches, key=len)] if matches else PROBLEM_CONTENT


def _one_scheme(operation: dict[str, Any], optional: dict[str, str]) -> None:
    """A required token, or an optional one (`{}` as the alternative), which is still checked
    when sent: an invalid or expired one answers 401."""
    names = {name for item in operation.get("security", []) for name in item}
    required = names - set(optional)
    if required:
        operation["security"] = [{name: []} for name in sorted(required)]
    elif names:
        operation["security"] = [{}, *({optional[name]: []} for name in sorted(names))]
        responses = operation.setdefault("responses", {})
        responses.setdefault("401", {"description": _OPTIONAL_TOKEN_401})
    if {BEARER: []} in operation.get("security", []):
        operation["security"].append({PASSWORD_SIGN_IN: []})


def _api_key_requirement(operation: dict[str, Any]) -> None:
    """An operation that declares a scope also accepts an API key holding it; a key without
    it is refused (403), and every key has a request rate (429). One declared for a sign-in
    only refuses every key."""
    if API_KEY_SCOPE not in operation:
        return
    scope = operation.pop(API_KEY_SCOPE)
    responses = operation.setdefault("responses", {})
    responses.setdefault("403", {"description": _DESCRIPTIONS[403]})
    if scope != SIGN_IN_ONLY_SCOPE and operation.get("security"):
        operation["security"].append({API_KEY: [scope]})
        responses.setdefault("429", {"description": _DESCRIPTIONS[429]})


def _document_errors(operation: dict[str, Any], content: dict[str, Any]) -> None:
    """Every 4xx/5xx answer in the part's error format; any body may be too large (413)."""
    responses = operation.setdefault("responses", {})
    if "requestBody" in operation:
        responses.setdefault("413", {"description": _DESCRIPTIONS[413]})
    for status, response in responses.items():
        if status[0] in "45":
            response["content"] = content
