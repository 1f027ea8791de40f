"""A check run on every response the API tests receive: nothing leaks that should not.

No password hash, stack trace or SQL error text ever; no e-mail address except on the caller's
own account (its notification settings too, where `email` is how often to mail) and admin
views; no token outside the endpoints that issue them; no internal flags.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

TEXT_MARKERS = ("$argon2", "$2b$", "Traceback (most recent call last)")
ERROR_MARKERS = ("sqlalchemy", "asyncpg", "psycopg", "SELECT ", "INSERT INTO", 'File "')
ALWAYS_DENIED_KEYS = {
    "password",
    "password_hash",
    "token_version",
    "token_hash",
    "deleted_at",
    "viewer_hash",
}
JWT = re.compile(r"eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}")
API_KEY = re.compile(r"ink_[\w-]{43}")
ISSUES_API_KEYS = ("POST", "/api/v1/users/me/api-keys")  # the one answer that shows a key

OWN_ACCOUNT = re.compile(
    r"^/api/v1/(users/me(/notification-settings)?|auth/register|admin/users/[^/]+)$"
    r"|^/api/users?(/login)?$"
)
ISSUES_TOKENS = re.compile(r"^/api/v1/auth/(login|token|refresh)$|^/api/users?(/login)?$")
ADMIN_VIEW = re.compile(r"^/api/v1/admin/")


def _keys(value: Any) -> set[str]:
    """Every key that holds a value (not an error list: RealWorld errors are keyed by field)."""
    if isinstance(value, dict):
        own = {k for k, v in value.items() if not _is_messages(v)}
        return own.union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def _is_messages(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value) and bool(value)


def problems(
    path: str, body: str, content_type: str, method: str = "GET", url: str = ""
) -> list[str]:
    """What is wrong with this response body, if anything (a key the request's own `url`
    carries may come back, in a problem's `instance`)."""
    if path in {"/openapi.json", "/docs", "/redoc"}:  # the API's description names every field
        return []
    found = [f"text {m!r}" for m in TEXT_MARKERS if m in body]
    if (method, path) != ISSUES_API_KEYS and set(API_KEY.findall(body)) - set(API_KEY.findall(url)):
        found.append("an API key outside the answer that creates it")
    if "problem+json" in content_type:
        found += [f"error detail {m!r}" for m in ERROR_MARKERS if m in body]
    if "json" not in content_type:
        return found
    try:
        keys = _keys(json.loads(body))
    except ValueError:
        return found
    found += [f"key {k!r}" for k in sorted(keys & ALWAYS_DENIED_KEYS)]
    if "email" in keys and not OWN_ACCOUNT.match(path):
        found.append("an e-mail address outside the caller's own account")
    if "is_active" in keys and not ADMIN_VIEW.match(path):
        found.append("the internal flag 'is_active'")
    if not ISSUES_TOKENS.match(path) and (JWT.search(body) or "refresh_token" in keys):
        found.append("a token outside the endpoints that issue them")
    return found


async def refuse_leaks(response: httpx.Response) -> None:
    body = (await response.aread()).decode(errors="replace")
    request = response.request
    found = problems(
        request.url.path,
        body,
        response.headers.get("content-type", ""),
        request.method,
        str(request.url),
    )
    assert not found, f"{response.request.url} leaked {found}: {body[:500]}"
