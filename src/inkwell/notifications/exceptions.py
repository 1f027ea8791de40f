"""Errors of notifications."""

from __future__ import annotations

from inkwell.core.errors import InvalidInput, NotFound


class NotificationNotFound(NotFound):
    code, title = "notification_not_found", "Notification not found"


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"

    def __init__(self) -> None:
        message = "is not a cursor this list gave out"
        super().__init__(
            message, errors=[{"field": "cursor", "message": message, "type": "invalid"}]
        )
