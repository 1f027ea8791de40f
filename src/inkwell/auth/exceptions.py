"""Errors of the auth domain."""

from __future__ import annotations

from inkwell.core.errors import Forbidden, NotFound, Unauthorized


class InvalidCredentials(Unauthorized):
    code, title = "invalid_credentials", "Invalid credentials"

    def __init__(self) -> None:
        super().__init__("The login or password is not correct.")


class AccountDisabled(Forbidden):
    code, title = "account_disabled", "Account disabled"


class InvalidAccessToken(Unauthorized):
    code, title = "invalid_token", "Invalid or expired token"


class InvalidRefreshToken(Unauthorized):
    code, title = "invalid_refresh_token", "Invalid or expired refresh token"


class RefreshTokenReused(InvalidRefreshToken):
    """A rotated token came back: its whole family is revoked, and that must be kept."""

    keeps_changes = True


class InsufficientRole(Forbidden):
    code, title = "insufficient_role", "Your role does not allow this"


class SessionNotFound(NotFound):
    code, title = "session_not_found", "Session not found"


class InsufficientScope(Forbidden):
    code, title = "insufficient_scope", "The API key's scopes do not allow this"


class SignInRequired(Forbidden):
    """An API key asked for something only its owner's own sign-in may do."""

    code, title = "sign_in_required", "Sign in to do this; an API key cannot"
