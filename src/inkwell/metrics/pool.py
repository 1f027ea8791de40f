"""How busy this process's connection pool is, sampled into the pool gauges.

Each worker samples its own pool every few seconds, off the request path; in multiprocess mode
the gauges of live processes are summed (`livesum`), and a worker that stops removes its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

from prometheus_client import multiprocess
from sqlalchemy.ext.asyncio import AsyncEngine

from inkwell.metrics.instruments import POOL_IN_USE, POOL_WAITING
from inkwell.metrics.multiproc import MULTIPROC_ENV

SAMPLE_SECONDS = 2.0


def waiting(pool: Any) -> int:
    """Coroutines blocked on the pool's queue for a connection.

    SQLAlchemy does not publish this number: it is the waiters of the asyncio queue inside its
    async queue pool (tests/metrics/test_pool.py fills a pool to check it is still found).
    """
    queue = getattr(getattr(pool, "_pool", None), "_queue", None)
    return len(getattr(queue, "_getters", ()) or ())


def sample(engine: AsyncEngine) -> None:
    pool: Any = engine.pool
    POOL_IN_USE.set(pool.checkedout())
    POOL_WAITING.set(waiting(pool))


@contextlib.asynccontextmanager
async def sampling(engine: AsyncEngine) -> AsyncIterator[None]:
    """Sample the pool while the app runs; when it stops, drop this process's gauges."""

    async def loop() -> None:
        while True:
            sample(engine)
            await asyncio.sleep(SAMPLE_SECONDS)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if os.environ.get(MULTIPROC_ENV):
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
