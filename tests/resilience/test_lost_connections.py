"""Connections the server ended while they sat in the pool: the next requests, writes too,
are answered from fresh ones, and a write is retried only when it had sent nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from inkwell.core.db import SessionDep, create_engine
from inkwell.core.state import AppState
from inkwell.main import create_app
from inkwell.models.post import Post
from inkwell.models.user import User
from tests.conftest import build_state, make_settings
from tests.factories import DEFAULT_PASSWORD, password_hash
from tests.resilience.pg_control import terminate_backends

POOL_SIZE = 4


@dataclass
class App:
    engine: AsyncEngine
    client: httpx.AsyncClient
    app: FastAPI


@pytest.fixture
async def app(committing_state: AppState) -> AsyncIterator[App]:
    """The app over a pool of its own (committing), so that its backends can be killed."""
    settings = make_settings(
        committing_state.settings.database_url or "", db_pool_size=POOL_SIZE, db_max_overflow=0
    )
    engine = create_engine(settings)
    state = build_state(settings, engine, committing_state.hasher, async_sessionmaker(engine))
    application = create_app(settings, state=state)
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield App(engine, client, application)
    await engine.dispose()


async def _fill_pool(engine: AsyncEngine) -> list[int]:
    """Open every connection of the pool at once; the server process ids behind them."""
    async with AsyncExitStack() as stack:
        connections = [await stack.enter_async_context(engine.connect()) for _ in range(POOL_SIZE)]
        return [(await c.execute(select(func.pg_backend_pid()))).scalar_one() for c in connections]


async def _count(engine: AsyncEngine, statement: Any) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(statement) or 0)


async def test_writes_after_the_pools_connections_were_killed_succeed(
    app: App, engine: AsyncEngine
) -> None:
    body = {"email": "w@example.com", "username": "writer", "password": DEFAULT_PASSWORD}
    assert (await app.client.post("/api/v1/auth/register", json=body)).status_code == 201
    signed_in = await app.client.post(
        "/api/v1/auth/login", json={"login": "writer", "password": DEFAULT_PASSWORD}
    )
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    await terminate_backends(engine, await _fill_pool(app.engine))

    read = await app.client.get("/api/v1/posts/not-here")
    writes = await asyncio.gather(
        *(
            app.client.post(
                "/api/v1/posts",
                json={"title": f"After the outage {n}", "content_raw": "x", "status": "published"},
                headers=headers,
            )
            for n in range(POOL_SIZE)
        )
    )
    assert read.status_code == 404
    assert [w.status_code for w in writes] == [201] * POOL_SIZE, [w.text for w in writes]
    for n in range(POOL_SIZE):
        title = f"After the outage {n}"
        assert await _count(engine, select(func.count()).where(Post.title == title)) == 1


def _user(username: str) -> User:
    return User(
        username=username, email=f"{username}@example.com", password_hash=password_hash("x")
    )


async def _own_pid(session: Any) -> int:
    connection = await session.connection()
    driver: Any = (await connection.get_raw_connection()).driver_connection
    return int(driver.get_server_pid())


async def test_a_write_whose_connection_died_before_its_first_statement_is_run_again(
    app: App, engine: AsyncEngine
) -> None:
    runs: list[int] = []

    @app.app.post("/first")
    async def first(session: SessionDep, body: dict[str, str]) -> None:
        runs.append(1)
        if len(runs) == 1:  # the connection is lent, then dies before anything is sent
            await terminate_backends(engine, [await _own_pid(session)])
        session.add(_user(body["username"]))
        await session.flush()

    response = await app.client.post("/first", json={"username": "first_statement"})
    assert response.status_code == 200, response.text
    assert len(runs) == 2
    assert await _count(engine, select(func.count()).where(User.username == "first_statement")) == 1


async def test_a_write_that_had_sent_a_statement_is_not_run_again(
    app: App, engine: AsyncEngine
) -> None:
    runs: list[int] = []

    @app.app.post("/second")
    async def second(session: SessionDep) -> None:
        runs.append(1)
        session.add(_user("second_statement"))
        await session.flush()
        await terminate_backends(engine, [await _own_pid(session)])
        await session.execute(select(func.count()).select_from(User))

    response = await app.client.post("/second")
    assert response.status_code == 503
    assert len(runs) == 1
    assert (
        await _count(engine, select(func.count()).where(User.username == "second_statement")) == 0
    )
