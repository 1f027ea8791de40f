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
from tests.conftest import api_client, build_state
from tests.posts.conftest import admin, alice  # noqa: F401 - shared fixtures
from tests.webhooks.receiver import Receiver, running_receiver

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
    the job queue emptied afterwards."""
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    yield build_state(local_settings, engine, hasher, sessionmaker)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables}, {_QUEUE_TABLES} CASCADE"))


@pytest.fixture
async def committed_client(committed: AppState) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(committed) as client:
        yield client
