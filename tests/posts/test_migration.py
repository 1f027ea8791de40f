"""Migration 0002 downgrades completely: its tables and its enum type are gone afterwards."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

from inkwell.core import migrations


async def _fetch(url: str, sql: str) -> list[Any]:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.exec_driver_sql(sql)]
    finally:
        await engine.dispose()


def test_downgrade_to_0001_removes_posts_completely(empty_database: str) -> None:
    url = empty_database
    migrations.upgrade(url)
    migrations.downgrade(url, "0001")
    tables = asyncio.run(_fetch(url, "SELECT tablename FROM pg_tables WHERE schemaname='public'"))
    assert {t for (t,) in tables} == {"alembic_version", "users", "user_sessions", "refresh_tokens"}
    types = asyncio.run(_fetch(url, "SELECT typname FROM pg_type WHERE typname = 'post_status'"))
    assert types == []
    migrations.upgrade(url)
