"""Errors of the webhooks domain."""

from __future__ import annotations

from inkwell.core.errors import Conflict, InvalidInput, NotFound


class EndpointNotFound(NotFound):
    code, title = "webhook_not_found", "Webhook endpoint not found"


class DeliveryNotFound(NotFound):
    code, title = "webhook_delivery_not_found", "Webhook delivery not found"


class EndpointDisabled(Conflict):
    code, title = "webhook_disabled", "Webhook endpoint disabled"

    def __init__(self) -> None:
        super().__init__("The endpoint is disabled; enable it first.")


class UnsafeUrl(InvalidInput):
    """A URL that deliveries may not go to (SSRF rules, docs/events.md); names the `url` field."""

    code = "webhook_url_refused"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            f"The URL is refused: {reason}.",
            errors=[{"field": "url", "location": "body", "message": reason, "type": "unsafe_url"}],
        )
