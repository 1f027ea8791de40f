from __future__ import annotations

import asyncio
from contextlib import ExitStack

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker

from inkwell.core.db import create_engine
from inkwell.core.security import PasswordHasher
from tests.conftest import api_client, build_state, make_settings
from tests.database import fresh_database


async def test_live(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": None}


async def test_ready_reports_head_revision(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json()["database"] is not None


async def test_ready_is_503_when_migrations_are_not_applied(
    pg_server: str, hasher: PasswordHasher
) -> None:
    with ExitStack() as stack:
        url = await asyncio.to_thread(stack.enter_context, fresh_database(pg_server))
        settings = make_settings(url)
        engine = create_engine(settings)
        state = build_state(settings, engine, hasher, async_sessionmaker(engine))
        async with api_client(state) as client:
            response = await client.get("/health/ready")
        await engine.dispose()
        await asyncio.to_thread(stack.close)
    assert response.status_code == 503
    assert "schema" in response.json()["detail"]
