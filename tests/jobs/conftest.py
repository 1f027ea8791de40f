"""Fixtures of the jobs tests: committed data and an emptied job queue."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from inkwell.core.state import AppState

_QUEUE_TABLES = (
    "procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers"
)


@pytest.fixture
async def committed(committing_state: AppState, engine: AsyncEngine) -> AsyncIterator[AppState]:
    """App state whose writes commit (a worker must see them); the queue is emptied before
    (tests elsewhere run workers too and may leave jobs in it) and after."""
    await _empty_queue(engine)
    yield committing_state
    await _empty_queue(engine)


async def _empty_queue(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {_QUEUE_TABLES} CASCADE"))
