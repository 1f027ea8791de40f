"""Errors of the users domain."""

from __future__ import annotations

from inkwell.core.errors import Conflict, DomainError, InvalidInput, NotFound


class UserNotFound(NotFound):
    code, title = "user_not_found", "User not found"


class AccountTaken(Conflict):
    """The e-mail or username is in use; `errors` says which field."""

    code, title = "account_exists", "Account already exists"

    def __init__(self, fields: list[str]) -> None:
        super().__init__(
            f"An account with this {' and '.join(fields)} already exists.",
            errors=[
                {"field": f, "message": f"{f} is already taken", "type": "taken"} for f in fields
            ],
        )


class WeakPassword(InvalidInput):
    code = "weak_password"

    def __init__(self, message: str, field: str = "password") -> None:
        super().__init__(message, errors=[{"field": field, "message": message, "type": "weak"}])


class WrongPassword(InvalidInput):
    code = "wrong_password"

    def __init__(self) -> None:
        super().__init__(
            "The current password is not correct.",
            errors=[{"field": "current_password", "message": "is not correct", "type": "wrong"}],
        )


class CannotChangeSelf(Conflict):
    code, title = "cannot_change_self", "An admin cannot change their own role or status"


class LinkInvalid(DomainError):
    """A link token that is unknown, altered, or for another purpose or address."""

    status_code, code, title = 400, "link_invalid", "Invalid link"

    def __init__(self) -> None:
        super().__init__("This link is not valid; ask for a new one.")


class LinkExpired(DomainError):
    status_code, code, title = 400, "link_expired", "Expired link"

    def __init__(self) -> None:
        super().__init__("This link has expired; ask for a new one.")


class LinkUsed(DomainError):
    status_code, code, title = 400, "link_used", "Link already used"

    def __init__(self) -> None:
        super().__init__("This link was already used, or a newer one replaced it.")


class EmailAlreadyVerified(Conflict):
    code, title = "email_already_verified", "The e-mail address is already verified"
