"""DriverSelect: the same rows as SQLAlchemy, the driver only for reads, and the same errors."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import (
    Dialect,
    String,
    TypeDecorator,
    bindparam,
    event,
    func,
    literal_column,
    select,
    text,
    type_coerce,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.db import (
    DriverReadSession,
    DriverSelect,
    SessionDep,
    create_engine,
    create_read_sessionmaker,
)
from inkwell.core.security import PasswordHasher
from inkwell.core.state import AppState
from inkwell.main import create_app
from inkwell.models.post import Post, PostStatus
from inkwell.models.user import User
from tests.conftest import build_state, make_settings
from tests.factories import create_post, create_user
from tests.resilience.pg_control import terminate_backends

# Typed columns: an enum (SQLAlchemy converts it), JSON and a timestamp (the driver does).
POSTS_BY_AUTHOR = DriverSelect(
    select(
        Post.id.label("id"),
        Post.status.label("status"),
        Post.meta.label("meta"),
        Post.published_at.label("published_at"),
        func.json_build_object("name", User.username).label("author"),
    )
    .join(User, User.id == Post.author_id)
    .where(User.username == bindparam("username"))
    .order_by(Post.created_at, Post.id)
    .limit(10)  # a value the statement holds, under an anonymous name
)


class CursorExecutes:
    """The statements SQLAlchemy sends on an engine while the block runs (savepoints aside:
    the test's sessions share one connection)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.count = 0

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.count += 1

    def __enter__(self) -> CursorExecutes:
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine.sync_engine, "before_cursor_execute", self._record)


