"""Pure ASGI middleware: request ids, access logs, the last-resort 500, body limits, headers."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inkwell.core.docs_ui import PAGES as DOCS_PAGES
from inkwell.core.errors import (
    PROBLEM_JSON,
    ErrorInfo,
    PayloadTooLarge,
    domain_error_info,
    render_error,
)
from inkwell.core.request_context import set_request_id

access_log = logging.getLogger("inkwell.access")
error_log = logging.getLogger("inkwell.errors")
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
# The documentation pages load their assets from the app (core/docs_ui.py) and start them
# with an inline script; ReDoc draws with inline styles and runs its search in a blob worker.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def _request_id(scope: Scope) -> str:
    """The client's `X-Request-ID` when it is sane, else 32 random hex digits, the form a
    UUID's hex had (os.urandom takes 0.5 us where uuid4 took 2)."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            sent: str = value.decode("latin-1")
            if _SANE_REQUEST_ID.match(sent):
                return sent
            break
    return os.urandom(16).hex()


_ENCODED_SECURITY_HEADERS = [
    (name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()
]
_DOCS_PATHS = DOCS_PAGES


def _with_context_headers(
    headers: list[tuple[bytes, bytes]], request_id: str, path: str
) -> list[tuple[bytes, bytes]]:
    """The response's headers with the request id, and the security headers it did not set."""
    present = {name.lower() for name, _ in headers}
    headers = [(name, value) for name, value in headers if name.lower() != b"x-request-id"]
    headers.append((b"x-request-id", request_id.encode()))
    headers.extend(item for item in _ENCODED_SECURITY_HEADERS if item[0] not in present)
    if b"content-security-policy" not in present:
        policy = DOCS_CSP if path in _DOCS_PATHS else API_CSP
        headers.append((b"content-security-policy", policy.encode()))
    return headers


def _internal_error_body(request_id: str, path: str) -> bytes:
    body = {
        "type": "https://inkwell.dev/problems/internal-error",
        "title": "Internal server error",
        "status": 500,
        "detail": "Something went wrong on our side; the request id identifies it in our logs.",
        "instance": path,
        "code": "internal_error",
        "request_id": request_id,
    }
    return json.dumps(body).encode()


class RequestContextMiddleware:
    """Gives each request an id, sets security headers, logs it, and turns a crash into a 500."""

    def __init__(self, app: ASGIApp, *, access_log_enabled: bool = True) -> None:
        self.app = app
        self.access_log_enabled = access_log_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        set_request_id(request_id)
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "sent": False}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["sent"] = message["status"], True
                message["headers"] = _with_context_headers(
                    list(message.get("headers", [])), request_id, scope["path"]
                )
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            error_log.exception("unhandled error")
            if not state["sent"]:
                await self._send_500(send_with_headers, request_id, scope["path"])
        finally:
            self._log(scope, state["status"], started)
            set_request_id(None)

    @staticmethod
    async def _send_500(send: Send, request_id: str, path: str) -> None:
        body = _internal_error_body(request_id, path)
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _log(self, scope: Scope, status: int, started: float) -> None:
        if not self.access_log_enabled:
            return
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        access_log.info(
            "request",
            extra={
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": duration_ms,
            },
        )


class BodySizeLimitMiddleware:
    """Refuses request bodies over a limit with 413, whether declared or streamed; the paths
    in `larger` (uploads) have limits of their own."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.larger.get(scope["path"], self.max_bytes)
        declared = Headers(scope=scope).get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            too_large = PayloadTooLarge(f"The request body may be at most {max_bytes} bytes.")
            response = render_error(Request(scope), domain_error_info(too_large))
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > max_bytes:
                raise PayloadTooLarge(f"The request body may be at most {max_bytes} bytes.")
            return message

        await self.app(scope, limited_receive, send)


class UnstorableUrlMiddleware:
    """Answers 422 for a NUL character in the path or query, before any route sees it.

    PostgreSQL text cannot hold NUL, and no identifier, slug or search of ours contains one.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _nul_location(scope) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        location, field = found
        error = {
            "field": field,
            "location": location,
            "type": "value_error",
            "message": "must not contain NUL characters",
        }
        info = ErrorInfo(
            status=422,
            code="validation_error",
            title="Invalid input",
            detail="The request has invalid fields.",
            errors=[error],
        )
        await render_error(Request(scope), info)(scope, receive, send)


def _nul_location(scope: Scope) -> tuple[str, str] | None:
    """("path", "") or ("query", parameter name) when a NUL character is in the URL."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    if b"%00" in raw_path or b"\x00" in raw_path or "\x00" in scope["path"]:
        return "path", ""
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return "query", name.replace("\x00", "")
    return None


class TrustedHostMiddleware:
    """Answers 400 when the Host header names none of the trusted hosts (`*.example.com` stands
    for its subdomains). Health checks pass whatever their Host: probes often use an address."""

    def __init__(self, app: ASGIApp, *, hosts: list[str]) -> None:
        self.app = app
        self.exact = {host for host in hosts if not host.startswith("*.")}
        self.suffixes = tuple(host[1:] for host in hosts if host.startswith("*."))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/health/") or self._trusted(scope):
            await self.app(scope, receive, send)
            return
        info = ErrorInfo(
            status=400,
            code="untrusted_host",
            title="Bad request",
            detail="The Host header names a host this service does not answer to.",
        )
        await render_error(Request(scope), info)(scope, receive, send)

    def _trusted(self, scope: Scope) -> bool:
        host = _host_name(Headers(scope=scope).get("host", ""))
        return host in self.exact or (bool(host) and host.endswith(self.suffixes))


def _host_name(header: str) -> str:
    """The host of a Host header, without its port (an IPv6 address keeps its brackets)."""
    if header.startswith("["):
        return header.partition("]")[0].lower() + "]"
    return header.partition(":")[0].lower()
