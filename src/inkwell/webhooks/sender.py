"""Sending one delivery: Standard Webhooks signatures, the address check, a short timeout.

The signature is `v1,` and the base64 HMAC-SHA256, keyed with the secret's bytes (the base64
after `whsec_`), of `{webhook-id}.{webhook-timestamp}.{body}`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

import httpx

from inkwell.core.config import Settings
from inkwell.webhooks.addresses import Target, check_url
from inkwell.webhooks.exceptions import UnsafeUrl

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of every secret, not one
SECRET_BYTES = 24
EXCERPT_BYTES = 1024
ERROR_CHARS = 500
USER_AGENT = "Inkwell-Webhooks/1"


def new_secret() -> str:
    """A new signing secret: `whsec_` and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header of a message."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: the status code and an excerpt of the body, or an error."""

    duration_ms: int
    status_code: int | None = None
    excerpt: str | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class Message:
    url: str
    secret: str
    message_id: str
    body: str


def headers(message: Message, now: datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(message.secret, message.message_id, timestamp, message.body),
    }


async def _excerpt(response: httpx.Response) -> str:
    read = b""
    async for chunk in response.aiter_bytes():
        read += chunk
        if len(read) >= EXCERPT_BYTES:
            break
    return read[:EXCERPT_BYTES].decode("utf-8", errors="replace")


class Sender:
    """Sends messages over HTTP; redirects are not followed and nothing is read past 1 KiB."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: Message, now: datetime) -> Outcome:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                target = await check_url(message.url, self.settings)
                code, excerpt = await self._post(target, message, now)
        except UnsafeUrl as refused:
            return Outcome(_ms_since(started), error=f"refused: {refused.reason}")
        except TimeoutError:
            limit = self.settings.webhook_timeout_seconds
            return Outcome(_ms_since(started), error=f"no answer within {limit:g} s")
        except httpx.HTTPError as error:
            text = f"{type(error).__name__}: {error}".rstrip(": ")
            return Outcome(_ms_since(started), error=text[:ERROR_CHARS])
        return Outcome(_ms_since(started), status_code=code, excerpt=excerpt)

    async def _post(self, target: Target, message: Message, now: datetime) -> tuple[int, str]:
        extensions = {"sni_hostname": target.url.hostname} if target.url.scheme == "https" else {}
        request_headers = {**headers(message, now), "host": target.host_header}
        # trust_env off: a proxy from the environment would connect to the name, not the
        # checked address.
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as client:
            request = client.build_request(
                "POST",
                target.connect_url,
                content=message.body.encode(),
                headers=request_headers,
                extensions=extensions,
                timeout=self.settings.webhook_timeout_seconds,
            )
            response = await client.send(request, stream=True)
            try:
                return response.status_code, await _excerpt(response)
            finally:
                await response.aclose()


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
