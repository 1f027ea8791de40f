"""Fixed-window rate limits: shared through Redis when configured, in-process otherwise."""

from __future__ import annotations

import logging
import math
import time
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("inkwell.ratelimit")


class RateLimiter(Protocol):
    async def hit(self, key: str, *, limit: int, window: int) -> int | None:
        """Count one event; return the seconds to wait when over the limit, else None."""


def _window(now: float, window: int) -> tuple[int, int]:
    start = int(now // window) * window
    return start, max(1, math.ceil(start + window - now))


class MemoryRateLimiter:
    """Counters in this process: right for one worker, and the fallback when Redis is down."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._counts: dict[str, tuple[int, int]] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, *, limit: int, window: int) -> int | None:
        start, retry_after = _window(time.time(), window)
        bucket_start, count = self._counts.get(key, (start, 0))
        count = count + 1 if bucket_start == start else 1
        if len(self._counts) >= self._max_keys:
            self._evict(start)
        self._counts[key] = (start, count)
        return retry_after if count > limit else None

    def _evict(self, current_start: int) -> None:
        self._counts = {k: v for k, v in self._counts.items() if v[0] == current_start}


class RedisRateLimiter:
    """Counters in Redis, shared by every worker.

    When Redis fails, counting falls back to this process and Redis is left alone for
    `retry_after` seconds, so an unreachable Redis costs one timeout, not one per request.
    """

    def __init__(self, redis: Redis, prefix: str = "inkwell:rl:", retry_after: float = 5.0) -> None:
        self._redis = redis
        self._prefix = prefix
        self._fallback = MemoryRateLimiter()
        self._retry_after = retry_after
        self._down_until = 0.0

    async def hit(self, key: str, *, limit: int, window: int) -> int | None:
        if time.monotonic() < self._down_until:
            return await self._fallback.hit(key, limit=limit, window=window)
        start, retry_after = _window(time.time(), window)
        bucket = f"{self._prefix}{key}:{start}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(bucket)
                pipe.expire(bucket, window + 1)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("redis unavailable for rate limiting, counting in-process: %s", exc)
            self._down_until = time.monotonic() + self._retry_after
            return await self._fallback.hit(key, limit=limit, window=window)
        return retry_after if int(count) > limit else None
