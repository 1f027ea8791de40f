"""Migration 0003 downgrades completely: its table, enum type and post columns are gone."""

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


def test_downgrade_to_0002_removes_comments_completely(empty_database: str) -> None:
    url = empty_database
    migrations.upgrade(url)
    migrations.downgrade(url, "0002")
    tables = asyncio.run(_fetch(url, "SELECT tablename FROM pg_tables WHERE schemaname='public'"))
    assert "comments" not in {t for (t,) in tables}
    types = asyncio.run(_fetch(url, "SELECT typname FROM pg_type WHERE typname = 'comment_status'"))
    assert types == []
    columns = asyncio.run(
        _fetch(
            url,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'posts' AND column_name LIKE '%comments%'",
        )
    )
    assert columns == [("comments_count",)]
    migrations.upgrade(url)
