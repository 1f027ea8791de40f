"""Live-update test helpers: app servers in processes of their own, WebSocket clients, and
reading messages without the heartbeats."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "inkwell.live.v1"
WAIT_SECONDS = 30.0  # a consumer waits for every older transaction on the server to end


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of an app process: the test database, no rate limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INKWELL_")}
    env.update(
        INKWELL_ENV="test",
        INKWELL_DATABASE_URL=database_url,
        INKWELL_RATE_LIMIT_ENABLED="false",
        INKWELL_ACCESS_LOG="false",
        INKWELL_LOG_LEVEL="WARNING",
        INKWELL_LIVE_HEARTBEAT_SECONDS="1",
    )
    env.update({f"INKWELL_{key.upper()}": value for key, value in settings.items()})
    return env


@contextmanager
def server_process(env: dict[str, str]) -> Iterator[str]:
    """`uvicorn inkwell.main:app_factory` in a process of its own; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "inkwell.main:app_factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the app process exited")
        try:
            if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the app process did not start")


def socket_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/api/v1/live"


def open_socket(
    base: str, *, ticket: str | None = None, origin: str | None = None, **options: Any
) -> Any:
    """A WebSocket to the app (`async with`), with a ticket when given."""
    protocols = [PROTOCOL] + ([f"ticket.{ticket}"] if ticket else [])
    return connect(
        socket_url(base),
        subprotocols=protocols,  # type: ignore[arg-type]
        origin=origin,  # type: ignore[arg-type]
        open_timeout=WAIT_SECONDS,
        **options,
    )


async def receive(ws: ClientConnection) -> dict[str, Any]:
    """The next message that is not a heartbeat (waiting at most WAIT_SECONDS)."""
    return await asyncio.wait_for(_next_message(ws), WAIT_SECONDS)


async def _next_message(ws: ClientConnection) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await ws.recv())
        if message["type"] != "heartbeat":
            return message


async def read_until_closed(ws: ClientConnection) -> None:
    """Read (and drop) messages until the connection ends."""
    while True:
        await asyncio.wait_for(ws.recv(), WAIT_SECONDS)


async def subscribe(ws: ClientConnection, channel: str) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "subscribe", "channel": channel}))
    return await receive(ws)


async def ticket(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/api/v1/live/ticket", headers=headers)
    assert response.status_code == 201, response.text
    value: str = response.json()["ticket"]
    return value


def raw_socket_that_never_reads(base: str, channel: str) -> socket.socket:
    """A WebSocket made by hand over a socket with a tiny receive buffer: it subscribes, then
    reads nothing, so the server's sends to it block once the buffers are full."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.settimeout(WAIT_SECONDS)
    sock.connect(("127.0.0.1", int(base.rsplit(":", 1)[1])))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            "GET /api/v1/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {PROTOCOL}\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(1)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    sock.sendall(_masked_text(json.dumps({"type": "subscribe", "channel": channel})))
    return sock


def _masked_text(text: str) -> bytes:
    payload, mask = text.encode(), os.urandom(4)
    assert len(payload) < 126
    masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + mask + masked


def read_until_eof(sock: socket.socket) -> bytes:
    """Everything the server sent until it closed the connection."""
    received = bytearray()
    while chunk := sock.recv(65536):
        received += chunk
    return bytes(received)
