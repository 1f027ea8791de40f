"""Inkwell served by Uvicorn on a loopback port, in a thread, for tests that need a real server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from inkwell.core.config import Settings
from inkwell.main import create_app


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """Serve the app (with its own lifespan, engine and pool) and yield its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    with live_server_on(listener, settings) as url:
        yield url


@contextmanager
def live_server_on(listener: socket.socket, settings: Settings) -> Iterator[str]:
    """Serve the app on a bound socket of the caller's (with its options) until the end."""
    port = int(listener.getsockname()[1])
    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()
