"""Errors of notifications."""

from __future__ import annotations

from inkwell.core.errors import DomainError, InvalidInput, NotFound


class NotificationNotFound(NotFound):
    code, title = "notification_not_found", "Notification not found"


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"

    def __init__(self) -> None:
        message = "is not a cursor this list gave out"
        super().__init__(
            message, errors=[{"field": "cursor", "message": message, "type": "invalid"}]
        )


class UnsubscribeLinkInvalid(DomainError):
    """An unsubscribe token this service did not sign, or for an account that is gone."""

    status_code, code, title = 400, "link_invalid", "Invalid link"

    def __init__(self) -> None:
        super().__init__("This unsubscribe link is not valid.")
