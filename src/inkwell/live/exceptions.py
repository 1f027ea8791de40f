"""Errors of live updates; a WebSocket gets them as messages or close codes (docs/live.md)."""

from __future__ import annotations

from inkwell.core.errors import DomainError, NotFound, Unauthorized


class ChannelNotFound(NotFound):
    code, title = "channel_not_found", "No such channel, or not one you may watch"


class SignInRequired(Unauthorized):
    code, title = "sign_in_required", "Only a signed-in user may watch this channel"


class InvalidTicket(Unauthorized):
    code, title = "invalid_ticket", "The ticket is unknown, used or expired"


class TooManyConnections(DomainError):
    status_code, code, title = 429, "too_many_connections", "Too many live connections"


class TooManySubscriptions(DomainError):
    status_code, code, title = 429, "too_many_subscriptions", "Too many channels at once"
