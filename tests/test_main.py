"""The app as production builds it: its lifespan opens and closes its own resources."""

from __future__ import annotations

import gc

import httpx

from inkwell.core.ratelimit import MemoryRateLimiter, RedisRateLimiter
from inkwell.main import YOUNG_GENERATION_THRESHOLD, app_factory, create_app
from tests.conftest import make_settings
from tests.redis_support import redis_url, requires_redis


async def _lifespan_round_trip(**overrides: str) -> tuple[int, type]:
    app = create_app(make_settings(**overrides))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/health/ready")
        limiter_type = type(app.state.inkwell.limiter)
    return response.status_code, limiter_type


async def test_lifespan_builds_and_closes_its_state(database_url: str) -> None:
    status, limiter = await _lifespan_round_trip(database_url=database_url)
    assert status == 200
    assert limiter is MemoryRateLimiter


@requires_redis
async def test_lifespan_uses_redis_when_configured(database_url: str) -> None:
    status, limiter = await _lifespan_round_trip(database_url=database_url, redis_url=redis_url())
    assert status == 200
    assert limiter is RedisRateLimiter


def test_app_factory_reads_the_environment(keep_logging: None) -> None:
    app = app_factory()
    assert app.title == "Inkwell"


async def test_start_up_settles_the_garbage_collector(database_url: str) -> None:
    gc.unfreeze()
    before = gc.get_threshold()
    gc.set_threshold(700, *before[1:])
    try:
        await _lifespan_round_trip(database_url=database_url)
        assert gc.get_threshold()[0] == YOUNG_GENERATION_THRESHOLD
        assert gc.get_freeze_count() > 0
    finally:
        gc.set_threshold(*before)
