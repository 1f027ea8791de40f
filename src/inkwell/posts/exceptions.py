"""Errors of the posts domain."""

from __future__ import annotations

from inkwell.core.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed


class PostNotFound(NotFound):
    code, title = "post_not_found", "Post not found"


class VersionNotFound(NotFound):
    code, title = "post_version_not_found", "Post version not found"


class NotPostAuthor(Forbidden):
    code, title = "not_post_author", "Only the author or an admin may do this"


class NotAnEditor(Forbidden):
    code, title = "not_an_editor", "Only editors may feature posts"


class SlugTaken(Conflict):
    code, title = "slug_taken", "Slug already in use"

    def __init__(self, slug: str | None = None) -> None:
        super().__init__(
            f"Another post already uses the slug {slug!r}." if slug else None,
            errors=[{"field": "slug", "message": "is already taken", "type": "taken"}],
        )


class PostChanged(PreconditionFailed):
    code, title = "post_changed", "The post changed since you read it"


class InvalidPostInput(InvalidInput):
    """A rule on one field that only the service can check."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, errors=[{"field": field, "message": message, "type": "invalid"}])


class InvalidCursor(InvalidPostInput):
    code = "invalid_cursor"

    def __init__(self) -> None:
        super().__init__("cursor", "is not a cursor this list gave out")
