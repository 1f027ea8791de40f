"""Errors of the API-keys domain."""

from __future__ import annotations

from inkwell.core.errors import Conflict, InvalidInput, NotFound


class ApiKeyNotFound(NotFound):
    code, title = "api_key_not_found", "API key not found"


class TooManyApiKeys(Conflict):
    code, title = "too_many_api_keys", "Too many API keys"


class ExpiryInPast(InvalidInput):
    code, title = "expiry_in_past", "The expiry is not in the future"
