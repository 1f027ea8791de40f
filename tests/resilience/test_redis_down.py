"""Redis is optional at run time too: when it is unreachable the API keeps serving."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.ratelimit import RedisRateLimiter
from inkwell.core.state import AppState
from tests.conftest import api_client, make_settings
from tests.factories import create_user


async def test_login_and_rate_limits_work_with_redis_down(
    app_state: AppState, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    app_state.settings = make_settings(
        app_state.settings.database_url or "",
        redis_url="redis://127.0.0.1:1/0",
        rate_limit_login_per_ip=2,
    )
    state = AppState.build(app_state.settings, engine=app_state.engine)
    state.sessionmaker = app_state.sessionmaker
    assert isinstance(state.limiter, RedisRateLimiter)
    await create_user(session, username="redisless")
    with caplog.at_level(logging.WARNING, logger="inkwell.ratelimit"):
        async with api_client(state) as client:
            codes = [
                (
                    await client.post(
                        "/api/v1/auth/login",
                        json={"login": "redisless", "password": "correct horse battery staple"},
                    )
                ).status_code
                for _ in range(3)
            ]
    assert codes == [200, 200, 429]  # served, and still limited, counting in-process
    assert any("redis unavailable" in r.getMessage() for r in caplog.records)
    if state.redis is not None:
        await state.redis.aclose()
