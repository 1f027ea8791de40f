"""Migration 0002 upgrades, downgrades completely and upgrades again; models match it."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from inkwell.core import migrations
from inkwell.core.db import to_async_url
from inkwell.models import Base
from tests.database import _with_database


async def _fetch(url: str, sql: str) -> list[Any]:
    engine = create_async_engine(to_async_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            result = await connection.exec_driver_sql(sql)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


@pytest.fixture
def empty_database(database: tuple[str, str]) -> Iterator[str]:
    server = database[1]
    name = f"inkwell_migration_{secrets.token_hex(4)}"
    asyncio.run(_fetch(server, f'CREATE DATABASE "{name}"'))
    yield _with_database(server, name)
    asyncio.run(_fetch(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _differences(url: str) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, Base.metadata))

    async def run() -> list[Any]:
        engine = create_async_engine(to_async_url(url))
        async with engine.connect() as connection:
            found = await connection.run_sync(compare)
        await engine.dispose()
        return found

    return asyncio.run(run())


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    url = empty_database
    migrations.upgrade(url)
    assert _differences(url) == []
    migrations.downgrade(url, "0001")
    tables = asyncio.run(_fetch(url, "SELECT tablename FROM pg_tables WHERE schemaname='public'"))
    assert {t for (t,) in tables} == {"alembic_version", "users", "user_sessions", "refresh_tokens"}
    types = asyncio.run(_fetch(url, "SELECT typname FROM pg_type WHERE typname = 'post_status'"))
    assert types == []
    migrations.upgrade(url)
    assert _differences(url) == []
