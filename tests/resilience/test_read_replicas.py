"""Read replicas against a real streaming replica that the module builds (pg_basebackup -R from
a primary of its own): which server answers, read-your-writes, a replica down or lagging."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from inkwell.core import migrations
from inkwell.core.db import SessionDep
from inkwell.core.replicas import READ_AFTER_COOKIE, READ_AFTER_HEADER, ReplicaSet, parse_lsn
from inkwell.core.state import AppState
from inkwell.main import create_app
from tests.conftest import make_settings
from tests.database import asyncpg_dsn
from tests.factories import create_user, signed_in_headers
from tests.leaks import refuse_leaks
from tests.resilience.pg_control import RestartableServer, StreamingReplica

WHERE = "/debug/in-recovery"  # a test route: true when the server that answered is a standby


@pytest.fixture(scope="module")
def primary() -> RestartableServer:
    server = RestartableServer()
    migrations.upgrade(server.url)
    return server


@pytest.fixture(scope="module")
def replica(primary: RestartableServer) -> Iterator[StreamingReplica]:
    standby = StreamingReplica(primary)
    yield standby
    standby.remove()


async def _sql(url: str, statement: str) -> Any:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await connection.fetchval(statement)
    finally:
        await connection.close()


async def _caught_up(primary: RestartableServer, replica: StreamingReplica) -> None:
    """Wait until the replica replayed all the primary wrote so far (it streams, so soon).

    The flush position, not the insert one: after pg_basebackup the primary switches to a new
    WAL segment, and its insert position then counts the new page's header, which a standby
    reaches only once something more is written (an idle primary: never)."""
    target = await _sql(primary.url, "SELECT pg_current_wal_flush_lsn()")
    for _ in range(500):
        if await _sql(replica.url, "SELECT pg_last_wal_replay_lsn()") >= target:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the replica did not replay the primary's WAL")


def _app(state: AppState) -> FastAPI:
    app = create_app(state.settings, state=state)

    @app.get(WHERE)
    async def in_recovery(session: SessionDep) -> bool:
        return bool(await session.scalar(text("SELECT pg_is_in_recovery()")))

    return app


@pytest.fixture
def overrides() -> dict[str, Any]:
    """Settings a test changes (by parametrizing this)."""
    return {}


@pytest.fixture
async def state(
    primary: RestartableServer, replica: StreamingReplica, overrides: dict[str, Any]
) -> AsyncIterator[AppState]:
    """The app's state as `inkwell serve` builds it, with the replica configured. The lag
    allowed is long: tests that pause replay still read from the replica.

    A commit, replayed before the test starts, gives the replica a recent replayed commit:
    the first check may find the replica short of the primary's newest position (a
    background record, or a write the test just made, not yet streamed), and then judges it
    by that commit's age; a replica that replayed none since it started is left out."""
    values = {"database_replica_max_lag_seconds": 60.0, **overrides}
    settings = make_settings(primary.url, database_replica_urls=[replica.url], **values)
    app_state = AppState.build(settings)
    await _sql(replica.url, "SELECT pg_wal_replay_resume()")
    await _sql(primary.url, "SELECT txid_current()")  # a transaction with an id: a commit
    await _caught_up(primary, replica)
    yield app_state
    await app_state.close()
    await _sql(replica.url, "SELECT pg_wal_replay_resume()")


@pytest.fixture
async def client(state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app(state), raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks={"response": [refuse_leaks]}
    ) as client:
        yield client


@pytest.fixture
async def author(state: AppState) -> dict[str, str]:
    async with state.sessionmaker() as session:
        user = await create_user(session)
    return await signed_in_headers(state, user)


def _replicas(state: AppState) -> ReplicaSet:
    assert state.replicas is not None
    return state.replicas


async def _write_post(client: httpx.AsyncClient, author: dict[str, str]) -> httpx.Response:
    response = await client.post(
        "/api/v1/posts",
        json={"title": "First title", "content_raw": "Text.", "status": "published"},
        headers=author,
    )
    assert response.status_code == 201, response.text
    return response


