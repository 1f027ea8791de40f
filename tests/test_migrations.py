"""The schema is built only by migrations: they round-trip, and they match the models."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, pool
from sqlalchemy.ext.asyncio import create_async_engine

from inkwell.core import migrations
from inkwell.models import Base
from tests.database import fresh_database


def _tables(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        await engine.dispose()
        return set(names)

    return asyncio.run(read())


def _schema_diff(url: str) -> list[object]:
    async def diff() -> list[object]:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            result = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync,
                        opts={
                            "compare_type": True,
                            "compare_server_default": True,
                            "include_object": migrations.include_object,
                        },
                    ),
                    Base.metadata,
                )
            )
        await engine.dispose()
        return list(result)

    return asyncio.run(diff())


def _round_trip(server: str) -> tuple[set[str], set[str], set[str], list[object]]:
    with fresh_database(server) as url:
        migrations.upgrade(url)
        upgraded = _tables(url)
        migrations.downgrade(url, "base")
        downgraded = _tables(url)
        migrations.upgrade(url)
        return upgraded, downgraded, _tables(url), _schema_diff(url)


async def test_upgrade_downgrade_upgrade_and_models_agree(pg_server: str) -> None:
    upgraded, downgraded, again, diff = await asyncio.to_thread(_round_trip, pg_server)
    model_tables = set(Base.metadata.tables)
    assert model_tables <= upgraded
    assert downgraded == {"alembic_version"}
    assert again == upgraded
    assert diff == [], f"models and migrations differ: {diff}"
