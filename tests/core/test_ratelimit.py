from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from inkwell.core.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from tests.redis_support import redis_url, requires_redis


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url())
    yield client
    await client.aclose()


class Clock:
    """A clock that a test moves by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_memory_limiter_counts_within_a_window() -> None:
    clock = Clock(1000.0)
    limiter = MemoryRateLimiter(clock=clock)
    results = [await limiter.hit("k", limit=2, window=60) for _ in range(3)]
    assert results[:2] == [None, None]
    assert results[2] == 60  # the first of the two leaves the window at 1060
    assert await limiter.hit("other", limit=2, window=60) is None
    clock.now = 1060.0
    assert await limiter.hit("k", limit=2, window=60) is None


async def _straddle(limiter: RateLimiter, clock: Clock, key: str) -> list[int | None]:
    """Ten tries just before a minute ends and ten just after it, against 10 a minute."""
    clock.now = 1_799_999_999.9  # 0.1 s before a fixed 60 s window's edge
    results = [await limiter.hit(key, limit=10, window=60) for _ in range(10)]
    clock.now += 0.2
    return results + [await limiter.hit(key, limit=10, window=60) for _ in range(10)]


async def test_memory_limiter_tries_across_a_window_edge_do_not_add_up() -> None:
    clock = Clock(0.0)
    results = await _straddle(MemoryRateLimiter(clock=clock), clock, "edge")
    assert results[:10] == [None] * 10
    assert results[10:] == [60] * 10  # 59.8 s until the first try leaves the window


async def test_memory_limiter_frees_a_place_as_each_try_leaves_the_window() -> None:
    clock = Clock(100.0)
    limiter = MemoryRateLimiter(clock=clock)
    assert await limiter.hit("k", limit=2, window=60) is None
    clock.now = 130.0
    assert await limiter.hit("k", limit=2, window=60) is None
    assert await limiter.hit("k", limit=2, window=60) == 30
    clock.now = 160.0  # the first try has left; the refused one was never counted
    assert await limiter.hit("k", limit=2, window=60) is None
    assert await limiter.hit("k", limit=2, window=60) == 30


async def test_memory_limiter_sweeps_idle_keys_once_a_window() -> None:
    clock = Clock(0.0)
    limiter = MemoryRateLimiter(clock=clock)
    for i in range(5):
        await limiter.hit(f"old{i}", limit=5, window=60)
    clock.now = 30.0
    await limiter.hit("recent", limit=5, window=60)
    clock.now = 61.0
    await limiter.hit("new", limit=5, window=60)
    assert set(limiter._events) == {"recent", "new"}


async def test_memory_limiter_bounds_its_memory() -> None:
    clock = Clock(0.0)
    limiter = MemoryRateLimiter(max_keys=10, clock=clock)
    for i in range(10):
        await limiter.hit(f"old{i}", limit=5, window=60)
    clock.now = 120.0
    await limiter.hit("new", limit=5, window=60)
    assert len(limiter._events) == 1


@requires_redis
async def test_redis_limiter_tries_across_a_window_edge_do_not_add_up(redis: Redis) -> None:
    clock = Clock(0.0)
    limiter = RedisRateLimiter(redis, clock=clock)
    results = await _straddle(limiter, clock, f"edge:{secrets.token_hex(4)}")
    assert results[:10] == [None] * 10
    assert results[10:] == [60] * 10


@requires_redis
async def test_redis_limiter_lets_exactly_the_limit_through_concurrent_hits(redis: Redis) -> None:
    key = f"race:{secrets.token_hex(4)}"
    workers = [RedisRateLimiter(redis) for _ in range(4)]
    results = await asyncio.gather(
        *(workers[n % 4].hit(key, limit=10, window=60) for n in range(40))
    )
    assert sum(result is None for result in results) == 10


@requires_redis
async def test_redis_limiter_is_shared_between_workers(redis: Redis) -> None:
    key = f"test:{secrets.token_hex(4)}"
    worker_a, worker_b = RedisRateLimiter(redis), RedisRateLimiter(redis)
    assert await worker_a.hit(key, limit=2, window=60) is None
    assert await worker_b.hit(key, limit=2, window=60) is None
    retry = await worker_a.hit(key, limit=2, window=60)
    assert retry is not None
    assert 1 <= retry <= 60


@requires_redis
async def test_redis_keys_expire(redis: Redis) -> None:
    key = f"test:{secrets.token_hex(4)}"
    await RedisRateLimiter(redis, prefix="p:").hit(key, limit=1, window=30)
    assert 0 < await redis.ttl(f"p:{key}") <= 30


async def test_redis_down_falls_back_to_counting_in_process() -> None:
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    limiter = RedisRateLimiter(unreachable)
    assert await limiter.hit("k", limit=1, window=60) is None
    assert await limiter.hit("k", limit=1, window=60) is not None
    await unreachable.aclose()


async def test_redis_is_left_alone_for_a_while_after_a_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    limiter = RedisRateLimiter(unreachable, retry_after=60)
    calls = 0
    original = unreachable.evalsha

    def counting_evalsha(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(unreachable, "evalsha", counting_evalsha)
    for _ in range(5):
        await limiter.hit("k", limit=10, window=60)
    assert calls == 1
    await unreachable.aclose()
