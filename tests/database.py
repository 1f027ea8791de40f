"""The test database: INKWELL_TEST_DATABASE_URL's server or an embedded one, fresh per run."""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg

from inkwell.core.db import to_async_url
from inkwell.core.embedded import start_embedded_postgres


def server_url() -> str:
    """The test server's maintenance database; starts an embedded server when none is given."""
    url = os.environ.get("INKWELL_TEST_DATABASE_URL")
    if url:
        return to_async_url(url)
    data_dir = Path(tempfile.mkdtemp(prefix="inkwell-test-pg-"))
    return start_embedded_postgres(data_dir, database="postgres", cleanup="delete")


def asyncpg_dsn(url: str) -> str:
    """The URL as asyncpg takes it (without SQLAlchemy's driver name)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    base = base.rsplit("/", 1)[0] + "/" + name
    return f"{base}?{query}" if query else base


async def _admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of one statement, on a connection of its own (where no event loop runs)."""
    return asyncio.run(_query(url, sql))


async def _query(url: str, sql: str) -> list[tuple[Any, ...]]:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return [tuple(row) for row in await connection.fetch(sql)]
    finally:
        await connection.close()


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """Create an empty database on the test server, yield its URL, and drop it afterwards.

    Call it where no event loop runs (a sync fixture or a worker thread).
    """
    name = f"inkwell_test_{secrets.token_hex(4)}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(server, name)
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
