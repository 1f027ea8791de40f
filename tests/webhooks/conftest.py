"""Fixtures of the webhooks tests: a receiver, settings that allow it, signed-in users."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.security import PasswordHasher
from inkwell.core.state import AppState
from inkwell.models import Base
from inkwell.webhooks.consumer import CONSUMER_NAME
from tests.conftest import api_client, build_state
from tests.posts.conftest import admin, alice  # noqa: F401 - shared fixtures
from tests.webhooks.receiver import Receiver, running_receiver

# The cursor of a consumer at the last row (draining instead would wait for the oldest running
# transaction on the whole server, which other test runs may hold for a while).
_START_AT_THE_END = """
INSERT INTO outbox_consumers (name, xact_id, position)
SELECT :name, xact_id, position FROM outbox_events ORDER BY xact_id DESC, position DESC LIMIT 1
ON CONFLICT (name) DO UPDATE SET xact_id = excluded.xact_id, position = excluded.position
"""
_QUEUE_TABLES = (
    "procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers"
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def local_settings(settings: Settings) -> Settings:
    """Settings that let webhooks go to the receiver (http on loopback), with a short timeout."""
    return settings.model_copy(
        update={
            "webhooks_allow_http": True,
            "webhooks_allow_private": True,
            "webhook_timeout_seconds": 2.0,
        }
    )


@pytest.fixture
def app_state(
    local_settings: Settings,
    engine: AsyncEngine,
    hasher: PasswordHasher,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AppState:
    return build_state(local_settings, engine, hasher, sessionmaker)


@pytest.fixture
async def committed(
    local_settings: Settings, engine: AsyncEngine, hasher: PasswordHasher
) -> AsyncIterator[AppState]:
    """App state whose writes commit (consumers see only committed rows); every table and
    the job queue emptied afterwards. The webhooks consumer starts past the events earlier
    tests left committed."""
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    async with engine.begin() as connection:
        await connection.execute(text(_START_AT_THE_END), {"name": CONSUMER_NAME})
    yield build_state(local_settings, engine, hasher, sessionmaker)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables}, {_QUEUE_TABLES} CASCADE"))


@pytest.fixture
async def committed_client(committed: AppState) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(committed) as client:
        yield client
