"""Errors of follows."""

from __future__ import annotations

from inkwell.core.errors import InvalidInput


class CannotFollowSelf(InvalidInput):
    code, title = "cannot_follow_self", "You cannot follow yourself"

    def __init__(self) -> None:
        message = "An account cannot follow itself."
        super().__init__(
            message, errors=[{"field": "username", "message": message, "type": "self"}]
        )
