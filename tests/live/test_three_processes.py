"""Three `inkwell serve` processes on one database and one Redis hold no state of their own: a
rate limit counts across them, one relay among them sends events, and a live message
written through one reaches clients of all three."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from sqlalchemy import text

from inkwell.core.state import AppState
from inkwell.events.relay import RELAY_LOCK
from tests.kafka import read_topics, running_broker
from tests.live.conftest import World
from tests.live.support import WAIT_SECONDS, free_port, open_socket, receive, server_env, subscribe
from tests.redis_support import redis_url, requires_redis
from tests.test_shutdown import wait_ready

pytestmark = requires_redis

PROCESSES = 3
LOGINS_PER_ACCOUNT = 4
POLL_SECONDS = 0.1
# Granted holders of the relay's advisory lock (a bigint lock shows as two halves).
LOCK_HOLDERS = text(
    "SELECT count(*) FROM pg_locks AS l JOIN pg_database AS d ON d.oid = l.database "
    "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database() "
    "AND l.classid = (CAST(:lock AS bigint) >> 32)::oid "
    "AND l.objid = (CAST(:lock AS bigint) & 4294967295)::oid"
)


@contextmanager
def inkwell_serve(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-c", "from inkwell.cli import app; app()", "serve", "--no-migrate"]
    server = subprocess.Popen([*command, "--host", "127.0.0.1", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=WAIT_SECONDS)


@contextmanager
def three_processes(
    database_url: str, data_dir: Path, kafka: str, prefix: str
) -> Iterator[list[str]]:
    env = server_env(
        database_url,
        data_dir=str(data_dir),
        redis_url=redis_url(),
        kafka_bootstrap_servers=kafka,
        event_topic_prefix=prefix,
        relay_in_process="true",
        relay_poll_interval_seconds="0.2",
        worker_in_process="false",
        shutdown_drain_seconds="0",
        rate_limit_enabled="true",
        rate_limit_login_per_account=str(LOGINS_PER_ACCOUNT),
        rate_limit_login_per_ip="1000",
    )
    with ExitStack() as stack:
        yield [stack.enter_context(inkwell_serve(env)) for _ in range(PROCESSES)]


async def relay_lock_holders(state: AppState) -> int:
    async with state.engine.connect() as connection:
        return int(await connection.scalar(LOCK_HOLDERS, {"lock": RELAY_LOCK}) or 0)


async def one_relay_holds_the_lock(state: AppState) -> None:
    for _ in range(int(WAIT_SECONDS / POLL_SECONDS)):
        if await relay_lock_holders(state) == 1:
            return
        await asyncio.sleep(POLL_SECONDS)
    raise AssertionError(f"{await relay_lock_holders(state)} relays hold the lock")


async def login_statuses(bases: list[str], username: str, tries: int) -> list[int]:
    """Wrong passwords for one account, sent to the processes in turn."""
    statuses = []
    for attempt in range(tries):
        async with httpx.AsyncClient(base_url=bases[attempt % len(bases)]) as http:
            body = {"login": username, "password": "not the password at all"}
            statuses.append((await http.post("/api/v1/auth/login", json=body)).status_code)
    return statuses


async def test_three_processes_share_limits_relay_leadership_and_live_messages(
    database_url: str, world: World, committing_state: AppState, tmp_path: Path
) -> None:
    prefix = f"t{uuid.uuid4().hex[:12]}"
    with running_broker() as kafka, three_processes(database_url, tmp_path, kafka, prefix) as bases:
        statuses = await login_statuses(bases, world.bob.user.username, LOGINS_PER_ACCOUNT + 2)
        await one_relay_holds_the_lock(committing_state)
        sockets = [await open_socket(base) for base in bases]
        for ws in sockets:
            assert (await subscribe(ws, world.channel))["type"] == "subscribed"
        async with httpx.AsyncClient(base_url=bases[0]) as http:
            posted = await http.post(
                f"/api/v1/posts/{world.post.id}/comments",
                json={"content": "Seen everywhere"},
                headers=world.bob.headers,
            )
        assert posted.status_code == 201, posted.text
        delivered = [await receive(ws) for ws in sockets]
        for ws in sockets:
            await ws.close()
        relayed = await asyncio.to_thread(read_topics, kafka, [f"{prefix}.comments"], 2, 10)
        assert await relay_lock_holders(committing_state) == 1
    # Counted once across the three: the limit's tries, then 429 wherever the next one lands.
    assert statuses == [401] * LOGINS_PER_ACCOUNT + [429, 429]
    comment_id = posted.json()["id"]
    assert [(m["type"], m["data"]["comment"]["id"]) for m in delivered] == [
        ("comment.created", comment_id)
    ] * PROCESSES
    # One relay sent the event, once.
    assert [m.event["data"]["comment_id"] for m in relayed] == [comment_id]
