"""Fixtures: a migrated PostgreSQL per run, a rolled-back transaction per test, an API client."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic_core import from_json
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

from inkwell.core import migrations
from inkwell.core.config import Settings
from inkwell.core.db import create_read_sessionmaker
from inkwell.core.ratelimit import MemoryRateLimiter
from inkwell.core.security import PasswordHasher, TokenCodec
from inkwell.core.state import AppState
from inkwell.main import create_app
from inkwell.models import Base
from tests.database import fresh_database, server_url
from tests.leaks import refuse_leaks


def make_settings(database_url: str = "", **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "rate_limit_login_per_ip": 10_000,
        "rate_limit_login_per_account": 10_000,
        "rate_limit_register_per_ip": 10_000,
        "rate_limit_refresh_per_ip": 10_000,
        "rate_limit_post_writes_per_user": 10_000,
        "rate_limit_comment_writes_per_user": 10_000,
        "rate_limit_views_per_ip": 10_000,
        "rate_limit_password_reset_per_ip": 10_000,
        "rate_limit_password_reset_per_address": 10_000,
        "rate_limit_verification_mail_per_user": 10_000,
        "rate_limit_requests_per_api_key": 10_000,
        "access_log": False,
        # Mail without an SMTP host is written here, never into the checkout's .data.
        "data_dir": Path(tempfile.gettempdir()) / "inkwell-test-data",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def keep_logging() -> Iterator[None]:
    """Restore the root logger after code under test reconfigures it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """URL of the test server's maintenance database (embedded unless configured)."""
    return server_url()


@pytest.fixture(scope="session")
def database_url(pg_server: str) -> Iterator[str]:
    """A fresh database for this run, built by the migrations."""
    with fresh_database(pg_server) as url:
        migrations.upgrade(url)
        yield url


@pytest.fixture
def empty_database(pg_server: str) -> Iterator[str]:
    """A database with nothing in it, dropped after the test (for migration and CLI tests)."""
    with fresh_database(pg_server) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
def hasher() -> PasswordHasher:
    return PasswordHasher(concurrency=4)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    # JSON decoded as the app's engines decode it (core/db.py: create_engine)
    engine = create_async_engine(
        database_url, pool_size=5, max_overflow=20, json_deserializer=from_json
    )
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Every commit of the code under test becomes a savepoint release inside the test's
    # transaction, so nothing outlives the test.
    return async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


def build_state(
    settings: Settings,
    engine: AsyncEngine,
    hasher: PasswordHasher,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AppState:
    return AppState(
        settings=settings,
        engine=engine,
        sessionmaker=sessionmaker,
        hasher=hasher,
        codec=TokenCodec(settings),
        limiter=MemoryRateLimiter(),
    )


@pytest.fixture
async def lending_engine(database_url: str, connection: AsyncConnection) -> AsyncEngine:
    """An engine whose only connection is the test's own, inside the test's transaction.

    Read sessions bound to it work as in production (autocommit; a DriverSelect borrows the
    pooled connection for its statement) and still see what the test wrote. It is never
    disposed: that would close the test's connection.
    """
    driver = (await connection.get_raw_connection()).driver_connection

    async def lend() -> Any:
        return driver

    return create_async_engine(
        database_url, async_creator=lend, poolclass=StaticPool, pool_reset_on_return=None
    )


@pytest.fixture
def app_state(
    settings: Settings,
    engine: AsyncEngine,
    hasher: PasswordHasher,
    sessionmaker: async_sessionmaker[AsyncSession],
    lending_engine: AsyncEngine,
) -> AppState:
    """The app's state for API tests: writes in the test's transaction (savepoints), reads
    through engine-bound read sessions on the same connection."""
    state = build_state(settings, engine, hasher, sessionmaker)
    reads = async_sessionmaker(lending_engine, expire_on_commit=False, autoflush=False)
    state.read_sessionmaker = create_read_sessionmaker(reads, driver_reads=settings.db_driver_reads)
    return state


def api_client(state: AppState) -> httpx.AsyncClient:
    app = create_app(state.settings, state=state)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks={"response": [refuse_leaks]}
    )


@pytest.fixture
async def client(app_state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    """An API client whose requests all run inside the test's rolled-back transaction."""
    async with api_client(app_state) as client:
        yield client


@pytest.fixture
async def committing_state(
    settings: Settings, engine: AsyncEngine, hasher: PasswordHasher
) -> AsyncIterator[AppState]:
    """App state over real, separate connections (for concurrency); tables emptied afterwards."""
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    yield build_state(settings, engine, hasher, sessionmaker)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} CASCADE"))


@pytest.fixture
async def committing_client(committing_state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(committing_state) as client:
        yield client
