"""Errors of blocking and muting (and the refusal the other domains raise for a block)."""

from __future__ import annotations

from inkwell.core.errors import Forbidden, InvalidInput


class BlockedByUser(Forbidden):
    """The account this action is about (a post's or a comment's author, or the account to
    follow) has blocked the caller."""

    code, title = "blocked", "This account has blocked you"

    def __init__(self) -> None:
        super().__init__("The account has blocked you: you cannot comment, reply or follow.")


class CannotTargetSelf(InvalidInput):
    code, title = "cannot_target_self", "You cannot block or mute yourself"

    def __init__(self, action: str) -> None:
        message = f"An account cannot {action} itself."
        super().__init__(
            message, errors=[{"field": "username", "message": message, "type": "self"}]
        )
