"""The database restarts, stalls or runs away: the API answers 503 fast and recovers alone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from inkwell.core import migrations
from inkwell.core.db import SessionDep, create_engine
from inkwell.core.security import PasswordHasher
from inkwell.core.state import AppState
from inkwell.main import create_app
from tests.conftest import api_client, build_state, make_settings
from tests.resilience.pg_control import RestartableServer

LOAD_CLIENTS = 8
# While the server shuts down it accepts connections and answers none until it is gone (on a
# loaded CI machine a request once waited 8.8 s): the connect timeout bounds that wait.
POOL_WAIT, CONNECT_WAIT = 1.0, 1.0


@pytest.fixture(scope="module")
def restartable() -> RestartableServer:
    server = RestartableServer()
    migrations.upgrade(server.url)
    return server


@pytest.fixture
async def state(restartable: RestartableServer, hasher: PasswordHasher) -> AsyncIterator[AppState]:
    settings = make_settings(
        restartable.url,
        db_pool_size=4,
        db_max_overflow=0,
        db_pool_timeout=POOL_WAIT,
        db_connect_timeout=CONNECT_WAIT,
    )
    engine = create_engine(settings)
    # A running app: its engine has connected (and learnt the server's version) before any
    # restart. A first connection lost while SQLAlchemy inspects the server fails otherwise.
    async with engine.connect():
        pass
    yield build_state(settings, engine, hasher, async_sessionmaker(engine))
    await engine.dispose()


# A read through SQLAlchemy and one by the driver (a DriverSelect); both answer 404 when up.
MISSING = ("/api/v1/users/nobody", "/api/v1/posts/nothing-here")


async def _hammer(
    client: httpx.AsyncClient, stop: asyncio.Event, seen: list[tuple[int, float]]
) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        started = time.perf_counter()
        response = await client.get(MISSING[n % 2])
        seen.append((response.status_code, time.perf_counter() - started))
        await asyncio.sleep(0.01)


async def _watch_loop(stop: asyncio.Event, stalls: list[float]) -> None:
    """Record how late the event loop wakes: when the whole test process stalls (a loaded CI
    machine deschedules it), every request in flight looks slow, whatever the app does."""
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(0.02)
        stalls.append(time.perf_counter() - started - 0.02)


async def test_database_restart_under_load(state: AppState, restartable: RestartableServer) -> None:
    async with api_client(state) as client:
        stop, seen = asyncio.Event(), list[tuple[int, float]]()
        stalls = list[float]()
        workers = [asyncio.create_task(_hammer(client, stop, seen)) for _ in range(LOAD_CLIENTS)]
        workers.append(asyncio.create_task(_watch_loop(stop, stalls)))
        await asyncio.sleep(0.3)
        stopping = time.perf_counter()
        await asyncio.to_thread(restartable.stop)
        stopping = time.perf_counter() - stopping
        await asyncio.sleep(0.5)
        during = len(seen)
        await asyncio.sleep(0.5)
        outage = seen[during:]
        await asyncio.to_thread(restartable.start)
        await asyncio.sleep(1.0)
        stop.set()
        await asyncio.gather(*workers)
        after = [(await client.get(path)).status_code for path in MISSING]
        ready = await client.get("/health/ready")

    statuses = {status for status, _ in seen}
    assert statuses <= {404, 503}, f"only 'not found' or 'unavailable' expected, saw {statuses}"
    assert outage, "requests kept being answered while the database was down"
    assert {status for status, _ in outage} == {503}
    # Failing requests fail fast: none waits longer than for a pool slot and one connection
    # attempt (and a second's slack), beyond any stall of the test process itself.
    slowest, stalled = max(seconds for _, seconds in outage), max(stalls)
    assert slowest < POOL_WAIT + CONNECT_WAIT + 1.0 + stalled, (
        f"a failing request took {slowest:.2f} s (process stalled {stalled:.2f} s at most, "
        f"the server took {stopping:.2f} s to stop)"
    )
    assert after == [404, 404]  # recovered by itself: the same app serves again
    assert ready.status_code == 200


async def test_database_down_answers_503_with_retry_after(
    state: AppState, restartable: RestartableServer
) -> None:
    await asyncio.to_thread(restartable.stop)
    try:
        async with api_client(state) as client:
            response = await client.get("/api/v1/users/nobody")
            ready = await client.get("/health/ready")
    finally:
        await asyncio.to_thread(restartable.start)
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert response.headers["content-type"] == "application/problem+json"
    assert ready.status_code == 503


async def test_runaway_query_hits_the_statement_timeout(app_state: AppState) -> None:
    settings = make_settings(app_state.settings.database_url or "", db_statement_timeout_ms=200)
    engine = create_engine(settings)
    state = build_state(settings, engine, app_state.hasher, async_sessionmaker(engine))
    app = create_app(settings, state=state)

    @app.get("/slow")
    async def slow(session: SessionDep) -> None:
        await session.execute(text("SELECT pg_sleep(5)"))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    started = time.perf_counter()
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/slow")
    elapsed = time.perf_counter() - started
    await engine.dispose()
    assert response.status_code == 503
    assert response.json()["code"] == "query_timeout"
    assert response.headers["retry-after"]
    assert elapsed < 2.0