async def test_reads_give_the_rows_sqlalchemy_gives(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    author = await create_user(session, username="driver_author")
    await create_post(session, author, title="Published one")
    await create_post(session, author, title="A draft", status="draft")
    await session.commit()
    params = {"username": "driver_author"}

    async with create_read_sessionmaker(sessionmaker)() as reader:
        with CursorExecutes(engine) as through_sqlalchemy:
            driven = await POSTS_BY_AUTHOR.mappings(reader, params)
    async with sessionmaker() as writer:
        with CursorExecutes(engine) as in_transaction:
            expected = await POSTS_BY_AUTHOR.mappings(writer, params)

    assert through_sqlalchemy.count == 0  # the read session's select went to the driver
    assert in_transaction.count == 1  # a writing session's ran in its transaction
    assert [dict(row) for row in driven] == [dict(row) for row in expected]
    assert [row["status"] for row in driven] == [PostStatus.PUBLISHED, PostStatus.DRAFT]
    assert all(isinstance(row["status"], PostStatus) for row in driven)
    assert driven[0]["author"] == {"name": "driver_author"}
    assert isinstance(driven[0]["meta"], dict)


async def test_without_driver_reads_a_read_session_runs_them_through_sqlalchemy(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    author = await create_user(session, username="no_driver_author")
    await create_post(session, author, title="Published one")
    await session.commit()
    params = {"username": "no_driver_author"}
    readers = create_read_sessionmaker(sessionmaker, driver_reads=False)

    async with readers() as reader:
        with CursorExecutes(engine) as through_sqlalchemy:
            rows = await POSTS_BY_AUTHOR.mappings(reader, params)

    assert through_sqlalchemy.count == 1
    assert [row["status"] for row in rows] == [PostStatus.PUBLISHED]


POSTS_WITH_TITLE_WRITTEN_IN = DriverSelect(
    select(Post.title.label("title"))
    .join(User, User.id == Post.author_id)
    .where(
        User.username == bindparam("username"),
        Post.title == bindparam("title", type_=String(), literal_execute=True),
    )
)


async def test_a_literal_parameter_is_written_into_the_text_once_per_value(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    author = await create_user(session, username="literal_author")
    for title in ("First", "It's second"):
        await create_post(session, author, title=title)
    await session.commit()
    compiled = POSTS_WITH_TITLE_WRITTEN_IN._compiled_for(engine.dialect)
    assert compiled.names == ("username",)
    assert compiled.literals == ("title",)

    async with create_read_sessionmaker(sessionmaker)() as reader:
        for title in ("First", "It's second", "First", "missing"):
            params = {"username": "literal_author", "title": title}
            rows = await POSTS_WITH_TITLE_WRITTEN_IN.mappings(reader, params)
            assert [row["title"] for row in rows] == ([] if title == "missing" else [title])

    assert sorted(compiled.texts) == [("First",), ("It's second",), ("missing",)]
    assert "'It''s second'" in compiled.texts[("It's second",)]  # quoted as SQL, not bound
    assert "$1" in compiled.texts[("First",)]  # the other parameter stays bound


def test_the_texts_of_literal_values_are_bounded(engine: AsyncEngine) -> None:
    compiled = POSTS_WITH_TITLE_WRITTEN_IN._compiled_for(engine.dialect)
    compiled.texts.clear()
    for n in range(300):
        compiled.text({"username": "u", "title": f"t{n}"})
    assert 0 < len(compiled.texts) <= 256


def test_the_setting_chooses_the_read_sessions(settings: Settings, engine: AsyncEngine) -> None:
    for driver_reads in (True, False):
        state = AppState.build(
            settings.model_copy(update={"db_driver_reads": driver_reads}), engine=engine
        )
        session_class = state.read_sessionmaker.kw["sync_session_class"]
        assert issubclass(session_class, DriverReadSession) is driver_reads


class Shouted(TypeDecorator[str]):
    """Stored in lower case, read back in upper case: both conversions are visible."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:  # noqa: ARG002
        return value.lower() if value else value

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:  # noqa: ARG002
        return value.upper() if value else value


async def test_bound_values_and_columns_get_their_type_processing(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    await create_user(session, username="processed")
    await session.commit()
    by_name = DriverSelect(
        select(type_coerce(User.username, Shouted()).label("name")).where(
            User.username == bindparam("name", type_=Shouted())
        )
    )
    async with create_read_sessionmaker(sessionmaker)() as reader:
        rows = await by_name.mappings(reader, {"name": "PROCESSED"})
    assert [dict(row) for row in rows] == [{"name": "PROCESSED"}]


async def test_a_missing_value_is_refused_before_the_database(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with create_read_sessionmaker(sessionmaker)() as reader:
        with pytest.raises(Exception, match="username"):
            await POSTS_BY_AUTHOR.mappings(reader, {})


def test_expanding_and_computed_parameters_are_refused(engine: AsyncEngine) -> None:
    names: Any = bindparam("names", expanding=True)
    listing = DriverSelect(select(User.id).where(User.username.in_(names)))
    with pytest.raises(ValueError, match="non-expanding"):
        listing._compiled_for(engine.dialect)
    late: Any = bindparam("late", callable_=lambda: "alice")
    computed = DriverSelect(select(User.id).where(User.username == late))
    with pytest.raises(ValueError, match="fixed parameters"):
        computed._compiled_for(engine.dialect)


async def test_server_errors_come_back_as_sqlalchemy_errors(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    division = DriverSelect(select((literal_column("1") / bindparam("zero")).label("n")))
    async with create_read_sessionmaker(sessionmaker)() as reader:
        with pytest.raises(DBAPIError) as raised:
            await division.mappings(reader, {"zero": 0})
    assert raised.value.orig is not None
    assert getattr(raised.value.orig, "sqlstate", None) == "22012"  # division_by_zero


async def test_a_runaway_read_hits_the_statement_timeout(app_state: AppState) -> None:
    settings = make_settings(app_state.settings.database_url or "", db_statement_timeout_ms=200)
    engine = create_engine(settings)
    state = build_state(settings, engine, app_state.hasher, async_sessionmaker(engine))
    app = create_app(settings, state=state)
    sleep = DriverSelect(select(func.pg_sleep(bindparam("seconds")).label("slept")))

    @app.get("/slow")
    async def slow(session: SessionDep) -> None:
        await sleep.mappings(session, {"seconds": 5})

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/slow")
    await engine.dispose()
    assert response.status_code == 503
    assert response.json()["code"] == "query_timeout"


def _lost_connection_app(database_url: str, hasher: PasswordHasher) -> tuple[FastAPI, AsyncEngine]:
    """An app whose pool holds one connection, with a route reading on a connection its
    session already holds (as a signed-in read does once the caller is loaded)."""
    settings = make_settings(database_url, db_pool_size=1, db_max_overflow=0)
    app_engine = create_engine(settings)
    app = create_app(
        settings, state=build_state(settings, app_engine, hasher, async_sessionmaker(app_engine))
    )

    @app.get("/held")
    async def held(session: SessionDep) -> int:
        await session.connection()
        return len(await POSTS_BY_AUTHOR.mappings(session, {"username": "nobody"}))

    return app, app_engine


async def _kill_pooled_connection(app_engine: AsyncEngine, engine: AsyncEngine) -> None:
    async with app_engine.connect() as pooled:  # the app's only connection
        driver: Any = (await pooled.get_raw_connection()).driver_connection
        pid = driver.get_server_pid()
    async with engine.connect() as other:
        await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


async def _around_a_lost_connection(
    database_url: str, hasher: PasswordHasher, engine: AsyncEngine, path: str
) -> list[httpx.Response]:
    """The answers to `path` before the app's only connection is killed, right after, and then."""
    app, app_engine = _lost_connection_app(database_url, hasher)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answers = [await client.get(path)]
        await _kill_pooled_connection(app_engine, engine)
        answers += [await client.get(path), await client.get(path)]
    await app_engine.dispose()
    return answers


async def test_a_read_on_a_lost_borrowed_connection_is_answered_from_a_new_one(
    database_url: str, hasher: PasswordHasher, engine: AsyncEngine
) -> None:
    answers = await _around_a_lost_connection(
        database_url, hasher, engine, "/api/v1/posts/not-here"
    )
    # Nothing was written: the statement is run again, on a connection that works.
    assert [answer.status_code for answer in answers] == [404, 404, 404]


async def test_a_held_connection_lost_before_any_statement_is_replaced(
    database_url: str, hasher: PasswordHasher, engine: AsyncEngine
) -> None:
    answers = await _around_a_lost_connection(database_url, hasher, engine, "/held")
    assert [answer.status_code for answer in answers] == [200, 200, 200]


async def test_a_read_whose_held_connection_dies_under_it_runs_again(
    database_url: str, hasher: PasswordHasher, engine: AsyncEngine
) -> None:
    app, app_engine = _lost_connection_app(database_url, hasher)
    runs: list[int] = []

    @app.get("/dies")
    async def dies(session: SessionDep) -> int:
        runs.append(1)
        driver: Any = (await (await session.connection()).get_raw_connection()).driver_connection
        if len(runs) == 1:
            await terminate_backends(engine, [driver.get_server_pid()])
        return len(await POSTS_BY_AUTHOR.mappings(session, {"username": "nobody"}))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/dies")
    await app_engine.dispose()
    # The session's first statement met the dead connection: nothing was sent, so the
    # request ran once more, on a new connection.
    assert (response.status_code, len(runs)) == (200, 2)


async def test_a_read_whose_held_connection_dies_after_a_statement_answers_503_then_recovers(
    database_url: str, hasher: PasswordHasher, engine: AsyncEngine
) -> None:
    app, app_engine = _lost_connection_app(database_url, hasher)
    runs: list[int] = []

    @app.get("/dies-late")
    async def dies_late(session: SessionDep) -> int:
        runs.append(1)
        await session.execute(text("SELECT 1"))  # something was sent on this connection
        driver: Any = (await (await session.connection()).get_raw_connection()).driver_connection
        if len(runs) == 1:
            await terminate_backends(engine, [driver.get_server_pid()])
        return len(await POSTS_BY_AUTHOR.mappings(session, {"username": "nobody"}))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        lost = await client.get("/dies-late")
        after = await client.get("/dies-late")
    await app_engine.dispose()
    # Not run again (a statement had reached the server), not a 500: unavailable, once.
    assert (lost.status_code, lost.headers.get("retry-after") is not None) == (503, True)
    assert (after.status_code, len(runs)) == (200, 2)


class PoolWatch:
    """Checkouts and invalidations of an engine's pool while the block runs."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.pool = engine.sync_engine.pool
        self.checkouts = 0
        self.invalidated = 0

    def _checkout(self, *_args: Any) -> None:
        self.checkouts += 1

    def _invalidate(self, *_args: Any) -> None:
        self.invalidated += 1

    def __enter__(self) -> PoolWatch:
        event.listen(self.pool, "checkout", self._checkout)
        event.listen(self.pool, "invalidate", self._invalidate)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.pool, "checkout", self._checkout)
        event.remove(self.pool, "invalidate", self._invalidate)


USERS = DriverSelect(select(func.count().label("n")).select_from(User))


async def _users(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        return [{"n": await connection.scalar(select(func.count()).select_from(User))}]


async def test_a_read_session_borrows_a_connection_per_statement_until_it_holds_one(
    engine: AsyncEngine,
) -> None:
    pool: Any = engine.sync_engine.pool
    users = await _users(engine)
    async with create_read_sessionmaker(async_sessionmaker(engine))() as reader:
        with PoolWatch(engine) as borrowing:
            for _ in range(2):
                assert [dict(row) for row in await USERS.mappings(reader, {})] == users
                assert pool.checkedout() == 0  # given back before the session ends
        await reader.connection()  # e.g. an ORM query ran first
        with PoolWatch(engine) as holding:
            await USERS.mappings(reader, {})
        assert pool.checkedout() == 1
    assert (borrowing.checkouts, holding.checkouts) == (2, 0)
    assert pool.checkedout() == 0


async def test_a_borrowed_connection_survives_a_server_error_but_not_a_cancel(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool: Any = engine.sync_engine.pool
    division = DriverSelect(select((literal_column("1") / bindparam("zero")).label("n")))
    sleep = DriverSelect(select(func.pg_sleep(bindparam("seconds")).label("slept")))
    async with create_read_sessionmaker(async_sessionmaker(engine))() as reader:
        with PoolWatch(engine) as server_error, pytest.raises(DBAPIError):
            await division.mappings(reader, {"zero": 0})
        with PoolWatch(engine) as cancelled:
            running = asyncio.create_task(sleep.mappings(reader, {"seconds": 5}))
            await asyncio.sleep(0.3)
            running.cancel()
            with pytest.raises(asyncio.CancelledError):
                await running
        with monkeypatch.context() as patch, PoolWatch(engine) as driver_error:
            patch.setattr(DriverSelect, "_fetch", staticmethod(_busy))
            with pytest.raises(DBAPIError):
                await USERS.mappings(reader, {})
        assert [dict(row) for row in await USERS.mappings(reader, {})] == await _users(engine)
    # The server's own error leaves the connection usable; a cancel or a driver error does not.
    invalidated = [server_error.invalidated, cancelled.invalidated, driver_error.invalidated]
    assert invalidated == [0, 1, 1]
    assert pool.checkedout() == 0


async def _busy(*_args: Any) -> None:
    raise asyncpg.InterfaceError("another operation is in progress")