async def test_reads_come_from_the_replica_and_writes_name_their_wal_position(
    client: httpx.AsyncClient, author: dict[str, str], primary: RestartableServer
) -> None:
    assert (await client.get(WHERE)).json() is True

    written = await _write_post(client, author)

    position = parse_lsn(written.headers[READ_AFTER_HEADER])
    now = await _sql(primary.url, "SELECT pg_current_wal_insert_lsn()")
    assert 0 < position <= now
    cookie = written.headers["set-cookie"]
    assert cookie.startswith(f"{READ_AFTER_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    client.cookies.clear()
    read = await client.get(f"/api/v1/posts/{written.json()['slug']}")
    assert read.status_code == 200
    assert READ_AFTER_HEADER not in read.headers  # only writes name a position


async def test_paused_replay_reads_stale_without_the_position_and_fresh_with_it(
    client: httpx.AsyncClient,
    author: dict[str, str],
    replica: StreamingReplica,
    primary: RestartableServer,
) -> None:
    post = (await _write_post(client, author)).json()
    await _caught_up(primary, replica)
    await _sql(replica.url, "SELECT pg_wal_replay_pause()")

    edited = await client.patch(
        f"/api/v1/posts/{post['id']}", json={"title": "Second title"}, headers=author
    )
    assert edited.status_code == 200, edited.text
    position = edited.headers[READ_AFTER_HEADER]
    path = f"/api/v1/posts/{post['slug']}"

    client.cookies.clear()
    assert (await client.get(path)).json()["title"] == "First title"  # the paused replica
    with_header = await client.get(path, headers={READ_AFTER_HEADER: position})
    assert with_header.json()["title"] == "Second title"  # the replica is behind: the primary
    client.cookies.update(edited.cookies)  # what a browser keeps from the write's answer
    assert (await client.get(path)).json()["title"] == "Second title"
    assert (await client.get(WHERE)).json() is False


async def test_a_malformed_position_answers_400_and_a_malformed_cookie_is_ignored(
    client: httpx.AsyncClient,
) -> None:
    refused = await client.get(WHERE, headers={READ_AFTER_HEADER: "yesterday"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_read_after"
    client.cookies.set(READ_AFTER_COOKIE, "not-a-position")
    assert (await client.get(WHERE)).json() is True


@pytest.mark.parametrize("overrides", [{"database_replica_wait_seconds": 10.0}])
async def test_a_read_waits_for_the_replica_to_replay_the_position(
    client: httpx.AsyncClient, author: dict[str, str], replica: StreamingReplica
) -> None:
    await _sql(replica.url, "SELECT pg_wal_replay_pause()")
    written = await _write_post(client, author)
    client.cookies.clear()
    waiting = asyncio.create_task(
        client.get(WHERE, headers={READ_AFTER_HEADER: written.headers[READ_AFTER_HEADER]})
    )
    await asyncio.sleep(0.2)
    assert not waiting.done()
    await _sql(replica.url, "SELECT pg_wal_replay_resume()")

    assert (await waiting).json() is True  # the replica answered, once it replayed the write


# Checks far apart: the replica is still thought well when it goes down.
SLOW_CHECKS = [{"database_replica_check_seconds": 30.0}]


@pytest.mark.parametrize("overrides", SLOW_CHECKS)
async def test_a_replica_that_is_down_is_skipped_without_an_error(
    client: httpx.AsyncClient, author: dict[str, str], state: AppState, replica: StreamingReplica
) -> None:
    post = (await _write_post(client, author)).json()
    client.cookies.clear()
    assert (await client.get(WHERE)).json() is True
    await asyncio.to_thread(replica.stop)
    try:
        # Still thought well: the read fails on the replica and runs again on the primary.
        assert (await client.get(WHERE)).json() is False
        await _replicas(state).check()
        assert not _replicas(state).replicas[0].usable
        read = await client.get(f"/api/v1/posts/{post['slug']}")  # a DriverSelect read
        assert read.status_code == 200
        assert (await client.get(WHERE)).json() is False
    finally:
        await asyncio.to_thread(replica.start)
    await _usable_again(_replicas(state))
    assert (await client.get(WHERE)).json() is True


@pytest.mark.parametrize("overrides", SLOW_CHECKS)
async def test_a_replica_down_before_a_driver_read_is_skipped(
    client: httpx.AsyncClient, author: dict[str, str], replica: StreamingReplica
) -> None:
    post = (await _write_post(client, author)).json()
    client.cookies.clear()
    assert (await client.get(WHERE)).json() is True
    await asyncio.to_thread(replica.stop)
    try:
        read = await client.get(f"/api/v1/posts/{post['slug']}")
    finally:
        await asyncio.to_thread(replica.start)
    assert read.status_code == 200
    assert read.json()["title"] == "First title"


@pytest.mark.parametrize(
    "overrides",
    [{"database_replica_max_lag_seconds": 0.3, "database_replica_check_seconds": 0.1}],
)
async def test_a_lagging_replica_is_skipped_until_it_catches_up(
    client: httpx.AsyncClient,
    author: dict[str, str],
    state: AppState,
    replica: StreamingReplica,
    primary: RestartableServer,
) -> None:
    client.cookies.clear()
    assert (await client.get(WHERE)).json() is True  # the first read starts the checks
    await _sql(replica.url, "SELECT pg_wal_replay_pause()")
    await _write_post(client, author)
    client.cookies.clear()
    await asyncio.sleep(0.4)  # longer than the lag allowed: the write is older than that
    await _replicas(state).check()
    assert (await client.get(WHERE)).json() is False

    await _sql(replica.url, "SELECT pg_wal_replay_resume()")
    await _caught_up(primary, replica)
    await _usable_again(_replicas(state))
    assert (await client.get(WHERE)).json() is True


async def _usable_again(replicas: ReplicaSet) -> None:
    """Check until the replica serves reads again (WAL the primary writes by itself, such as
    its periodic snapshot record, may keep a caught-up replica a moment behind a check)."""
    for _ in range(100):
        await replicas.check()
        if replicas.replicas[0].usable:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the replica did not come back")


@pytest.mark.parametrize(
    "overrides",
    [{"database_replica_max_lag_seconds": 0.4, "database_replica_check_seconds": 0.1}],
)
async def test_an_idle_primary_after_a_wal_switch_keeps_its_replica_in_use(
    client: httpx.AsyncClient, primary: RestartableServer, replica: StreamingReplica
) -> None:
    """After a switch to a new WAL segment (`archive_timeout`, a base backup) an idle primary's
    insert position counts the new page's header, which no standby replays until something
    more is written; the replica replayed all there is and must stay in use past the lag bound."""
    await _sql(primary.url, "SELECT pg_switch_wal()")
    await _caught_up(primary, replica)
    assert (await client.get(WHERE)).json() is True
    await asyncio.sleep(1.0)  # idle: checks run, no commit comes
    assert (await client.get(WHERE)).json() is True
