"""The pool sampler: connections in use and coroutines waiting for one."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from inkwell.metrics.instruments import POOL_IN_USE, POOL_WAITING
from inkwell.metrics.pool import sample, waiting


async def test_a_full_pool_shows_its_waiters(database_url: str) -> None:
    url = database_url.replace("postgresql://", "postgresql+asyncpg://", 1)
    engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=5)
    try:
        held = await engine.connect()
        await held.exec_driver_sql("SELECT 1")

        async def connect() -> AsyncConnection:
            return await engine.connect()

        blocked = asyncio.create_task(connect())
        await asyncio.sleep(0.2)
        assert waiting(engine.pool) == 1
        sample(engine)
        assert POOL_IN_USE._value.get() == 1
        assert POOL_WAITING._value.get() == 1
        await held.close()
        second = await blocked
        await second.close()
        sample(engine)
        assert (POOL_IN_USE._value.get(), POOL_WAITING._value.get()) == (0, 0)
    finally:
        await engine.dispose()
