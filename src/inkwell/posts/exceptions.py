"""Errors of the posts domain."""

from __future__ import annotations

from inkwell.core.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed


class PostNotFound(NotFound):
    code, title = "post_not_found", "Post not found"


class VersionNotFound(NotFound):
    code, title = "post_version_not_found", "Post version not found"


class NotPostAuthor(Forbidden):
    code, title = "not_post_author", "Only the author or an admin may do this"


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


class ReviewRequired(Forbidden):
    code, title = "review_required", "Contributors publish through review"

    def __init__(self) -> None:
        super().__init__(
            "A contributor cannot publish, schedule or change a post that left the draft state;"
            " submit the draft for review instead."
        )


class NotEditor(Forbidden):
    code, title = "not_editor", "Only an editor or an admin may do this"


class InvalidTransition(Conflict):
    code, title = "invalid_status_transition", "The post is not in a status that allows this"

    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"A post in status {status!r} cannot be {action}.")


class InvalidAuthors(InvalidPostInput):
    code = "invalid_authors"

    def __init__(self, unknown: list[str]) -> None:
        super().__init__("authors", f"no active account is named {', '.join(unknown)}")
