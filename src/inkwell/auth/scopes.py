"""The scopes an API key may hold, and how a route declares the one it needs.

A route declares its scope in its operation (`openapi_extra`), where the OpenAPI document
shows it and `auth.dependencies` reads it when a key is used: a key without that scope, or on
a route that declares none (`SIGN_IN_ONLY`, or nothing at all), is refused with 403
`insufficient_scope`. A signed-in user's own access token is not limited by scopes.
"""

from __future__ import annotations

import enum
from typing import Any

from inkwell.core.openapi import API_KEY_SCOPE, SIGN_IN_ONLY_SCOPE


class Scope(enum.StrEnum):
    POSTS_READ = "posts:read"
    POSTS_WRITE = "posts:write"
    COMMENTS_WRITE = "comments:write"
    MEDIA_READ = "media:read"
    MEDIA_WRITE = "media:write"
    PROFILE_READ = "profile:read"
    PROFILE_WRITE = "profile:write"
    ADMIN = "admin"


SCOPE_DESCRIPTIONS = {
    Scope.POSTS_READ: "Read posts, drafts, versions, comments, the feed, likes and bookmarks "
    "as the key's owner",
    Scope.POSTS_WRITE: "Write, publish, delete, like and bookmark posts",
    Scope.COMMENTS_WRITE: "Write, edit, delete and moderate comments",
    Scope.MEDIA_READ: "Read the owner's uploads",
    Scope.MEDIA_WRITE: "Upload and delete images",
    Scope.PROFILE_READ: "Read the owner's account, notifications, blocks and mutes",
    Scope.PROFILE_WRITE: "Edit the profile (not the e-mail address), follow, block, mute, "
    "mark notifications read, change notification settings",
    Scope.ADMIN: "Administration (users, webhooks, the outbox); the owner's role still "
    "applies, so only an admin's key can use it",
}


def needs(scope: Scope, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """`openapi_extra=` of a route an API key with `scope` may call (with the route's other
    `extra`, if any)."""
    return {**(extra or {}), API_KEY_SCOPE: scope.value}


# `openapi_extra=` of a route that takes a signed-in user's token only, never an API key.
SIGN_IN_ONLY: dict[str, Any] = {API_KEY_SCOPE: SIGN_IN_ONLY_SCOPE}
