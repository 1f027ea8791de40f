"""Live connections on SIGTERM, against a real `inkwell serve`: every WebSocket gets a close
frame (1012, with a reconnect hint) and every event stream ends with a `restart` event, and
then the process exits."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.live.conftest import World
from tests.live.support import (
    WAIT_SECONDS,
    free_port,
    open_socket,
    server_env,
    subscribe,
)
from tests.live.test_sse import events
from tests.test_shutdown import wait_ready

SOCKETS = 4
SPREAD_SECONDS = 2


@contextmanager
def inkwell_serve(
    database_url: str, data_dir: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = server_env(
        database_url,
        data_dir=str(data_dir),
        shutdown_drain_seconds="0.5",
        shutdown_reconnect_spread_seconds=str(SPREAD_SECONDS),
        worker_in_process="false",
    )
    command = [sys.executable, "-c", "from inkwell.cli import app; app()", "serve", "--no-migrate"]
    server = subprocess.Popen([*command, "--host", "127.0.0.1", "--port", str(port)], env=env)
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


async def close_frame(ws: ClientConnection) -> tuple[int, str] | None:
    """The close frame the server sent (None: the connection dropped without one)."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), WAIT_SECONDS)
    except ConnectionClosed as closed:
        return (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else None


async def last_events(base: str, channel: str, opened: asyncio.Event) -> list[dict[str, Any]]:
    """Every event of a stream until the server ends it (an error if it is cut)."""
    received: list[dict[str, Any]] = []
    async with (
        httpx.AsyncClient(base_url=base, timeout=WAIT_SECONDS) as http,
        http.stream("GET", "/api/v1/live/sse", params={"channels": channel}) as response,
    ):
        async for fields in events(response):
            received.append(fields)
            opened.set()
    return received


async def test_sigterm_closes_sockets_with_a_reconnect_hint_and_ends_streams(
    database_url: str, world: World, tmp_path: Path
) -> None:
    with inkwell_serve(database_url, tmp_path) as (base, server):
        await asyncio.to_thread(wait_ready, base, server)
        sockets = [await open_socket(base) for _ in range(SOCKETS)]
        for ws in sockets[:2]:  # some watch a channel, some only hold the connection
            assert (await subscribe(ws, world.channel))["type"] == "subscribed"
        opened = asyncio.Event()
        stream = asyncio.create_task(last_events(base, world.channel, opened))
        await asyncio.wait_for(opened.wait(), WAIT_SECONDS)
        frames = [asyncio.create_task(close_frame(ws)) for ws in sockets]
        server.send_signal(signal.SIGTERM)
        closes = await asyncio.gather(*frames)
        streamed = await asyncio.wait_for(stream, WAIT_SECONDS)
        exit_code = await asyncio.to_thread(server.wait, WAIT_SECONDS)
    assert exit_code == -signal.SIGTERM
    for close in closes:
        assert close is not None, "the connection dropped without a close frame"
        code, reason = close
        hint = json.loads(reason)
        assert (code, hint["type"]) == (1012, "restart")
        assert 0 <= hint["retry_after_ms"] <= SPREAD_SECONDS * 1000
    assert [fields["event"] for fields in streamed] == ["subscribed", "restart"]
    restart = streamed[-1]
    assert restart["retry"] == str(restart["data"]["retry_after_ms"])
