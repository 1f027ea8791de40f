"""Sliding-window rate limits: at most `limit` events in any `window` seconds, shared through
Redis when configured, in-process otherwise.

Each key keeps the times of the events it let through (at most `limit` of them), so tries on
either side of a fixed window's edge cannot add up past the limit. Refused events are not
kept: a key frees up `window` seconds after its last accepted event, however long someone
kept trying, so nobody can lock a victim out for longer. What is kept is one time per event
accepted within the last window, so memory follows the request rate, not the number of keys
ever seen.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("inkwell.ratelimit")

Clock = Callable[[], float]  # seconds since the epoch


class RateLimiter(Protocol):
    async def hit(self, key: str, *, limit: int, window: int) -> int | None:
        """Count one event; return the seconds to wait when over the limit, else None."""


def _wait(freed_at: float, now: float) -> int:
    return max(1, math.ceil(freed_at - now))


class MemoryRateLimiter:
    """Event times in this process: right for one worker, and the fallback when Redis is down."""

    def __init__(self, max_keys: int = 100_000, clock: Clock = time.time) -> None:
        self._events: dict[str, deque[float]] = {}
        self._max_keys = max_keys
        self._clock = clock
        self._next_sweep = 0.0

    async def hit(self, key: str, *, limit: int, window: int) -> int | None:
        now = self._clock()
        if now >= self._next_sweep or len(self._events) >= self._max_keys:
            # Once a window, or when full: keys idle for a window hold only expired times.
            self._evict(now - window)
            self._next_sweep = now + window
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - window:
            events.popleft()
        if len(events) >= limit:
            return _wait(events[len(events) - limit] + window, now)
        events.append(now)
        return None

    def _evict(self, horizon: float) -> None:
        self._events = {k: v for k, v in self._events.items() if v and v[-1] > horizon}


# KEYS[1]: the key's sorted set of accepted events (score = time); ARGV: now, window, limit,
# a unique member. Returns 0 when the event is accepted, else the seconds to wait.
_SLIDING_WINDOW = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local freeing = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  return math.max(1, math.ceil(tonumber(freeing[2]) + window - now))
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return 0
"""


class RedisRateLimiter:
    """Event times in Redis, shared by every worker: one sorted set per key, checked and
    updated by one Lua script, so concurrent hits cannot both take the last place.

    When Redis fails, counting falls back to this process and Redis is left alone for
    `retry_after` seconds, so an unreachable Redis costs one timeout, not one per request.
    """

    def __init__(
        self,
        redis: Redis,
        prefix: str = "inkwell:rl:",
        retry_after: float = 5.0,
        clock: Clock = time.time,
    ) -> None:
        self._script = redis.register_script(_SLIDING_WINDOW)
        self._prefix = prefix
        self._fallback = MemoryRateLimiter(clock=clock)
        self._retry_after = retry_after
        self._down_until = 0.0
        self._clock = clock

    async def hit(self, key: str, *, limit: int, window: int) -> int | None:
        if time.monotonic() < self._down_until:
            return await self._fallback.hit(key, limit=limit, window=window)
        now = self._clock()
        member = f"{now:.6f}:{secrets.token_hex(4)}"
        try:
            wait = await self._script(
                keys=[f"{self._prefix}{key}"], args=[f"{now:.6f}", window, limit, member]
            )
        except (RedisError, OSError) as exc:
            log.warning("redis unavailable for rate limiting, counting in-process: %s", exc)
            self._down_until = time.monotonic() + self._retry_after
            return await self._fallback.hit(key, limit=limit, window=window)
        return int(wait) or None
