"""Credential-endpoint throttling, per client IP and per account, on the shared rate limiter."""

from __future__ import annotations

import hashlib
import logging
import uuid

from inkwell.core.config import Settings
from inkwell.core.errors import RateLimited
from inkwell.core.ratelimit import RateLimiter

log = logging.getLogger("inkwell.auth")


def _account_key(login: str) -> str:
    # Keys name accounts by a hash so that Redis never holds e-mail addresses.
    return hashlib.sha256(login.strip().lower().encode()).hexdigest()[:32]


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

    async def check(
        self,
        action: str,
        *,
        ip: str | None,
        limit: int,
        account: str | None = None,
        account_limit: int | None = None,
    ) -> None:
        """Count one attempt; raise RateLimited (429 + Retry-After) when a limit is passed."""
        if not self._settings.rate_limit_enabled:
            return
        window = self._settings.rate_limit_window_seconds
        keys = [(f"{action}:ip:{ip or 'unknown'}", limit)]
        if account is not None and account_limit is not None:
            keys.append((f"{action}:acct:{_account_key(account)}", account_limit))
        for key, key_limit in keys:
            retry_after = await self._limiter.hit(key, limit=key_limit, window=window)
            if retry_after is not None:
                log.warning("rate limit reached", extra={"action": action, "ip": ip})
                raise RateLimited(retry_after, f"Too many {action} attempts; try again later.")
