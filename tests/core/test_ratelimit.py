from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from inkwell.core.ratelimit import MemoryRateLimiter, RedisRateLimiter
from tests.redis_support import redis_url, requires_redis


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url())
    yield client
    await client.aclose()


async def test_memory_limiter_counts_within_a_window(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("inkwell.core.ratelimit.time.time", lambda: now[0])
    limiter = MemoryRateLimiter()
    results = [await limiter.hit("k", limit=2, window=60) for _ in range(3)]
    assert results[:2] == [None, None]
    assert results[2] == 20  # 1000 is 40 s into the window that ends at 1020
    assert await limiter.hit("other", limit=2, window=60) is None
    now[0] = 1021.0
    assert await limiter.hit("k", limit=2, window=60) is None


async def test_memory_limiter_bounds_its_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monkeypatch.setattr("inkwell.core.ratelimit.time.time", lambda: now[0])
    limiter = MemoryRateLimiter(max_keys=10)
    for i in range(10):
        await limiter.hit(f"old{i}", limit=5, window=60)
    now[0] = 120.0
    await limiter.hit("new", limit=5, window=60)
    assert len(limiter._counts) == 1


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
    keys = [k async for k in redis.scan_iter(match=f"p:{key}:*")]
    assert len(keys) == 1
    assert 0 < await redis.ttl(keys[0]) <= 31


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
    original = unreachable.pipeline

    def counting_pipeline(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(unreachable, "pipeline", counting_pipeline)
    for _ in range(5):
        await limiter.hit("k", limit=10, window=60)
    assert calls == 1
    await unreachable.aclose()
