"""One transaction per request: committed before the response, rolled back on any error."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from fastapi import Request
from sqlalchemy import JSON, Text, cast, event, func, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.pool import QueuePool

from inkwell.core.config import Settings
from inkwell.core.db import (
    SessionDep,
    WriteInSafeRequestError,
    create_engine,
    create_read_sessionmaker,
    request_session,
    to_async_url,
    unit_of_work,
)
from inkwell.core.errors import Conflict
from inkwell.core.security import PasswordHasher
from inkwell.core.state import AppState
from inkwell.main import create_app
from inkwell.models.user import User
from tests.conftest import build_state, make_settings
from tests.factories import password_hash


async def _count(engine: AsyncEngine, username: str) -> int:
    async with engine.connect() as connection:
        return int(
            await connection.scalar(
                select(func.count()).select_from(User).where(User.username == username)
            )
            or 0
        )


def _user(username: str) -> User:
    return User(
        username=username,
        email=f"{username}@example.com",
        password_hash=password_hash("irrelevant password"),
    )


async def test_unit_of_work_commits_and_rolls_back(engine: AsyncEngine) -> None:
    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with unit_of_work(maker) as session:
        session.add(_user("uow_ok"))

    async def fail_halfway() -> None:
        async with unit_of_work(maker) as session:
            session.add(_user("uow_bad"))
            await session.flush()
            raise RuntimeError("halfway")

    with pytest.raises(RuntimeError):
        await fail_halfway()
    assert await _count(engine, "uow_ok") == 1
    assert await _count(engine, "uow_bad") == 0
    async with unit_of_work(maker) as session:
        await session.delete(await session.scalar(select(User).where(User.username == "uow_ok")))


async def test_a_failed_request_leaves_nothing_behind(
    committing_state: AppState, engine: AsyncEngine
) -> None:
    app = create_app(committing_state.settings, state=committing_state)

    @app.post("/half")
    async def half(session: SessionDep, fail: str = "domain") -> None:
        session.add(_user(f"half_{fail}"))
        await session.flush()
        if fail == "domain":
            raise Conflict("stop here")
        raise RuntimeError("crash here")

    @app.post("/whole")
    async def whole(session: SessionDep) -> None:
        session.add(_user("whole"))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.post("/half?fail=domain")).status_code == 409
        assert (await client.post("/half?fail=crash")).status_code == 500
        assert (await client.post("/whole")).status_code == 200
    assert await _count(engine, "half_domain") == 0
    assert await _count(engine, "half_crash") == 0
    assert await _count(engine, "whole") == 1


@pytest.mark.parametrize("path", ["/api/v1/users/someone", "/api/v1/posts/someone"])
async def test_pool_exhaustion_answers_503_not_a_hang(
    database_url: str, hasher: PasswordHasher, path: str
) -> None:
    settings = make_settings(database_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=0.2)
    engine = create_engine(settings)
    state = build_state(settings, engine, hasher, async_sessionmaker(engine))
    app = create_app(settings, state=state)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        engine.connect() as held,
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        await held.execute(select(1))
        response = await asyncio.wait_for(client.get(path), timeout=5)
    await engine.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert response.json()["code"] == "service_unavailable"


@pytest.mark.parametrize("path", ["/api/v1/users/someone", "/api/v1/posts/someone"])
async def test_unreachable_database_answers_503(hasher: PasswordHasher, path: str) -> None:
    settings = make_settings("postgresql://postgres@127.0.0.1:1/none")
    engine = create_engine(settings)
    state = build_state(settings, engine, hasher, async_sessionmaker(engine))
    transport = httpx.ASGITransport(
        app=create_app(settings, state=state), raise_app_exceptions=False
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get(path)
        ready = await client.get("/health/ready")
    await engine.dispose()
    assert response.status_code == 503
    assert ready.status_code == 503


async def _refuse_as_shutting_down(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """A server that answers every connection as PostgreSQL does while it shuts down."""
    length = int.from_bytes(await reader.readexactly(4), "big")
    if (await reader.readexactly(length - 4))[:4] == (80877103).to_bytes(4, "big"):
        writer.write(b"N")  # no TLS; the startup message follows
        await reader.readexactly(int.from_bytes(await reader.readexactly(4), "big") - 4)
    fields = b"SFATAL\0C57P03\0Mthe database system is shutting down\0\0"
    writer.write(b"E" + (len(fields) + 4).to_bytes(4, "big") + fields)
    await writer.drain()
    writer.close()


@pytest.mark.parametrize("path", ["/api/v1/users/someone", "/api/v1/posts/someone"])
async def test_a_database_refusing_connections_answers_503(
    hasher: PasswordHasher, path: str
) -> None:
    server = await asyncio.start_server(_refuse_as_shutting_down, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = make_settings(f"postgresql://postgres@127.0.0.1:{port}/none")
    engine = create_engine(settings)
    state = build_state(settings, engine, hasher, async_sessionmaker(engine))
    transport = httpx.ASGITransport(
        app=create_app(settings, state=state), raise_app_exceptions=False
    )
    async with server, httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get(path)
    await engine.dispose()
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


async def test_the_pool_lends_the_connection_given_back_last(database_url: str) -> None:
    engine = create_engine(make_settings(database_url, db_pool_size=2, db_max_overflow=0))

    async def backend(connection: Any) -> int:
        return int(await connection.scalar(select(func.pg_backend_pid())))

    async with engine.connect() as first, engine.connect() as second:
        pids = [await backend(first), await backend(second)]
    # `async with` closes in reverse order: `first` is given back last, and lent next.
    async with engine.connect() as next_one:
        lent = await backend(next_one)
    await engine.dispose()
    assert len(set(pids)) == 2
    assert lent == pids[0]


JSON_TEXTS = [
    '{"name": "Python", "slug": "python"}',
    "[1, 2.5, -0.0, 1e-7, 123456789012345678901234567890, true, null]",
    '{"a": 1, "a": 2, "nested": {"list": [{"é": "\\u00e9\\ud83d\\ude00"}]}}',
    '"a string with \\"quotes\\" and \\n a new line"',
    "0.1",
]


@pytest.mark.parametrize("kind", ["json", "jsonb"])
async def test_json_columns_read_as_the_standard_library_reads_them(
    database_url: str, kind: str
) -> None:
    engine = create_engine(make_settings(database_url))
    async with engine.connect() as connection:
        for text in JSON_TEXTS:
            value = await connection.scalar(
                select(cast(literal(text), JSON if kind == "json" else JSONB))
            )
            # jsonb keeps its own text of the value (the last duplicate key, numbers as typed)
            stored = await connection.scalar(select(cast(cast(literal(text), JSONB), Text)))
            expected = json.loads(text if kind == "json" else str(stored))
            assert value == expected, text
            assert json.dumps(value) == json.dumps(expected), text  # same types (1.0 is not 1)
    await engine.dispose()


def test_plain_urls_get_the_async_driver() -> None:
    assert to_async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert to_async_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert to_async_url("postgresql+asyncpg://u@h/db") == "postgresql+asyncpg://u@h/db"


def test_no_url_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="INKWELL_DATABASE_URL"):
        create_engine(Settings(_env_file=None))


async def test_safe_requests_read_in_autocommit_and_refuse_writes(
    committing_state: AppState, engine: AsyncEngine
) -> None:
    app = create_app(committing_state.settings, state=committing_state)
    sent: list[str] = []

    def log(record: Any) -> None:  # sees simple queries: BEGIN, COMMIT, ROLLBACK, pings
        sent.append(str(record.query).strip().upper())

    def watch(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(log)

    def unwatch(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.driver_connection.remove_query_logger(log)

    @app.get("/read")
    async def read(session: SessionDep) -> int:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)

    @app.post("/read-in-a-transaction")
    async def read_in_a_transaction(session: SessionDep) -> int:
        return await read(session)

    @app.get("/add")
    async def add(session: SessionDep) -> None:
        session.add(_user("written_by_get"))
        await session.flush()

    @app.get("/update")
    async def change(session: SessionDep) -> None:
        await session.execute(update(User).values(bio="changed by a GET"))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    event.listen(engine.sync_engine.pool, "checkout", watch)
    event.listen(engine.sync_engine.pool, "checkin", unwatch)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/read")).status_code == 200
            read_sent = list(sent)
            assert (await client.post("/read-in-a-transaction")).status_code == 200
            assert (await client.get("/add")).status_code == 500
            assert (await client.get("/update")).status_code == 500
    finally:
        event.remove(engine.sync_engine.pool, "checkout", watch)
        event.remove(engine.sync_engine.pool, "checkin", unwatch)
    # A read sends its statement only: no BEGIN, COMMIT, ROLLBACK or pre-ping.
    assert read_sent == []
    assert sent[0].startswith("BEGIN")  # what other requests send
    assert sent[-1] == "COMMIT;"
    assert await _count(engine, "written_by_get") == 0


async def test_the_read_only_session_refuses_orm_writes(engine: AsyncEngine) -> None:
    reader = create_read_sessionmaker(async_sessionmaker(engine))
    async with reader() as session:
        with pytest.raises(WriteInSafeRequestError):
            await session.execute(update(User).values(bio="no"))
        session.add(_user("never_flushed"))
        with pytest.raises(WriteInSafeRequestError):
            await session.flush()
    assert await _count(engine, "never_flushed") == 0


async def test_every_request_gives_its_connection_back(
    committing_state: AppState, engine: AsyncEngine
) -> None:
    app = create_app(committing_state.settings, state=committing_state)

    @app.get("/count")
    async def count(session: SessionDep) -> int:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)

    @app.post("/refused")
    async def refused(session: SessionDep) -> None:
        await count(session)
        raise Conflict("no")

    @app.post("/crash")
    async def crash(session: SessionDep) -> None:
        await count(session)
        raise RuntimeError("crash")

    @app.post("/invalid")
    async def invalid(session: SessionDep, n: int) -> int:  # n is checked after the session
        return n

    pool = engine.sync_engine.pool
    assert isinstance(pool, QueuePool)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        statuses = [
            (await client.get("/count")).status_code,
            (await client.post("/refused")).status_code,
            (await client.post("/crash")).status_code,
            (await client.post("/invalid?n=x")).status_code,
        ]
    assert statuses == [200, 409, 500, 422]
    assert pool.checkedout() == 0


def test_session_dep_outside_a_session_route_is_a_clear_error() -> None:
    request = Request({"type": "http", "method": "GET", "path": "/x", "headers": []})
    with pytest.raises(RuntimeError, match="SessionRoute"):
        asyncio.run(request_session(request))
