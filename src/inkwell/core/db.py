"""The async engine, one session per request (committed before the response), unit_of_work().

Safe requests (GET, HEAD, OPTIONS) read through an autocommit session: each statement is its own
transaction, so a read costs its statements and no BEGIN/COMMIT round trips, and writing
through such a session is an error. Every other request gets one transaction, committed before
the response. The hottest reads are `DriverSelect`s: compiled once, and run by the driver
itself when the session only reads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from pydantic_core import from_json
from sqlalchemy import Connection, Dialect, Engine, Select, event
from sqlalchemy.engine.interfaces import ExceptionContext
from sqlalchemy.exc import DBAPIError, DisconnectionError, InvalidRequestError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import await_only, greenlet_spawn

from inkwell.core.config import Settings
from inkwell.core.errors import DomainError
from inkwell.core.flat_dependencies import route_handler


def to_async_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and point them at the asyncpg driver."""
    for prefix in (
        "postgresql://",
        "postgres://",
        "postgresql+psycopg://",
        "postgresql+psycopg2://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def create_engine(settings: Settings, url: str | None = None) -> AsyncEngine:
    """An engine with a bounded pool and a server-side statement timeout.

    No pre-ping: it costs three round trips per checkout. A connection the server closed is
    dropped at checkout instead, and one lost on its first statement runs the request again
    (`_watch_connections`). Prepared statements keep PostgreSQL's default plan caching: after
    five runs a statement whose generic plan costs no more than planning it anew skips the
    planner (a post by slug: about 0.15 ms of database CPU instead of 0.35-0.6 ms). Where the
    best plan depends on a value (a tag on 40% of posts against one on ten: 2 ms with a plan for
    the tag, 17 ms with the generic one), the value is written into the statement instead
    (`ListFilter.literal` in posts/filters.py), so each value gets its own plan.

    The pool lends the connection given back last (LIFO), as asyncpg's own pool does: under
    load the same few server processes stay busy and warm rather than every one of them in
    turn (measured: 12% more single-post reads per second, docs/benchmarks.md), and the
    connections left idle are the ones `pool_recycle` retires.

    JSON and JSONB values are parsed by pydantic-core's parser (Rust) rather than `json.loads`:
    the same values (big integers, floats, the last of duplicate keys) in about a third of the
    time, 0.64 against 1.76 us for a post's three tags, twice a post in every read.
    """
    target = url or settings.database_url
    if not target:
        raise RuntimeError("INKWELL_DATABASE_URL is not set and no embedded database was started")
    server_settings = {
        "application_name": "inkwell",
        "timezone": "UTC",
    }
    if settings.db_statement_timeout_ms:
        server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
    engine = create_async_engine(
        to_async_url(target),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=1800,
        pool_use_lifo=True,
        echo=settings.db_echo,
        json_deserializer=from_json,
        connect_args={"server_settings": server_settings, "timeout": settings.db_connect_timeout},
    )
    _watch_connections(engine)
    return engine


class NothingSentError(DBAPIError):
    """A connection was found lost on its first statement since it was lent: nothing of the
    transaction reached the server, so the whole of it may run again on a new connection."""


_SENT = "inkwell.sent"  # in a pooled connection's info: a statement ran since it was lent


def _watch_connections(engine: AsyncEngine) -> None:
    """Lend no connection the server has closed, and tell a loss before anything was sent.

    A connection that the server ended while it sat in the pool (a restart, an operator's
    pg_terminate_backend) has a closed socket, which the driver notices without a round trip:
    it is dropped at checkout and replaced, at no cost to healthy ones. A pre-ping would cost
    a round trip per checkout (three with asyncpg in a transaction). A loss that only shows on
    the first statement (the server went away just after the checkout) raises NothingSentError.
    Statements a DriverSelect runs on the driver are not marked as sent; only read sessions run
    those, and running a read again changes nothing.
    """
    event.listen(engine.sync_engine.pool, "checkout", _drop_if_closed)
    event.listen(engine.sync_engine, "after_cursor_execute", _mark_sent)
    event.listen(engine.sync_engine, "handle_error", _tell_nothing_sent)


def _drop_if_closed(dbapi_connection: Any, record: Any, _proxy: object) -> None:
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")
    record.info[_SENT] = False


def _mark_sent(connection: Connection, *_args: object) -> None:
    connection.info[_SENT] = True


def _tell_nothing_sent(context: ExceptionContext) -> BaseException | None:
    error, connection = context.sqlalchemy_exception, context.connection
    if error is None or connection is None or connection.invalidated:
        return None
    if not context.is_disconnect:
        return None
    if connection.info.get(_SENT, True):
        return None
    return NothingSentError(
        error.statement, error.params, context.original_exception, connection_invalidated=True
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class ReadOnlySession(Session):
    """A session for safe requests; it refuses ORM writes (they would not be atomic)."""


class DriverReadSession(ReadOnlySession):
    """A read session whose DriverSelects run on the driver (`INKWELL_DB_DRIVER_READS`)."""


class WriteInSafeRequestError(RuntimeError):
    pass


@event.listens_for(ReadOnlySession, "do_orm_execute")
def _refuse_write_statements(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise WriteInSafeRequestError("a GET, HEAD or OPTIONS request cannot write")


@event.listens_for(ReadOnlySession, "before_flush")
def _refuse_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if session.new or session.dirty or session.deleted:
        raise WriteInSafeRequestError("a GET, HEAD or OPTIONS request cannot write")


def create_read_sessionmaker(
    sessionmaker: async_sessionmaker[AsyncSession], *, driver_reads: bool = True
) -> async_sessionmaker[AsyncSession]:
    """Sessions like `sessionmaker`'s that only read; over an engine they autocommit (no BEGIN
    or COMMIT is sent). Bound to a connection (tests), they share its transaction. Without
    `driver_reads` their DriverSelects run through SQLAlchemy."""
    bind = sessionmaker.kw.get("bind")
    if isinstance(bind, AsyncEngine):
        bind = bind.execution_options(isolation_level="AUTOCOMMIT")
    session_class = DriverReadSession if driver_reads else ReadOnlySession
    return async_sessionmaker(
        **{**sessionmaker.kw, "bind": bind, "sync_session_class": session_class}
    )


_TEXTS_KEPT = 256  # statement texts kept per DriverSelect with literal values


@dataclass(frozen=True, slots=True)
class _Compiled:
    compiled: SQLCompiler
    sql: str
    names: tuple[str, ...]
    literals: tuple[str, ...]  # `literal_execute` parameters: written into the text when run
    keys: tuple[str, ...]  # the positional parameters' keys, which `params` name
    fixed: dict[str, Any]  # the values the statement itself holds, by key
    bind_processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    result_processors: tuple[tuple[str, Callable[[Any], Any]], ...]
    texts: dict[tuple[Any, ...], str] = field(default_factory=dict)

    @classmethod
    def of(cls, statement: Select[Any], dialect: Dialect) -> _Compiled:
        compiled = statement.compile(dialect=dialect)
        positions = getattr(compiled, "positiontup", None)
        binds = getattr(compiled, "binds", {})
        if (
            not isinstance(compiled, SQLCompiler)
            or positions is None
            or any(bind.expanding or bind.callable for bind in binds.values())
        ):
            raise ValueError("a DriverSelect needs positional, non-expanding, fixed parameters")
        literals = tuple(name for name in positions if binds[name].literal_execute)
        names = tuple(name for name in positions if name not in literals)
        return cls(
            compiled=compiled,
            sql=compiled.string,
            names=names,
            literals=literals,
            keys=tuple(binds[name].key for name in names),
            fixed={bind.key: bind.value for bind in binds.values() if not bind.required},
            bind_processors=tuple(
                (n, process)
                for n, name in enumerate(names)
                if (process := binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            ),
            result_processors=tuple(
                (str(column.key), process)
                for column in statement.selected_columns
                if (process := column.type.dialect_impl(dialect).result_processor(dialect, None))
            ),
        )

    def text(self, params: Mapping[str, Any]) -> str:
        """The statement's text: with its literal parameters' values written in, if it has
        any (each set of values is a statement of its own, planned for those values)."""
        if not self.literals:
            return self.sql
        key = tuple(params[name] for name in self.literals)
        text = self.texts.get(key)
        if text is None:
            if len(self.texts) >= _TEXTS_KEPT:
                self.texts.clear()
            text = self.compiled.construct_expanded_state(dict(params)).statement
            self.texts[key] = text
        return text

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        """The positional values: `params`' own, else the statement's fixed ones (what
        SQLAlchemy's `construct_params` gives, in a fifth of its time)."""
        try:
            arguments = [params[key] if key in params else self.fixed[key] for key in self.keys]
        except KeyError as missing:
            raise InvalidRequestError(f"A value is required for bind parameter {missing}") from None
        for n, process in self.bind_processors:
            arguments[n] = process(arguments[n])
        return arguments

    def rows(self, records: Sequence[Any]) -> list[dict[str, Any]]:
        rows = [dict(record) for record in records]
        for key, process in self.result_processors:
            for row in rows:
                row[key] = process(row[key])
        return rows


class _LostConnection(Exception):
    """The driver's connection closed under a DriverSelect's statement, or the pool could not
    lend one: SQLAlchemy runs the statement instead, and handles what it meets its own way."""


async def _held_connection_lost(
    connection: AsyncConnection, sql: str, lost: _LostConnection
) -> DBAPIError:
    """The error for a session whose connection died under a DriverSelect: the request runs
    again (NothingSentError) when the session had sent nothing on it, else it answers 503.
    The connection is invalidated first: running SQLAlchemy on it once the driver has seen it
    close met states SQLAlchemy does not report as a lost connection (a 500 under load)."""
    sent = connection.info.get(_SENT, True)
    await connection.invalidate()
    kind = DBAPIError if sent else NothingSentError
    return kind(sql, None, lost.__cause__ or lost, connection_invalidated=True)


class DriverSelect:
    """A Core select that read sessions run on the driver's own connection.

    SQLAlchemy's execution path (cache key, execution context, cursor adapter, result) cost
    more than the statement did: GET /posts/{slug} went from 0.85 to 0.71 ms of app CPU per
    request (docs/benchmarks.md). The statement is compiled once, on first use; its bound
    values and result columns get the same type processing SQLAlchemy would give them.

    Only a read session's statements take this path (unless `INKWELL_DB_DRIVER_READS` is
    false): it never writes, so running outside SQLAlchemy's lazily begun transaction changes
    nothing. Such a session that holds no
    connection yet borrows one from the pool for the statement alone; one that holds a
    connection (an ORM query ran first) uses it, so a request never waits for a second one.
    Any other session runs the select through SQLAlchemy, in its transaction.

    A server error comes back as SQLAlchemy's `DBAPIError`. When a borrowed connection is lost,
    or none can be lent, SQLAlchemy runs the select instead, on a new connection. When the
    session's own connection is lost, it is invalidated and the request runs again if the
    session had sent nothing on it (NothingSentError), else it answers 503.
    """

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: _Compiled | None = None

    async def mappings(
        self, session: AsyncSession, params: Mapping[str, Any]
    ) -> Sequence[Mapping[str, Any]]:
        bind = session.bind
        if bind is None or not isinstance(session.sync_session, DriverReadSession):
            return await self._through_sqlalchemy(session, params)
        compiled = self._compiled_for(bind.dialect)
        sql, arguments = compiled.text(params), compiled.arguments(params)
        if isinstance(bind, AsyncEngine) and not session.in_transaction():
            try:
                records = await self._borrowing(bind, sql, arguments)
            except _LostConnection:
                return await self._through_sqlalchemy(session, params)  # on a new connection
            return compiled.rows(records)
        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        try:
            records = await self._run(driver, sql, arguments)
        except _LostConnection as lost:
            raise await _held_connection_lost(connection, sql, lost) from lost
        return compiled.rows(records)

    @classmethod
    async def _borrowing(cls, engine: AsyncEngine, sql: str, arguments: list[Any]) -> Sequence[Any]:
        """Run on a connection borrowed from the pool for this statement only. A read session
        that has no connection yet takes this path: SQLAlchemy's session and connection objects
        cost 90 us per request, a pool checkout 27 us (docs/benchmarks.md). The checkout, the
        statement and the return run in one greenlet: SQLAlchemy's pool is synchronous code
        that needs one, and each greenlet costs about 10 us to start."""
        return await greenlet_spawn(cls._borrowed, engine.sync_engine, sql, arguments)

    @classmethod
    def _borrowed(cls, engine: Engine, sql: str, arguments: list[Any]) -> Sequence[Any]:
        try:
            pooled = engine.raw_connection()
        except engine.dialect.loaded_dbapi.Error as error:
            raise _LostConnection from error  # SQLAlchemy connects, and reports, itself
        try:
            records = await_only(cls._run(pooled.driver_connection, sql, arguments))
        except BaseException as error:
            # A server error leaves the connection usable; anything else (lost, cancelled
            # mid-statement) does not, so it is closed rather than handed back.
            usable = isinstance(error, DBAPIError) and isinstance(error.orig, asyncpg.PostgresError)
            (pooled.close if usable else pooled.invalidate)()
            raise
        pooled.close()
        return records

    @classmethod
    async def _run(cls, driver: Any, sql: str, arguments: list[Any]) -> Sequence[Any]:
        try:
            return await cls._fetch(driver, sql, arguments)
        except Exception as error:
            if driver.is_closed():
                raise _LostConnection from error
            if isinstance(error, asyncpg.PostgresError | asyncpg.InterfaceError):
                raise DBAPIError(sql, None, error) from error
            raise

    def _compiled_for(self, dialect: Dialect) -> _Compiled:
        if self._compiled is None:
            self._compiled = _Compiled.of(self.statement, dialect)
        return self._compiled

    @staticmethod
    async def _fetch(driver: Any, sql: str, arguments: list[Any]) -> Sequence[Any]:
        records: Sequence[Any] = await driver.fetch(sql, *arguments)
        return records

    async def _through_sqlalchemy(
        self, session: AsyncSession, params: Mapping[str, Any]
    ) -> Sequence[Mapping[str, Any]]:
        result = await (await session.connection()).execute(self.statement, dict(params))
        rows: Sequence[Mapping[str, Any]] = result.mappings().all()
        return rows


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One transaction for code outside requests: commit on success, roll back on error."""
    async with sessionmaker() as session, session.begin():
        yield session


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


_SESSION = "inkwell.session"  # the request's session, in the ASGI scope
READ_REPLICA = "inkwell.replica"  # in the ASGI scope: the replica a safe request reads from
READ_PRIMARY = "inkwell.primary"  # in the ASGI scope: a replica failed, read from the primary


class SessionRoute(APIRoute):
    """A route whose request has at most one database session: opened when a dependency first
    asks for it (SessionDep), finished after the endpoint and before the response is sent.

    A write request's session commits when the endpoint returned, and when it raised a
    DomainError that keeps its changes; any other error rolls it back. A safe request's
    session only reads. Either way it is closed. A request whose session lost its connection
    on the first statement (NothingSentError) runs once more on a new session, and so does a
    read that failed on a read replica, on the primary. With replicas, a committed write's
    response names the primary's WAL position (core/replicas.py).

    This is what a `yield` dependency would do. FastAPI enters an exit stack, a cancel scope and
    a context manager for each one, per request: 0.08 ms of the 0.57 ms a post read cost
    (docs/benchmarks.md). Every router of the app uses this class.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = route_handler(self, super().get_route_handler())

        async def handle_in_session(request: Request) -> Response:
            return await serve_in_session(handle, request)

        return handle_in_session


async def serve_in_session(
    handle: Callable[[Request], Coroutine[Any, Any, Response]], request: Request
) -> Response:
    """`handle`'s response with the request's session finished as SessionRoute describes:
    run once more when it may (`_runs_again`)."""
    try:
        return await _in_session(handle, request)
    except Exception as error:
        if not _runs_again(request, error):
            raise
        return await _in_session(handle, request)


_BEFORE_COMMIT = "inkwell.before_commit"  # the request's hooks, in the ASGI scope


def before_commit(request: Request, hook: Callable[[Response], Awaitable[None]]) -> None:
    """Run `hook` with the endpoint's response, in the request's session, just before it
    commits; not when the endpoint raised (its changes are rolled back)."""
    request.scope.setdefault(_BEFORE_COMMIT, []).append(hook)


def _runs_again(request: Request, error: Exception) -> bool:
    """Whether a failed request may run once more: its transaction's first statement met a
    dead connection (nothing was sent, so nothing can apply twice), or it read from a replica
    that failed (a read changes nothing; the next run reads from the primary)."""
    if isinstance(error, NothingSentError):
        return True
    if READ_REPLICA not in request.scope:
        return False
    replicas = request.app.state.inkwell.replicas
    return bool(replicas.read_failed(request, error))


async def _in_session(
    handle: Callable[[Request], Coroutine[Any, Any, Response]], request: Request
) -> Response:
    request.scope[_SESSION] = None
    try:
        response = await handle(request)
        for hook in request.scope.pop(_BEFORE_COMMIT, ()):
            await hook(response)
    except BaseException as error:
        request.scope.pop(_BEFORE_COMMIT, None)
        await _finish(request.scope.pop(_SESSION), error)
        raise
    if await _finish(request.scope.pop(_SESSION), None):
        replicas = request.app.state.inkwell.replicas
        if replicas is not None:
            await replicas.stamp(response)  # the WAL position a read must see: X-Inkwell-Read-After
    return response


async def _finish(session: AsyncSession | None, error: BaseException | None) -> bool:
    """Commit, roll back or just close the request's session; True when it committed."""
    reading = session is not None and isinstance(session.sync_session, ReadOnlySession)
    if session is None or (reading and not session.in_transaction()):
        # Never begun, so it holds no connection: closing it would cost 20 us and do nothing
        # (an anonymous post read's DriverSelects only borrow connections).
        return False
    async with session:  # closes it, even when the request is cancelled
        if reading:
            return False
        if error is None or (isinstance(error, DomainError) and error.keeps_changes):
            if session.in_transaction():
                await session.commit()
                return True
        else:
            await session.rollback()
    return False


async def request_session(request: Request) -> AsyncSession:
    """The request's session, opened on first use (what SessionDep resolves to)."""
    if _SESSION not in request.scope:
        raise RuntimeError(f"SessionDep needs a {SessionRoute.__name__}: {request.url.path}")
    session: AsyncSession | None = request.scope[_SESSION]
    if session is None:
        # Writes use the primary; safe requests its read sessions, or with read replicas
        # configured, the sessions core/replicas.py chooses (a replica's or the primary's).
        state = request.app.state.inkwell
        if request.method not in SAFE_METHODS:
            maker = state.sessionmaker
        elif state.replicas is None:
            maker = state.read_sessionmaker
        else:
            maker = await state.replicas.read_sessionmaker(request)
        session = maker()
        request.scope[_SESSION] = session
    return session


SessionDep = Annotated[AsyncSession, Depends(request_session)]
