"""Graceful shutdown of a real `inkwell serve` under load: SIGTERM turns readiness to 503 while
requests are still served, then the server stops listening, and no request is cut mid-way."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CLIENTS = 6
DRAIN_SECONDS = 1.5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(database_url: str, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "INKWELL_DATABASE_URL": database_url,
        "INKWELL_ENV": "test",
        "INKWELL_DATA_DIR": str(data_dir),
        "INKWELL_WORKER_IN_PROCESS": "false",
        "INKWELL_ACCESS_LOG": "false",
        "INKWELL_SHUTDOWN_DRAIN_SECONDS": str(DRAIN_SECONDS),
        "INKWELL_SHUTDOWN_TIMEOUT_SECONDS": "20",
    }
    command = [sys.executable, "-c", "from inkwell.cli import app; app()", "serve"]
    return subprocess.Popen(
        [*command, "--no-migrate", "--host", "127.0.0.1", "--port", str(port)], env=env
    )


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the server did not become ready")


def load(base: str, outcomes: Counter[str], balanced: threading.Event) -> None:
    """Requests one after another, each on a new connection, until the balancer takes the
    server out (`balanced`): what clients behind a load balancer send.

    `Connection: close` takes keep-alive out of the picture: an idle kept-alive connection that
    the server closes as a request is sent on it is a race of HTTP itself, not a cut request.
    """
    with httpx.Client(timeout=10, headers={"Connection": "close"}) as client:
        while not balanced.is_set():
            try:
                response = client.get(f"{base}/api/v1/posts?page_size=20")
                outcomes[f"answered {response.status_code}"] += 1
            except httpx.TransportError as error:
                outcomes[f"cut: {type(error).__name__}"] += 1
                return


def balancer(base: str, balanced: threading.Event) -> None:
    """Probe readiness every 50 ms, as a load balancer does; on a 503, send no more traffic."""
    while httpx.get(f"{base}/health/ready", timeout=5).status_code == 200:
        time.sleep(0.05)
    balanced.set()


def slow_request(base: str, outcomes: Counter[str]) -> None:
    """A sign-in whose body arrives over several seconds: in flight when the server stops
    listening, it must still get its whole answer."""

    def body() -> Iterator[bytes]:
        yield b'{"username": "nobody",'
        time.sleep(DRAIN_SECONDS + 1.5)
        yield b' "password": "not-the-password"}'

    try:
        response = httpx.post(
            f"{base}/api/v1/auth/login",
            content=body(),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        outcomes[f"slow answered {response.status_code}"] += 1
    except httpx.TransportError as error:
        outcomes[f"slow cut: {type(error).__name__}"] += 1


def test_sigterm_under_load_drains_then_stops_without_cutting_a_request(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(database_url, port, tmp_path)
    outcomes: Counter[str] = Counter()
    balanced = threading.Event()
    try:
        wait_ready(base, server)
        threads = [
            *(
                threading.Thread(target=load, args=(base, outcomes, balanced))
                for _ in range(CLIENTS)
            ),
            threading.Thread(target=balancer, args=(base, balanced)),
            threading.Thread(target=slow_request, args=(base, outcomes)),
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        server.send_signal(signal.SIGTERM)
        assert balanced.wait(timeout=DRAIN_SECONDS)  # readiness turned 503 while draining
        assert httpx.get(f"{base}/health/live", timeout=5).status_code == 200  # still serving
        # Uvicorn re-raises the signal it handled once it has shut down: the exit is SIGTERM's.
        assert server.wait(timeout=30) == -signal.SIGTERM
        for thread in threads:
            thread.join(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert not [outcome for outcome in outcomes if "cut" in outcome], outcomes
    assert outcomes["answered 200"] > CLIENTS, outcomes
    # Its body ended after the server stopped listening; it was answered all the same (422:
    # the sign-in body it sent is not a valid one, which only a whole request can tell).
    assert outcomes["slow answered 422"] == 1, outcomes
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/health/live", timeout=5)
