"""Errors of the comments domain."""

from __future__ import annotations

from inkwell.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound


class CommentNotFound(NotFound):
    code, title = "comment_not_found", "Comment not found"


class CommentsClosed(Forbidden):
    code, title = "comments_closed", "This post does not take comments"


class NotCommentAuthor(Forbidden):
    code, title = "not_comment_author", "Only the comment's author may do this"


class CannotDeleteComment(Forbidden):
    code, title = (
        "cannot_delete_comment",
        ("Only the comment's author, the post's author, a moderator or an admin may delete it"),
    )


class NotCommentModerator(Forbidden):
    code, title = (
        "not_comment_moderator",
        ("Only the post's author, a moderator or an admin may moderate its comments"),
    )


class InvalidParent(InvalidInput):
    """The comment replied to is not a comment of this post that the writer can see."""

    code = "invalid_parent"

    def __init__(self) -> None:
        message = "is not a visible comment of this post"
        super().__init__(
            f"parent_id {message}.",
            errors=[{"field": "parent_id", "message": message, "type": "invalid"}],
        )


class WrongCommentStatus(Conflict):
    code, title = "wrong_comment_status", "The comment's status does not allow this"

    def __init__(self, status: str) -> None:
        super().__init__(f"The comment is {status}; this action does not apply to it.")


class ResumeExpired(DomainError):
    status_code, code, title = (
        410,
        "resume_expired",
        "Messages after that sequence number are no longer kept; read the comments again"
        " from the start",
    )


class ResumeTooFarBack(DomainError):
    status_code, code, title = (
        410,
        "resume_too_far_back",
        "Too much changed since that sequence number; read the comments again from the start",
    )
