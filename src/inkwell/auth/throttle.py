"""Credential-endpoint throttling, per client IP and per account, on the shared rate limiter."""

from __future__ import annotations

import hashlib
import logging
import uuid

from inkwell.core.config import Settings
from inkwell.core.errors import RateLimited
from inkwell.core.ratelimit import RateLimiter

log = logging.getLogger("inkwell.auth")


def _account_key(account: uuid.UUID | str) -> str:
    """One counter per account, whichever of its names was typed: its id. A login that names
    no account counts under a hash of what was typed, so that Redis never holds e-mails."""
    if isinstance(account, uuid.UUID):
        return f"user:{account}"
    return "login:" + hashlib.sha256(account.strip().lower().encode()).hexdigest()[:32]


class Throttle:
    def __init__(self, limiter: RateLimiter, settings: Settings) -> None:
        self._limiter = limiter
        self._settings = settings

    async def check_user(self, action: str, *, user_id: uuid.UUID, limit: int) -> None:
        """Count one write by a signed-in user; RateLimited past `limit` per window."""
        if not self._settings.rate_limit_enabled:
            return
        window = self._settings.rate_limit_window_seconds
        retry_after = await self._limiter.hit(
            f"{action}:user:{user_id}", limit=limit, window=window
        )
        if retry_after is not None:
            log.warning(
                "write rate limit reached", extra={"action": action, "user_id": str(user_id)}
            )
            raise RateLimited(retry_after, f"Too many {action}s in a short time; slow down.")

    async def check_key(self, key_id: uuid.UUID, *, limit: int) -> None:
        """Count one request made with an API key; RateLimited past `limit` per window."""
        if not self._settings.rate_limit_enabled:
            return
        window = self._settings.rate_limit_window_seconds
        retry_after = await self._limiter.hit(f"api key:{key_id}", limit=limit, window=window)
        if retry_after is not None:
            log.warning("api key rate limit reached", extra={"api_key_id": str(key_id)})
            raise RateLimited(retry_after, "Too many requests with this API key; slow down.")

    async def check(self, action: str, *, ip: str | None, limit: int) -> None:
        """Count one attempt from an IP; raise RateLimited (429 + Retry-After) past `limit`."""
        await self._count(action, f"{action}:ip:{ip or 'unknown'}", limit, ip=ip)

    async def check_account(
        self, action: str, *, account: uuid.UUID | str, limit: int, ip: str | None
    ) -> None:
        """Count one attempt on an account: its id, or the login typed when none matched."""
        await self._count(action, f"{action}:acct:{_account_key(account)}", limit, ip=ip)

    async def _count(self, action: str, key: str, limit: int, *, ip: str | None) -> None:
        if not self._settings.rate_limit_enabled:
            return
        window = self._settings.rate_limit_window_seconds
        retry_after = await self._limiter.hit(key, limit=limit, window=window)
        if retry_after is not None:
            log.warning("rate limit reached", extra={"action": action, "ip": ip})
            raise RateLimited(retry_after, f"Too many {action} attempts; try again later.")
